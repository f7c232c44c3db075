/**
 * The operator API (/api/admin) on a real node and PostgreSQL, with its
 * operator made by the real `npm run admin -- create` command: 401 without a
 * valid identity, 403 FORBIDDEN for a player who is not an operator, and for
 * the operator the node table, the live games and figures that count the
 * moves just played, and the audit search with its filters passed through to
 * the audit log (rows written by the audit log's own writer).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditLog } from "../../src/audit/writer.ts";
import { createLogger } from "../../src/log.ts";
import { http, newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const SECRET = "integration-tests-secret-0123456789abcdef";
const CLI = resolve(import.meta.dirname, "../../src/ops/admin/adminCli.ts");

let node: TestNode;
let operator: { id: string; token: string };
let cliOutput: string;

/** `npm run admin -- <args>` against `databaseUrl`: its exit code and output. */
async function adminCli(databaseUrl: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, TOKEN_SECRET: SECRET, NODE_ENV: "test" },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase();
  // Before any node: the command migrates the fresh database itself.
  const made = await adminCli(databaseUrl, "create", "Ops Person");
  expect(made.code, made.err).toBe(0);
  cliOutput = made.out;
  const id = /^id:\s+(\S+)$/m.exec(made.out)?.[1];
  const token = /^token:\s+(\S+)$/m.exec(made.out)?.[1];
  if (!id || !token) throw new Error(`unexpected output of npm run admin:\n${made.out}`);
  operator = { id, token };
  node = await startTestNode({ DATABASE_URL: databaseUrl, ADMIN_PLAYER_IDS: id, FIGURES_INTERVAL_MS: "200" });
});
afterAll(async () => {
  await node?.stop();
});

const admin = <T>(path: string, token?: string) => http<T>(node.url, "GET", `/api/admin${path}`, token);

describe("npm run admin", () => {
  it("prints the id, the token and the ADMIN_PLAYER_IDS line; refuses bad usage with exit code 2", async () => {
    expect(cliOutput).toContain(`ADMIN_PLAYER_IDS=${operator.id}`);
    const usage = await adminCli(node.databaseUrl, "create");
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/Usage: npm run admin/);
    expect((await adminCli(node.databaseUrl, "frobnicate", "x")).code).toBe(2);
    const unknown = await adminCli(node.databaseUrl, "token", "00000000-0000-4000-8000-000000000000");
    expect(unknown.code).toBe(1);
    const again = await adminCli(node.databaseUrl, "token", operator.id);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^token:\s+\S+$/m);
    // Both in the audit log, by the command (its node id), naming the operator.
    const rows = await query<{ kind: string; nodeId: string }>(
      node.databaseUrl,
      `SELECT kind, "nodeId" FROM "AuditEvent" WHERE "playerId" = $1 ORDER BY at, id`,
      [operator.id],
    );
    expect(rows.filter((r) => r.nodeId === "npm run admin").map((r) => r.kind)).toEqual([
      "identity.created",
      "admin.create_operator",
      "admin.issue_token",
    ]);
  });
});

