/**
 * Failover beyond a clean kill: a node that stalls past its lease and wakes up
 * (it must never write again), a rolling restart of every node, Redis
 * restarted mid-run, and PostgreSQL stopped for a few seconds mid-run. In each
 * case robots keep playing; no acknowledged move is lost and every game ends.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type PostgresHandle, silentSink, startEmbeddedPostgresProcess } from "../../../compose/processes.ts";
import { http, newPlayer, type Player, quickPlay } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { Robot } from "../support/robot.ts";

const ENV = { LEASE_TTL_MS: "1500", TAKEOVER_INTERVAL_MS: "250", RECONNECT_WINDOW_S: "30" };
let cluster: Cluster;
let pg: PostgresHandle;
let pgDir: string;
let pgPort: number;

beforeAll(async () => {
  // A PostgreSQL of its own: one test stops it.
  pgDir = mkdtempSync(join(tmpdir(), "tabula-failover-pg-"));
  pgPort = await freePort();
  pg = await startEmbeddedPostgresProcess({ dataDir: pgDir, port: pgPort, output: silentSink });
  cluster = await startCluster({ nodes: 3, env: ENV, databaseUrl: pg.url });
});
afterAll(async () => {
  await cluster?.stop();
  await pg?.stop();
  rmSync(pgDir, { recursive: true, force: true });
});

async function player(i: number, tag: string): Promise<Player> {
  const p = await newPlayer(cluster.nodes[i % cluster.nodes.length].url, `${tag}-${i}`);
  p.sdk = new Client(cluster.url);
  p.sdk.auth.token = p.token;
  return p;
}

/** `n` games of robots; resolves once paired, with their runs in flight. */
async function games(n: number, tag: string, thinkMs = 150) {
  const players = await Promise.all(Array.from({ length: n * 2 }, (_, i) => player(i, tag)));
  const gameIds = await Promise.all(players.map((p) => quickPlay(p, "connect4", "3+5")));
  const robots = players.map((p, i) => new Robot(p, gameIds[i], thinkMs));
  return { gameIds: [...new Set(gameIds)], robots, byGame: gameIds, runs: robots.map((r) => r.run(120_000)) };
}

/** Every move a robot saw acknowledged is in the log, plies are contiguous, every game finished. */
async function check(g: Awaited<ReturnType<typeof games>>) {
  const results = await Promise.all(g.runs);
  expect(results.every((s) => s === "finished")).toBe(true);
  const rows = await query<{ gameId: string; ply: number; move: string }>(
    pg.url,
    `SELECT "gameId", ply, move FROM "Move" WHERE "gameId" = ANY($1) ORDER BY "gameId", ply`,
    [g.gameIds],
  );
  for (const id of g.gameIds) {
    const mine = rows.filter((r) => r.gameId === id);
    expect(mine.map((r) => r.ply)).toEqual(mine.map((_, i) => i));
    for (const robot of g.robots.filter((_, i) => g.byGame[i] === id)) {
      for (const [ply, move] of robot.acked) expect(mine[ply]?.move, `${id} ply ${ply}`).toBe(move);
    }
  }
  expect(g.robots.flatMap((r) => r.errors).filter((e) => e !== "UNAVAILABLE")).toEqual([]);
}

const ownerOf = async (id: string) =>
  (
    await query<{ ownerNode: string; leaseToken: string }>(
      pg.url,
      `SELECT "ownerNode", "leaseToken"::text FROM "Game" WHERE id = $1`,
      [id],
    )
  )[0];

