/**
 * Chaos: robots play 50 concurrent games on a 3-node cluster; the node hosting
 * the most of them is killed with SIGKILL mid-run. Every move any player saw
 * acknowledged must be in the database exactly once, every game of the dead
 * node must resume on a survivor (a move acknowledged after the kill, or its
 * end recorded after it) and be played to a result, and the time from the
 * kill to each resumed game's first accepted move is reported. The game leases
 * last 60 s here, far longer than the test waits: every game must resume
 * before its lease could have expired, i.e. through the fast paths (the dead
 * node's closed Redis connection, seen by the survivors' dead-node sweep and by
 * the rejoins; cluster/takeover.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import {
  busiestNode,
  checkNothingLost,
  GAME_LEASE_MS,
  playGames,
  recoveryTimeline,
  resumedAfter,
  spread,
  startRecoveryCluster,
} from "./robots.ts";

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startRecoveryCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describe("chaos", () => {
  it("kill -9 a node under load: nothing acknowledged is lost and its games finish elsewhere", async () => {
    const GAMES = Number(process.env.CHAOS_GAMES ?? 50);
    const g = await playGames(cluster, GAMES, "chaos", 120);

    // Let the games get going, then kill the node hosting the most of them.
    await new Promise((r) => setTimeout(r, 1500));
    const { nodeId: victimId, games: victimGames } = await busiestNode(cluster.databaseUrl, g.gameIds);
    expect(victimGames.length).toBeGreaterThan(0);
    const victim = cluster.nodes.find((n) => n.id === victimId)!;
    const killedAt = Date.now();
    victim.process.child.kill("SIGKILL");

    // Every run ends: a robot gives up (throws) after 120 s.
    const results = await Promise.all(g.runs);
    const rows = await query<{ id: string; status: string; ownerNode: string; resultReason: string }>(
      cluster.databaseUrl,
      `SELECT id, status, "ownerNode", "resultReason" FROM "Game" WHERE id = ANY($1)`,
      [g.gameIds],
    );
    const victimRows = rows.filter((r) => victimGames.includes(r.id));

    // Every game of the dead node resumed: a move acknowledged after the kill, or its end seen after it.
    const resumed = resumedAfter(g, victimGames, killedAt);
    const times = [...resumed.values()].filter((t): t is number => t !== null);
    const report = {
      games: GAMES,
      killedNode: victimId,
      gamesOnKilledNode: victimGames.length,
      resumedAndFinished: victimRows.filter((r) => r.status === "finished" && resumed.get(r.id) !== null).length,
      resumeMs: spread(times),
      rejoins: g.robots.reduce((n, r) => n + r.rejoins, 0),
      /** Robots that left a room which went quiet about the game (see Robot.stuckAt): expected 0. */
      quietRoomRejoins: g.robots.reduce((n, r) => n + r.stuckAt.length, 0),
    };
    console.log(`chaos report: ${JSON.stringify(report)}`);
    if (process.env.RECOVERY_DEBUG)
      for (const l of recoveryTimeline(cluster, g, victimGames, killedAt)) console.log(`chaos ${l}`);
    expect(
      victimGames.filter((id) => resumed.get(id) === null),
      "games of the killed node with no move nor end seen after the kill",
    ).toEqual([]);
    // Before any of their leases could have run out: the fast paths did it, not the lease sweep.
    expect(Math.max(...times)).toBeLessThan(GAME_LEASE_MS);
    expect(report.resumedAndFinished).toBe(victimGames.length);
    // No robot sat in a room that stopped serving its game (one left behind on a node that lost it).
    expect(report.quietRoomRejoins).toBe(0);
    // Played to a result on the board: not ended by abandonment or on time because players never came back.
    expect(rows.filter((r) => !["connect-four", "board-full"].includes(r.resultReason)).map((r) => r.id)).toEqual([]);
    expect(results.every((s) => s === "finished")).toBe(true);
    expect(victimRows.filter((r) => r.ownerNode === victimId).map((r) => r.id)).toEqual([]);
    await checkNothingLost(cluster.databaseUrl, g);
  }, 180_000);
});