describe("/api/admin", () => {
  it("answers 401 UNAUTHENTICATED without a token or with a forged one", async () => {
    for (const token of [undefined, "not-a-token", `${operator.token.slice(0, -4)}AAAA`]) {
      for (const path of ["/me", "/overview", "/games", "/figures", "/audit", "/nope"]) {
        const r = await admin<{ error: { code: string } }>(path, token);
        expect(r.status, `${path} ${token?.slice(0, 10)}`).toBe(401);
        expect(r.body.error.code).toBe("UNAUTHENTICATED");
      }
    }
  });

  it("answers 403 FORBIDDEN to a valid identity that is not an operator, and shows it nothing", async () => {
    const guest = await newPlayer(node.url);
    for (const path of ["/me", "/overview", "/games", "/figures", "/audit?kind=x"]) {
      const r = await admin<Record<string, unknown>>(path, guest.token);
      expect(r.status, path).toBe(403);
      expect(r.body).toEqual({ error: { code: "FORBIDDEN", message: expect.stringContaining("not an operator") } });
    }
  });

  it("shows the operator this node, the live games and figures counting the moves played", async () => {
    const me = await admin<{ id: string; operator: boolean }>("/me", operator.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: operator.id, operator: true });

    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const [gameId] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
    const seats = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
    const [first, second] = seats[0].seat === 0 ? seats : [seats[1], seats[0]];
    for (const col of ["0", "1", "0", "1"]) await (col === "0" ? first : second).play(col);

    const overview = await admin<{
      nodes: Array<{
        nodeId: string;
        status: string;
        self: boolean;
        games: number;
        players: number;
        version: string;
        uptimeS: number;
      }>;
      totals: { games: number };
    }>("/overview", operator.token);
    expect(overview.status).toBe(200);
    expect(overview.body.nodes).toHaveLength(1);
    expect(overview.body.nodes[0]).toMatchObject({
      nodeId: "n1",
      status: "up",
      self: true,
      games: 1,
      players: 2,
      version: "0.1.0",
    });
    expect(overview.body.totals.games).toBe(1);

    const games = await admin<{ games: Array<{ gameId: string }> }>("/games", operator.token);
    expect(games.body.games.map((g) => g.gameId)).toEqual([gameId]);

    // Four moves were committed: within a few sampling intervals (200 ms) a complete slot carries them.
    type Figures = {
      intervalMs: number;
      source: string;
      points: Array<{ movesPerS: number; commitP50Ms: number | null; pairings: number; players: number }>;
    };
    let figures: Figures | undefined;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await admin<Figures>("/figures?minutes=5", operator.token);
      expect(r.status).toBe(200);
      figures = r.body;
      const moves = figures.points.reduce((s, p) => s + (p.movesPerS * figures!.intervalMs) / 1000, 0);
      if (Math.round(moves) >= 4 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(figures.source).toBe("local");
    expect(figures.intervalMs).toBe(200);
    const total = figures.points.reduce((s, p) => s + (p.movesPerS * figures!.intervalMs) / 1000, 0);
    expect(Math.round(total)).toBe(4);
    expect(figures.points.some((p) => p.commitP50Ms !== null && p.commitP50Ms > 0)).toBe(true);
    expect(figures.points.reduce((s, p) => s + p.pairings, 0)).toBe(2); // both tickets' waits
    expect(figures.points.at(-1)?.players).toBe(2);

    const bad = await admin<{ error: { code: string } }>("/figures?minutes=99", operator.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("BAD_REQUEST");
  });

  it("the audit search passes its filters through (time, kind, player, game, paging) and refuses bad ones", async () => {
    const pool = new pg.Pool({ connectionString: node.databaseUrl, max: 2 });
    const writer = createAuditLog({ sql: pool, nodeId: "n1", log: createLogger({ level: "silent", json: true, nodeId: "n1" }) });
    const p1 = "11111111-1111-4111-8111-111111111111";
    const p2 = "22222222-2222-4222-8222-222222222222";
    // A millisecond before the first event (the writer stamps each at record time, to the millisecond).
    const before = new Date(Date.now() - 1).toISOString();
    writer.record({ kind: "identity.created", playerId: p1, ip: "10.0.0.1", detail: { name: "One" } });
    writer.record({ kind: "identity.created", playerId: p2, ip: "10.0.0.2", detail: { name: "Two" } });
    writer.record({ kind: "game.takeover", gameId: "abcd1234", detail: { from: "n2", why: "node dead" } });
    writer.record({ kind: "write.fenced", gameId: "abcd1234", detail: { reason: "lease lost" } });
    await writer.close();
    await pool.end();
    type Page = {
      entries: Array<{ kind: string; playerId: string | null; gameId: string | null; detail: unknown }>;
      next?: string;
    };
    const search = async (q: string) => {
      const r = await admin<Page>(`/audit${q}`, operator.token);
      expect(r.status, `${q}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };

    const byPlayer = await search(`?playerId=${p2}`);
    expect(byPlayer.entries).toEqual([
      expect.objectContaining({ kind: "identity.created", playerId: p2, detail: { name: "Two" } }),
    ]);
    const since = `from=${encodeURIComponent(before)}`;
    // (The node records its own guests too: the players of the tests above, before `before`.)
    const byKind = await search(`?kind=identity.created&${since}`);
    expect(byKind.entries.map((e) => e.playerId).sort()).toEqual([p1, p2]);
    const byGame = await search("?gameId=abcd1234");
    expect(byGame.entries.map((e) => e.kind)).toEqual(["write.fenced", "game.takeover"]); // newest first
    const combined = await search("?gameId=abcd1234&kind=game.takeover");
    expect(combined.entries.map((e) => e.kind)).toEqual(["game.takeover"]);
    const earlier = (await search(`?to=${encodeURIComponent(before)}&kind=identity.created`)).entries;
    expect(earlier.length).toBeGreaterThan(0); // the guests of the tests above
    expect(earlier.filter((e) => e.playerId === p1 || e.playerId === p2)).toEqual([]);
    expect((await search(`?from=${encodeURIComponent(before)}&kind=identity.created`)).entries).toHaveLength(2);

    // Paging: one entry a page, following `next` until it is absent, visits each once, newest first.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const body = await search(`?kind=identity.created&${since}&limit=1${cursor ? `&before=${cursor}` : ""}`);
      expect(body.entries.length).toBeLessThanOrEqual(1);
      seen.push(...body.entries.map((e) => e.playerId ?? ""));
      cursor = body.next;
      if (!cursor) break;
    }
    expect(seen).toEqual([p2, p1]);

    // Reading the audit log is itself recorded, with the operator and the filters.
    await node.audit.flush();
    const views = await search(`?kind=admin.view_audit&playerId=${operator.id}&${since}`);
    expect(views.entries.length).toBeGreaterThan(5);
    expect(views.entries).toContainEqual(expect.objectContaining({ detail: { gameId: "abcd1234", kind: "game.takeover" } }));

    for (const bad of [
      "?kind=nope",
      "?playerId=x",
      "?from=yesterday",
      "?limit=100000",
      "?gameId=DROP%20TABLE",
      "?before=1;--",
      "?sql=1",
    ]) {
      const r = await admin<{ error: { code: string } }>(`/audit${bad}`, operator.token);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe("BAD_REQUEST");
    }
  });
});
