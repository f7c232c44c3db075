/**
 * The audit log on a real node and a real PostgreSQL: what players, attackers
 * and the cluster do ends up as rows of "AuditEvent" (a guest created, a login,
 * a refused token, a join without a ticket, rate-limit cut-offs over HTTP and
 * over a room socket, a fenced-out write, a takeover, node start and stop),
 * floods as one row per client and window; searchAudit finds them by time,
 * kind, player and game, a page at a time; and a PostgreSQL outage costs no
 * event and no crash: they are written when it is back.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { WebSocket } from "ws";
import { freePort } from "../../../compose/processes.ts";
import { searchAudit } from "../../src/audit/search.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../../src/db/embedded.ts";
import { createLogger } from "../../src/log.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

const GUEST_LIMIT = 20;
let node: TestNode;
/** Nodes started as processes, killed at the end whatever happened. */
const running: NodeProcess[] = [];

beforeAll(async () => {
  node = await startTestNode({ GUEST_RATE_PER_MIN: String(GUEST_LIMIT), MAX_MESSAGES_PER_SECOND: "20" });
});
afterAll(async () => {
  for (const n of running) n.child.kill("SIGKILL");
  await node?.stop();
});

interface AuditRow extends Record<string, unknown> {
  kind: string;
  nodeId: string | null;
  playerId: string | null;
  gameId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

/** The rows of `kind` matching `where` (SQL on AuditEvent, parameters from $2), oldest first. */
function rows(url: string, kind: string, where = "true", params: unknown[] = []): Promise<AuditRow[]> {
  return query<AuditRow>(
    url,
    `SELECT kind, "nodeId", "playerId"::text AS "playerId", "gameId", ip, detail, to_json(at) #>> '{}' AS at FROM "AuditEvent"
     WHERE kind = $1 AND (${where}) ORDER BY at, id`,
    [kind, ...params],
  );
}

/** Poll `read` until `done` holds for its result (the writer batches every 250 ms), or fail after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `fetch` as a client at `ip` (the node trusts X-Forwarded-For from loopback, as from nginx: TRUST_PROXY). */
function fetchAs(ip: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${node.url}${path}`, { ...init, headers: { ...init.headers, "x-forwarded-for": ip } });
}

describe("audit events at their sources", () => {
  it("node start, a guest created, and a login once per player however often the client checks in", async () => {
    const [start] = await eventually(
      () => rows(node.databaseUrl, "node.start"),
      (r) => r.length === 1,
      "node.start",
    );
    expect(start).toMatchObject({ nodeId: "n1", detail: { transport: "ws" } });

    const p = await newPlayer(node.url, "Audited");
    for (let i = 0; i < 3; i++) {
      const me = await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${p.token}` } });
      expect(me.status).toBe(200);
    }
    const [created] = await eventually(
      () => rows(node.databaseUrl, "identity.created", `"playerId" = $2`, [p.id]),
      (r) => r.length === 1,
      "identity.created",
    );
    expect(created).toMatchObject({
      nodeId: "n1",
      playerId: p.id,
      ip: expect.stringMatching(/127\.0\.0\.1/),
      detail: { name: "Audited" },
    });
    await node.audit.flush();
    const logins = await rows(node.databaseUrl, "login", `"playerId" = $2`, [p.id]);
    expect(logins).toEqual([expect.objectContaining({ playerId: p.id, detail: { name: "Audited" } })]);
  });

  it("invalid identity tokens: one row per client per window, whatever the number of attempts, at the API and at a reservation", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await fetchAs("10.7.7.7", "/api/me", { headers: { authorization: "Bearer not.a.token" } });
      expect(r.status).toBe(401);
    }
    const [a, b] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const reservation = await fetchAs("10.7.7.8", `/matchmake/joinById/${gameId}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer not.a.token" },
      body: "{}",
    });
    expect(reservation.status).toBe(401);
    const api = await eventually(
      () => rows(node.databaseUrl, "token.refused", "ip = $2", ["10.7.7.7"]),
      (r) => r.length > 0,
      "token.refused at the API",
    );
    await node.audit.flush();
    expect(await rows(node.databaseUrl, "token.refused", "ip = $2", ["10.7.7.7"])).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ where: "api", count: 1 }) }),
    ]);
    expect(api[0].detail.reason).toEqual(expect.any(String));
    const [reserved] = await eventually(
      () => rows(node.databaseUrl, "token.refused", "ip = $2", ["10.7.7.8"]),
      (r) => r.length === 1,
      "token.refused at a reservation",
    );
    expect(reserved.detail).toMatchObject({ where: "reservation", count: 1 });
  });

  it("a room socket without a join ticket is refused (4400) and recorded", async () => {
    const [a, b] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const close = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${node.url.replace(/^http/, "ws")}/anyprocess/${gameId}`, {
        headers: { "x-forwarded-for": "10.6.6.6" },
      });
      ws.on("close", (code) => resolve(code));
    });
    expect(close).toBe(4400);
    const [refused] = await eventually(
      () => rows(node.databaseUrl, "join.refused", "ip = $2", ["10.6.6.6"]),
      (r) => r.length === 1,
      "join.refused",
    );
    expect(refused).toMatchObject({ gameId, detail: { close: 4400, count: 1 } });
  });

  it("an HTTP rate-limit cut-off: the first refusal at once, the repeats as one count when the window closes", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < GUEST_LIMIT + 10; i++) {
      const r = await fetchAs("10.5.5.5", "/api/guest", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const [cut] = await eventually(
      () => rows(node.databaseUrl, "ratelimit.cutoff", "ip = $2", ["10.5.5.5"]),
      (r) => r.length === 1,
      "ratelimit.cutoff",
    );
    expect(cut.detail).toEqual({ limiter: "guest", count: 1 });
    // The other 9 are counted, not written one by one: they come as one row when the window closes (here: at stop).
    await node.audit.flush();
    expect(await rows(node.databaseUrl, "ratelimit.cutoff", "ip = $2", ["10.5.5.5"])).toHaveLength(1);
  });

  it("a client flooding room messages is cut off and recorded with its player and game", async () => {
    const [a, b, c] = await Promise.all([newPlayer(node.url), newPlayer(node.url), newPlayer(node.url)]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const flood = await Seat.join(c, gameId, { spectate: true });
    const closed = new Promise<number>((resolve) => flood.room.onLeave((code) => resolve(code)));
    for (let i = 0; i < 200; i++) flood.room.send("sync", {});
    expect(await closed).toBe(4002);
    const [cut] = await eventually(
      () => rows(node.databaseUrl, "ratelimit.cutoff", `"playerId" = $2`, [c.id]),
      (r) => r.length === 1,
      "the flood's ratelimit.cutoff",
    );
    expect(cut).toMatchObject({ gameId, detail: { limiter: "messages", count: 1 } });
  });

  it("a write fenced out by another node's token is recorded, and the game is given up", async () => {
    const [a, b] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
    const mover = sa.seat === 0 ? sa : sb;
    // Another node took the game over meanwhile: the fencing token moved on.
    await query(node.databaseUrl, `UPDATE "Game" SET "leaseToken" = "leaseToken" + 1, "ownerNode" = 'n9' WHERE id = $1`, [
      gameId,
    ]);
    mover.room.send("move", { ply: 0, move: "3" });
    await mover.until((s) => s.errors.some((e) => e.code === "GAME_MOVED"), "GAME_MOVED");
    const [fenced] = await eventually(
      () => rows(node.databaseUrl, "write.fenced", `"gameId" = $2`, [gameId]),
      (r) => r.length === 1,
      "write.fenced",
    );
    expect(fenced).toMatchObject({ nodeId: "n1", gameId, detail: { reason: expect.any(String) } });
  });
});

