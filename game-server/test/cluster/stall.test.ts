/**
 * A stalled node (SIGSTOP: nothing closes, nothing answers) under load: its
 * games are taken over once its heartbeat key expires (NODE_ALIVE_TTL_MS) —
 * the game leases last 60 s here, far longer than the stall, so only the fast
 * path can do it — and its players, who only notice its silence through the
 * heartbeat, must be moving again on the new owner while it is still stopped.
 * After SIGCONT the old node must never own or write those games again, and no
 * acknowledged move may be lost. The times are printed (docs/recovery.md;
 * `npm run bench:resume` measures them), not asserted.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import {
  busiestNode,
  checkNothingLost,
  playGames,
  recoveryTimeline,
  resumedAfter,
  spread,
  startRecoveryCluster,
} from "./robots.ts";

const STALL_MS = 10_000;
// The stopped node hosts about a third of them. (Nearest-rank p95 of fewer than 20 games is the slowest one.)
const GAMES = Number(process.env.STALL_GAMES ?? 40);
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startRecoveryCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

const owners = async (ids: string[]) =>
  query<{ id: string; ownerNode: string; leaseToken: string }>(
    cluster.databaseUrl,
    `SELECT id, "ownerNode", "leaseToken"::text FROM "Game" WHERE id = ANY($1)`,
    [ids],
  );

describe("stall", () => {
  it(`SIGSTOP of the busiest node for ${STALL_MS / 1000} s: its players move again while it is stopped, long before its leases expire`, async () => {
    const g = await playGames(cluster, GAMES, "stall", 100);
    // Let every game get going.
    const going = Date.now() + 15_000;
    while (g.robots.some((r) => r.acked.size < 2) && Date.now() < going) await new Promise((r) => setTimeout(r, 100));
    const { nodeId } = await busiestNode(cluster.databaseUrl, g.gameIds);
    const victim = cluster.nodes.find((n) => n.id === nodeId)!;
    const pid = victim.process.pid;

    const stalledAt = Date.now();
    process.kill(pid, "SIGSTOP");
    let whileStopped: Map<string, number | null>;
    let victims: string[] = [];
    let tokensBefore = new Map<string, bigint>();
    try {
      // Its games are those still active once it is stopped: one that ended between choosing the node and
      // stopping it has nothing left to resume (that race once failed this test), and a stopped node writes nothing.
      victims = (await busiestNode(cluster.databaseUrl, g.gameIds, nodeId)).games;
      expect(victims.length).toBeGreaterThan(0);
      tokensBefore = new Map((await owners(victims)).map((o) => [o.id, BigInt(o.leaseToken)]));
      // Watch from outside until every victim game has moved again, or the stall ends.
      for (;;) {
        whileStopped = resumedAfter(g, victims, stalledAt);
        if ([...whileStopped.values()].every((t) => t !== null) || Date.now() - stalledAt >= STALL_MS) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, stalledAt + STALL_MS - Date.now())));
      // Still stopped: only now is the count final (the node could not have helped anyone).
      whileStopped = resumedAfter(g, victims, stalledAt);
      expect(processState(pid)).toBe("T");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const wokeAt = Date.now();

    const times = [...whileStopped.values()].filter((t): t is number => t !== null);
    const report = {
      games: GAMES,
      stalledNode: nodeId,
      gamesOnStalledNode: victims.length,
      movedAgainWhileStopped: times.length,
      stallToFirstMoveMs: spread(times),
      silentDrops: g.robots.reduce((n, r) => n + r.silentAt.length, 0),
      rejoins: g.robots.reduce((n, r) => n + r.rejoins, 0),
      /** Robots that left a room which went quiet about the game (see Robot.stuckAt): expected 0. */
      quietRoomRejoins: g.robots.reduce((n, r) => n + r.stuckAt.length, 0),
    };
    console.log(`stall report: ${JSON.stringify(report)}`);
    if (process.env.RECOVERY_DEBUG) for (const l of recoveryTimeline(cluster, g, victims, stalledAt)) console.log(`stall ${l}`);
    expect(
      victims.filter((id) => whileStopped.get(id) === null),
      "victim games that did not move while their node was stopped",
    ).toEqual([]);
    // No robot sat in a room that stopped serving its game (one left behind on a node that lost it).
    expect(report.quietRoomRejoins).toBe(0);

    // Awake again: the old node never takes those games back, and everything finishes with nothing lost.
    const results = await Promise.all(g.runs);
    expect(results.every((s) => s === "finished")).toBe(true);
    await checkNothingLost(cluster.databaseUrl, g);
    for (const o of await owners(victims)) {
      expect(o.ownerNode, `game ${o.id}`).not.toBe(nodeId);
      expect(BigInt(o.leaseToken)).toBeGreaterThan(tokensBefore.get(o.id)!);
    }
    // Its own log says it gave them up (lease lost, fenced out) or that the database refused its writes.
    const gaveUp = /lease lost|fenced out|write changed nothing/;
    const deadline = Date.now() + 10_000;
    while (!gaveUp.test(victim.process.output()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(victim.process.output()).toMatch(gaveUp);
    expect(wokeAt - stalledAt).toBeGreaterThanOrEqual(STALL_MS);
  }, 180_000);
});

/** The process state letter from /proc (T = stopped). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}
