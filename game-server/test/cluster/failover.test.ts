/**
 * Failover beyond a clean kill: a node that stalls past its lease and wakes up
 * (it must never write again), a rolling restart of every node, Redis down
 * mid-run, and PostgreSQL stopped for a few seconds mid-run. In each case
 * robots keep playing; no acknowledged move is lost and every game ends.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresHandle, redisAnswers, silentSink, startEmbeddedPostgresProcess } from "../../../compose/processes.ts";
import { http, newPlayer, quickPlay } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { checkNothingLost, clusterPlayer, playGames, type RobotGames } from "./robots.ts";

const ENV = {
  LEASE_TTL_MS: "1500",
  TAKEOVER_INTERVAL_MS: "250",
  RECONNECT_WINDOW_S: "30",
  ...(process.env.RECOVERY_DEBUG ? { LOG_LEVEL: "info" } : {}),
};
/** A robot gives up (its run rejects, saying where it was) after this: before the test's own time limit. */
const RUN_MS = 90_000;
let cluster: Cluster;
let pg: PostgresHandle;
let pgDir: string;

beforeAll(async () => {
  // A PostgreSQL of its own: one test stops it.
  pgDir = mkdtempSync(join(tmpdir(), "tabula-failover-pg-"));
  chmodSync(pgDir, 0o755); // postgres (its own user when we are root) must reach the folder inside
  // Inside pgDir, so that its tablespaces (made beside the data directory) are removed with it.
  pg = await startEmbeddedPostgresProcess({ dataDir: join(pgDir, "data"), output: silentSink });
  cluster = await startCluster({ nodes: 3, env: ENV, databaseUrl: pg.url });
});
afterAll(async () => {
  await cluster?.stop();
  await pg?.stop();
  rmSync(pgDir, { recursive: true, force: true });
});

/** Resolves once `cond` holds (checked every 50 ms); throws naming `what` after `ms`. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every game has had at least `n` moves acknowledged (the games are under way). */
const underway = (g: RobotGames, n = 2) => until(() => g.robots.every((r) => r.acked.size >= n), `${n} moves in every game`);

