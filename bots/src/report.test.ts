import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, type BotsConfig } from "./args.ts";
import { HttpFailure, liveGames, operationOf, request } from "./http.ts";
import { Metrics, mergeRaw } from "./metrics.ts";
import { buildReport, resolveNodeKey } from "./report.ts";
import { renderTable } from "./reportText.ts";
import { addressOfUrl } from "./rooms.ts";

function config(...argv: string[]): BotsConfig {
  const r = parseArgs(argv);
  if (r.help) throw new Error("help");
  return r.config;
}

describe("room addresses", () => {
  it("reads the node id from a /node/<id>/ URL (behind the cluster proxy)", () => {
    expect(addressOfUrl("ws://localhost:8080/node/n2/AbC_12/game123?sessionId=x&_authToken=y")).toEqual({
      node: "n2",
      processId: "AbC_12",
    });
    expect(addressOfUrl("wss://play.example/tabula/node/n1/P/R?x=1")).toEqual({ node: "n1", processId: "P" });
  });

  it("falls back to the process id for a node reached directly", () => {
    expect(addressOfUrl("ws://127.0.0.1:2610/JKRBrgkxg/gameid?sessionId=s")).toEqual({
      node: "process:JKRBrgkxg",
      processId: "JKRBrgkxg",
    });
    expect(addressOfUrl(undefined)).toEqual({ node: "unknown", processId: null });
    expect(addressOfUrl("not a url")).toEqual({ node: "unknown", processId: null });
  });

  it("maps process ids to node ids with /api/nodes or a lone /healthz", () => {
    const reported = { P1: "n1" };
    expect(resolveNodeKey("n3", reported, null, ["n3"])).toBe("n3");
    expect(resolveNodeKey("process:P1", reported, null, ["process:P1", "process:P2"])).toBe("n1");
    expect(resolveNodeKey("process:P2", reported, "n9", ["process:P1", "process:P2"])).toBe("process:P2");
    expect(resolveNodeKey("process:P2", {}, "n9", ["process:P2"])).toBe("n9");
  });
});

describe("buildReport", () => {
  it("merges processes, counts games once and applies the thresholds", () => {
    const a = new Metrics();
    const b = new Metrics();
    for (const m of [a, b]) {
      m.count("movesSent", 50);
      m.count("moves", 50);
      m.count("movesInRun", 40);
      m.count("joins", 2);
      m.moveRtt.push(m === a ? 1 : 3);
      m.roomJoined("g1", "process:P", "player", "P");
      m.gameStarted("g1", "connect4", "quick", "process:P");
    }
    a.gameFinished("g1", "connect-four");
    a.error("move_STALE_PLY");
    b.disconnect("drop_1006");
    const merged = mergeRaw([a.raw(1, { user: 1000, system: 0 }), b.raw(1, { user: 3000, system: 1000 })]);
    const cfg = config("--bots", "2", "--max-errors", "0", "--spectators", "0%");
    const r = buildReport({
      config: cfg,
      runId: "abcd",
      startedAt: 0,
      stoppedAt: 10_000,
      endedAt: 12_000,
      merged,
      reportedNodes: [{ nodeId: "n1", processId: "P", rooms: 1, ccu: 2 }],
      reportedAt: 9_000,
      processNodes: { P: "n1" },
      healthNode: null,
      parent: null,
    });
    expect(r.games).toMatchObject({ started: 1, finished: 1, unfinished: 0, byResult: { "connect-four": 1 } });
    expect(r.moves).toEqual({ total: 100, perSecond: 8, inRunPhase: 80, sent: 100 });
    expect(r.moveRttMs).toMatchObject({ count: 2, p50: 1, max: 3 });
    expect(r.errors).toEqual({
      total: 1,
      rate: Number((1 / 104).toFixed(6)),
      byKind: { move_STALE_PLY: 1 },
      httpByOperation: {},
    });
    expect(r.disconnects.byKind).toEqual({ drop_1006: 1 });
    expect(r.nodes.observed).toEqual({ n1: { rooms: 1, players: 2, spectators: 0 } });
    expect(r.cpu).toMatchObject({ userMs: 4, systemMs: 1, percentOfOneCore: 0, saturated: false });
    expect(r.thresholds.passed).toBe(false);
    expect(r.thresholds.failures).toEqual(["1 errors > --max-errors 0"]);
    for (const key of [
      "config",
      "startedAt",
      "durationS",
      "bots",
      "procs",
      "games",
      "moves",
      "moveRttMs",
      "matchmakingWaitMs",
      "errors",
      "disconnects",
      "nodes",
      "cpu",
      "memory",
    ])
      expect(r, key).toHaveProperty(key);
    const table = renderTable(r, "/tmp/x.json");
    expect(table).toMatch(/move_STALE_PLY 1/);
    expect(table).toMatch(/FAIL: 1 errors > --max-errors 0/);
    expect(table).toMatch(/n1: 1 rooms/);
  });

  it("passes an idle run with no errors, and fails errors with nothing attempted", () => {
    const base = {
      config: config("--bots", "1"),
      runId: "x",
      startedAt: 0,
      stoppedAt: 1000,
      endedAt: 1000,
      reportedNodes: null,
      reportedAt: null,
      processNodes: {},
      healthNode: null,
      parent: null,
    };
    const idle = new Metrics();
    expect(buildReport({ ...base, merged: mergeRaw([idle.raw(1, { user: 0, system: 0 })]) }).thresholds.passed).toBe(true);
    const broken = new Metrics();
    broken.error("http_network_ECONNREFUSED");
    const r = buildReport({ ...base, merged: mergeRaw([broken.raw(1, { user: 0, system: 0 })]) });
    expect(r.errors.rate).toBe(1);
    expect(r.thresholds.passed).toBe(false);
  });
});

describe("http", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url === "/api/live-games") {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: "no such endpoint" } }));
      } else if (req.url === "/busy") {
        res.statusCode = 503;
        res.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "db down" } }));
      } else res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("names failures by status and code, and by operation", async () => {
    await expect(request(base, "GET", "/busy")).rejects.toMatchObject({
      kind: "http_503_UNAVAILABLE",
      status: 503,
      op: "GET /busy",
    });
    expect(operationOf("GET", "/api/matchmaking/tickets/Zk3abc?wait=20")).toBe("GET /api/matchmaking/tickets/:id");
    expect(operationOf("GET", "/api/games/abc123")).toBe("GET /api/games/:id");
    await expect(request(base, "GET", "/ok")).resolves.toEqual({ ok: true });
  });

  it("treats a missing /api/live-games as 'none' rather than an error", async () => {
    await expect(liveGames(base)).resolves.toBeNull();
  });

  it("names network failures by their errno", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await request(`http://127.0.0.1:${port}`, "GET", "/").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpFailure);
    expect((err as HttpFailure).kind).toBe("http_network_ECONNREFUSED");
  });
});