describe("takeover and node stop", () => {
  it("a node stopped with a live game records node.stop; the node that rebuilds the game records game.takeover", async () => {
    // Separate processes: Colyseus' matchmaker is one per process, so a second node cannot share this one.
    const databaseUrl = await createTestDatabase();
    const first = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "a1" });
    running.push(first);
    const [a, b] = await Promise.all([newPlayer(first.url), newPlayer(first.url)]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    // Written before the node let its database go.
    expect(await rows(databaseUrl, "node.stop", `"nodeId" = 'a1'`)).toEqual([
      expect.objectContaining({ detail: { reason: "SIGTERM" } }),
    ]);
    running.push(await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "a2" }));
    const [taken] = await eventually(
      () => rows(databaseUrl, "game.takeover", `"gameId" = $2`, [gameId]),
      (r) => r.length === 1,
      "game.takeover",
    );
    expect(taken).toMatchObject({ nodeId: "a2", detail: { why: expect.any(String) } });
  });
});

describe("searchAudit", () => {
  // In a month that has a partition (this one and the next three are made by the migration): tomorrow.
  const base = Date.now() + 86_400_000;
  const player = randomUUID();
  const other = randomUUID();
  const kind = `admin.search_${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    const values: unknown[] = [];
    const tuples: string[] = [];
    const add = (minutes: number, k: string, playerId: string | null, gameId: string | null) => {
      values.push(new Date(base + minutes * 60_000).toISOString(), k, playerId, gameId);
      const i = values.length;
      tuples.push(`($${i - 3}::timestamptz, $${i - 2}, 'n1', $${i - 1}::uuid, $${i}, '{"n": ${minutes}}')`);
    };
    for (let m = 0; m < 6; m++) add(m, kind, m % 2 === 0 ? player : other, m < 3 ? "srchgame1" : "srchgame2");
    // Two at the very same millisecond: the cursor must tell them apart by id.
    add(10, kind, player, null);
    add(10, kind, player, null);
    add(3, "login", player, null);
    await query(
      node.databaseUrl,
      `INSERT INTO "AuditEvent" (at, kind, "nodeId", "playerId", "gameId", detail) VALUES ${tuples.join(", ")}`,
      values,
    );
  });

  const minutesOf = (entries: Array<{ detail: Record<string, unknown> }>) => entries.map((e) => e.detail.n);

  it("filters by kind, newest first", async () => {
    const page = await searchAudit(node.db, { kind });
    expect(minutesOf(page.entries)).toEqual([10, 10, 5, 4, 3, 2, 1, 0]);
    expect(page.next).toBeUndefined();
    expect(page.entries[0]).toMatchObject({ kind, nodeId: "n1", playerId: player, gameId: null, ip: null });
    expect(page.entries[0].at).toBe(new Date(base + 600_000).toISOString());
  });

  it("filters by time, player and game, each and together", async () => {
    const at = (m: number) => new Date(base + m * 60_000).toISOString();
    expect(minutesOf((await searchAudit(node.db, { kind, from: at(1), to: at(4) })).entries)).toEqual([4, 3, 2, 1]);
    expect(minutesOf((await searchAudit(node.db, { playerId: other })).entries)).toEqual([5, 3, 1]);
    expect(minutesOf((await searchAudit(node.db, { gameId: "srchgame1" })).entries)).toEqual([2, 1, 0]);
    expect(minutesOf((await searchAudit(node.db, { playerId: player, gameId: "srchgame2" })).entries)).toEqual([4]);
    const logins = await searchAudit(node.db, { playerId: player, kind: "login" });
    expect(logins.entries.map((e) => e.kind)).toEqual(["login"]);
  });

  it("pages with `before`: every entry once, in order, even two at the same millisecond", async () => {
    const seen: string[] = [];
    const ns: unknown[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await searchAudit(node.db, { kind, limit: 3, before });
      seen.push(...page.entries.map((e) => e.id));
      ns.push(...minutesOf(page.entries));
      before = page.next;
      pages++;
    } while (before && pages < 10);
    expect(pages).toBe(3);
    expect(ns).toEqual([10, 10, 5, 4, 3, 2, 1, 0]);
    expect(new Set(seen).size).toBe(8);
  });

  it("finds an admin action recorded through the node's audit log", async () => {
    node.audit.record({ kind: "admin.audit_test", playerId: player, detail: { what: "looked" } });
    // A string PostgreSQL's jsonb would refuse (a NUL, a lone surrogate) is cleaned, not the whole batch lost.
    node.audit.record({ kind: "admin.audit_test", playerId: player, detail: { what: "od\0d\ud800" } });
    await node.audit.flush();
    const page = await searchAudit(node.db, { kind: "admin.audit_test", playerId: player });
    expect(page.entries.map((e) => e.detail)).toEqual([{ what: "odd\ufffd" }, { what: "looked" }]);
  });
});

describe("PostgreSQL down, then back", () => {
  const dir = mkdtempSync(join(tmpdir(), "tabula-audit-pg-"));
  chmodSync(dir, 0o755); // postgres (its own user when we are root) must reach the folder inside
  // Inside `dir`, so that its tablespaces (made beside the data directory) go with it.
  const dataDir = join(dir, "data");
  const pgLog = createLogger({ level: "silent", json: true, nodeId: "pg" });
  let pg: EmbeddedDatabase | undefined;
  afterAll(async () => {
    await pg?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("events recorded during the outage are written when it returns, and the node never stops serving", async () => {
    // A PostgreSQL of its own, to stop and start again, and the node in its own process (see above).
    const port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir, port, log: pgLog });
    const url = pg.url;
    const own = await spawnNode({ DATABASE_URL: url, NODE_ID: "d1" });
    running.push(own);
    onTestFailed(() => console.log(`node d1's output:\n${own.output()}`));
    await eventually(
      () => rows(url, "node.start"),
      (r) => r.length === 1,
      "node.start",
    );
    await pg.stop();
    pg = undefined;
    // Refused tokens from ten clients while PostgreSQL is down (the signature check needs no database).
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${own.url}/api/me`, {
        headers: { authorization: "Bearer not.a.token", "x-forwarded-for": `10.4.4.${i}` },
      });
      expect(r.status).toBe(401);
    }
    // The writer meets the outage (and retries) before PostgreSQL comes back.
    await eventually(
      async () => own.output(),
      (out) => out.includes("audit log cannot reach PostgreSQL"),
      "the writer to meet the outage",
    );
    const backAt = Date.now();
    pg = await startEmbeddedPostgres({ dataDir, port, log: pgLog });
    const written = await eventually(
      () => rows(url, "token.refused", "ip LIKE '10.4.4.%'").catch(() => []),
      (r) => r.length === 10,
      "the buffered events after PostgreSQL came back",
      20_000,
    );
    expect(written.map((r) => r.ip).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `10.4.4.${i}`).sort());
    // Recorded when they happened, during the outage, not when they were written.
    for (const r of written) expect(Date.parse(r.at as string)).toBeLessThan(backAt);
    expect(own.child.exitCode).toBeNull();
    expect((await fetch(`${own.url}/healthz`)).status).toBe(200);
  });
});
