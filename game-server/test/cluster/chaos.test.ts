/**
 * Chaos: robots play 50 concurrent games on a 3-node cluster; one node is
 * killed with SIGKILL mid-run. Every move any player saw acknowledged must be
 * in the database exactly once, every game of the dead node must resume on a
 * survivor and be played to a result, and the time from the kill to the first
 * accepted move of each resumed game is reported.
 */
import { Client } from "@colyseus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../support/db.ts";
import { newPlayer, type Player, quickPlay } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { percentile, Robot } from "../support/robot.ts";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({
    nodes: 3,
    env: { LEASE_TTL_MS: "1500", TAKEOVER_INTERVAL_MS: "250", RECONNECT_WINDOW_S: "30" },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

async function player(i: number): Promise<Player> {
  const p = await newPlayer(cluster.nodes[i % cluster.nodes.length].url, `chaos-${i}`);
  p.sdk = new Client(cluster.url);
  p.sdk.auth.token = p.token;
  return p;
}

describe("chaos", () => {
  it("kill -9 a node under load: nothing acknowledged is lost and its games finish elsewhere", async () => {
    const GAMES = Number(process.env.CHAOS_GAMES ?? 50);
    const players = await Promise.all(Array.from({ length: GAMES * 2 }, (_, i) => player(i)));
    const gameIds = await Promise.all(players.map((p) => quickPlay(p, "connect4", "3+5")));
    const games = [...new Set(gameIds)];
    expect(games).toHaveLength(GAMES);
    const debug = (...a: unknown[]) => process.env.CHAOS_DEBUG && console.log("[chaos]", ...a);
    debug("paired", games.length);
    const robots = players.map((p, i) => new Robot(p, gameIds[i], 120));
    const runs = robots.map((r) => r.run(120_000));

    // Let the games get going, then kill the node hosting the most of them.
    await new Promise((r) => setTimeout(r, 1500));
    const owners = await query<{ ownerNode: string; n: string }>(
      cluster.databaseUrl,
      `SELECT "ownerNode", count(*)::text AS n FROM "Game" WHERE id = ANY($1) AND status = 'active' GROUP BY 1 ORDER BY 2 DESC`,
      [games],
    );
    const victimId = owners[0].ownerNode;
    const victimGames = (
      await query<{ id: string }>(
        cluster.databaseUrl,
        `SELECT id FROM "Game" WHERE id = ANY($1) AND status = 'active' AND "ownerNode" = $2`,
        [games, victimId],
      )
    ).map((r) => r.id);
    expect(victimGames.length).toBeGreaterThan(0);
    const victim = cluster.nodes.find((n) => n.id === victimId)!;
    const killedAt = Date.now();
    debug("killing", victimId, "hosting", victimGames.length, "moves so far", robots.map((r) => r.acked.size).join(","));
    victim.process.child.kill("SIGKILL");

    const results = await Promise.all(runs);
    expect(results.every((s) => s === "finished")).toBe(true);

    // The checker: what players saw acknowledged vs the move log.
    const rows = await query<{ gameId: string; ply: number; move: string }>(
      cluster.databaseUrl,
      `SELECT "gameId", ply, move FROM "Move" WHERE "gameId" = ANY($1) ORDER BY "gameId", ply`,
      [games],
    );
    const log = new Map<string, string[]>();
    for (const r of rows) log.set(r.gameId, [...(log.get(r.gameId) ?? []), r.move]);
    for (const [gi, g] of games.entries()) {
      const moves = log.get(g) ?? [];
      for (const robot of robots.filter((_, i) => gameIds[i] === g)) {
        for (const [ply, move] of robot.acked) expect(moves[ply], `game ${g} (#${gi}) ply ${ply}`).toBe(move);
      }
      const plies = rows.filter((r) => r.gameId === g).map((r) => r.ply);
      expect(plies).toEqual(plies.map((_, i) => i)); // each ply exactly once, no gaps
    }
    const finished = await query<{ n: string }>(
      cluster.databaseUrl,
      `SELECT count(*)::text AS n FROM "Game" WHERE id = ANY($1) AND status = 'finished'`,
      [games],
    );
    expect(finished[0].n).toBe(String(GAMES));
    const moved = await query<{ id: string; ownerNode: string }>(
      cluster.databaseUrl,
      `SELECT id, "ownerNode" FROM "Game" WHERE id = ANY($1)`,
      [victimGames],
    );
    expect(moved.every((g) => g.ownerNode !== victimId)).toBe(true);

    // Resume time: kill → first move accepted in each of the victim's games (as its players saw it).
    const resume = victimGames
      .map((g) => {
        const times = robots.filter((_, i) => gameIds[i] === g).flatMap((r) => r.movedAt.filter((t) => t > killedAt));
        return times.length ? Math.min(...times) - killedAt : Number.NaN;
      })
      .filter((x) => !Number.isNaN(x));
    const report = {
      games: GAMES,
      killedNode: victimId,
      gamesOnKilledNode: victimGames.length,
      resumedAndFinished: victimGames.length,
      resumeMs: { p50: percentile(resume, 50), p95: percentile(resume, 95), max: Math.max(...resume) },
      rejoins: robots.reduce((n, r) => n + r.rejoins, 0),
    };
    console.log(`chaos report: ${JSON.stringify(report)}`);
    expect(resume.length).toBeGreaterThan(0);
    expect(robots.flatMap((r) => r.errors)).toEqual([]);
  });
});