/** Every robot's run ended with its game finished, and nothing acknowledged is missing from the log. */
async function check(g: RobotGames, allowed: string[] = []) {
  const results = await Promise.all(g.runs);
  expect(results.every((s) => s === "finished")).toBe(true);
  await checkNothingLost(pg.url, g, allowed);
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
    const g = await playGames(cluster, 4, "stall", 150, RUN_MS);
    await underway(g);
    const before = await ownerOf(g.gameIds[0]);
    const node = cluster.nodes.find((n) => n.id === before.ownerNode)!;
    const stalledGames = (
      await query<{ id: string }>(pg.url, `SELECT id FROM "Game" WHERE id = ANY($1) AND "ownerNode" = $2 AND status = 'active'`, [
        g.gameIds,
        node.id,
      ])
    ).map((r) => r.id);
    process.kill(node.process.pid, "SIGSTOP");
    const takenOver: string[] = [];
    try {
      // Another node takes the game over: new owner, new fencing token.
      await until(async () => (await ownerOf(g.gameIds[0])).ownerNode !== node.id, "a new owner", 10_000);
      const after = await ownerOf(g.gameIds[0]);
      expect(BigInt(after.leaseToken)).toBeGreaterThan(BigInt(before.leaseToken));
      // The games taken over while the node slept (others may not have been yet: those it simply keeps).
      for (const id of stalledGames) if ((await ownerOf(id)).ownerNode !== node.id) takenOver.push(id);
      expect(takenOver).toContain(g.gameIds[0]);
    } finally {
      process.kill(node.process.pid, "SIGCONT");
    }
    // The revived node gives those games up instead of writing: its log says so, and their owners stay elsewhere.
    await until(() => /lease lost|fenced out/.test(node.process.output()), "the revived node to give its games up");
    await check(g);
    for (const id of takenOver) expect((await ownerOf(id)).ownerNode).not.toBe(node.id);
    // Robots that joined a room the revived node kept after losing the game (it answers pings but
    // serves nothing) get out by themselves (Robot.stuckAt); how many did is worth seeing.
    console.log(`stall+wake: quiet-room rejoins ${g.robots.reduce((n, r) => n + r.stuckAt.length, 0)}`);
  });

  it("a rolling restart of every node (SIGTERM) loses no game", async () => {
    // Slow robots: games long enough to be in flight across the restarts.
    const g = await playGames(cluster, 6, "roll", 400, RUN_MS);
    await underway(g, 1);
    const moves = () => g.robots.reduce((n, r) => n + r.acked.size, 0);
    const over = () => g.robots.every((r) => r.status !== "active");
    let restartsUnderPlay = 0;
    for (const id of cluster.nodes.map((n) => n.id)) {
      const before = moves();
      await until(() => moves() > before || over(), "a move since the last restart");
      if (!over()) restartsUnderPlay++;
      await cluster.restartNode(id);
    }
    await check(g);
    expect(restartsUnderPlay).toBeGreaterThanOrEqual(2);
  });

  it("Redis down mid-run: running games keep accepting moves, matchmaking fails fast, everything recovers", async () => {
    const g = await playGames(cluster, 4, "redis", 150, RUN_MS);
    await underway(g);
    await cluster.stopRedis();
    try {
      const plyBefore = Math.max(...g.robots.map((r) => r.acked.size));
      // During the outage: quick play answers at once with a clear error.
      const p = await newPlayer(cluster.nodes[0].url);
      const t0 = Date.now();
      const q = await http<{ error: { code: string } }>(cluster.nodes[0].url, "POST", "/api/matchmaking/quick", p.token, {
        game: "chess",
      });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(q.status).toBe(503);
      expect(q.body.error.code).toBe("UNAVAILABLE");
      // …while the running games go on: some robot sees a newer move…
      await until(() => Math.max(...g.robots.map((r) => r.acked.size)) > plyBefore, "a move while Redis is down", 5_000);
      // …and Redis was down all along (it is started again only below).
      expect(await redisAnswers(cluster.redis.url)).toBe(false);
      // Longer than ioredis' 20 reconnection attempts (~10.5 s), after which the Redis calls Colyseus queued
      // meanwhile (the room count saved at every leave, a listing removed as a game's room closes) reject,
      // unhandled: the nodes must live through it (game-server/src/faults.ts).
      await new Promise((r) => setTimeout(r, Math.max(0, 14_000 - (Date.now() - t0))));
      for (const n of cluster.nodes) expect(n.process.hasExited(), `node ${n.id} exited during the outage`).toBe(false);
      expect(await redisAnswers(cluster.redis.url)).toBe(false);
    } finally {
      await cluster.startRedis();
    }
    await check(g);
    // And matchmaking is back, within 10 s (ioredis backs off up to 2 s between attempts after a long outage).
    const back = Date.now();
    const probe = await clusterPlayer(cluster, 99, "after");
    await until(async () => {
      const r = await http(cluster.nodes[0].url, "POST", "/api/matchmaking/quick", probe.token, { game: "chess" });
      return r.status === 200;
    }, "matchmaking to answer again");
    expect(Date.now() - back).toBeLessThan(10_000);
    const a = await clusterPlayer(cluster, 100, "after");
    const b = await clusterPlayer(cluster, 101, "after");
    const [ga, gb] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    expect(ga).toBe(gb);
    for (const n of cluster.nodes) expect((await http(n.url, "GET", "/healthz")).status).toBe(200);
  });

  it("PostgreSQL stopped for a few seconds: moves are refused as UNAVAILABLE, never acknowledged, and play resumes", async () => {
    const g = await playGames(cluster, 4, "pg", 150, RUN_MS);
    await underway(g);
    const port = pg.port;
    await pg.stop();
    // Down until some robot has had a move refused (so the outage was felt), at most 10 s.
    await until(() => g.robots.some((r) => r.errors.includes("UNAVAILABLE")), "a move refused as UNAVAILABLE").finally(
      async () => {
        pg = await startEmbeddedPostgresProcess({ dataDir: join(pgDir, "data"), port, output: silentSink });
      },
    );
    await check(g, ["UNAVAILABLE"]);
    for (const n of cluster.nodes) expect((await http(n.url, "GET", "/healthz")).status).toBe(200);
  });
});