describe("failover", () => {
  it("a node stalled past its lease (SIGSTOP) is replaced, and after SIGCONT it writes nothing more", async () => {
    const g = await games(4, "stall");
    await new Promise((r) => setTimeout(r, 800));
    const before = await ownerOf(g.gameIds[0]);
    const node = cluster.nodes.find((n) => n.id === before.ownerNode)!;
    const stalledGames = (
      await query<{ id: string }>(pg.url, `SELECT id FROM "Game" WHERE id = ANY($1) AND "ownerNode" = $2 AND status = 'active'`, [
        g.gameIds,
        node.id,
      ])
    ).map((r) => r.id);
    process.kill(node.process.pid!, "SIGSTOP");
    // Another node takes the game over: new owner, new fencing token.
    const deadline = Date.now() + 10_000;
    let after = await ownerOf(g.gameIds[0]);
    while (after.ownerNode === node.id && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await ownerOf(g.gameIds[0]);
    }
    expect(after.ownerNode).not.toBe(node.id);
    expect(BigInt(after.leaseToken)).toBeGreaterThan(BigInt(before.leaseToken));
    const movesBeforeWake = await query<{ n: string }>(
      pg.url,
      `SELECT count(*)::text AS n FROM "Move" WHERE "gameId" = ANY($1)`,
      [stalledGames],
    );
    // The games taken over while the node slept (others may not have been yet: those it simply keeps).
    const takenOver: string[] = [];
    for (const id of stalledGames) if ((await ownerOf(id)).ownerNode !== node.id) takenOver.push(id);
    expect(takenOver).toContain(g.gameIds[0]);
    process.kill(node.process.pid!, "SIGCONT");
    await check(g);
    // The revived node gave those games up instead of writing: its log says so, and their owners stayed elsewhere.
    await new Promise((r) => setTimeout(r, 500));
    expect(node.process.output()).toMatch(/lease lost|fenced out/);
    for (const id of takenOver) expect((await ownerOf(id)).ownerNode).not.toBe(node.id);
    expect(Number(movesBeforeWake[0].n)).toBeGreaterThan(0);
  });

  it("a rolling restart of every node (SIGTERM) loses no game", async () => {
    const g = await games(6, "roll", 200);
    for (const id of cluster.nodes.map((n) => n.id)) {
      await new Promise((r) => setTimeout(r, 700));
      await cluster.restartNode(id);
    }
    await check(g);
  });

  it("Redis restarted mid-run: running games keep accepting moves, matchmaking fails fast, everything recovers", async () => {
    const g = await games(4, "redis", 150);
    await new Promise((r) => setTimeout(r, 600));
    const outage = cluster.restartRedis(3000);
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const plyBefore = Math.max(...g.robots.map((r) => r.acked.size)); // Redis has been down for a while now
      // During the outage: quick play answers at once with a clear error.
      const p = await newPlayer(cluster.nodes[0].url);
      const t0 = Date.now();
      const q = await http<{ error: { code: string } }>(cluster.nodes[0].url, "POST", "/api/matchmaking/quick", p.token, {
        game: "chess",
      });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(q.status).toBe(503);
      expect(q.body.error.code).toBe("UNAVAILABLE");
      // …while the running games go on: some robot sees a newer move before Redis is back.
      const moved = () => Math.max(...g.robots.map((r) => r.acked.size)) > plyBefore;
      for (let i = 0; i < 20 && !moved(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(moved()).toBe(true);
    } finally {
      await outage;
    }
    await check(g);
    // And matchmaking is back.
    const a = await player(100, "after");
    const b = await player(101, "after");
    const [ga, gb] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    expect(ga).toBe(gb);
    for (const n of cluster.nodes) expect((await http(n.url, "GET", "/healthz")).status).toBe(200);
  });

  it("PostgreSQL stopped for a few seconds: moves are refused as UNAVAILABLE, never acknowledged, and play resumes", async () => {
    const g = await games(4, "pg", 150);
    await new Promise((r) => setTimeout(r, 600));
    await pg.stop();
    await new Promise((r) => setTimeout(r, 3000));
    pg = await startEmbeddedPostgresProcess({ dataDir: pgDir, port: pgPort, output: silentSink });
    await check(g);
    // The outage was felt: moves sent meanwhile were refused with UNAVAILABLE (and resent later), not acknowledged.
    expect(g.robots.some((r) => r.errors.includes("UNAVAILABLE"))).toBe(true);
    for (const n of cluster.nodes) expect((await http(n.url, "GET", "/healthz")).status).toBe(200);
  });
});
