/**
 * Redis failover: a 2-node cluster whose nodes reach Redis only through three
 * Sentinels (a primary, one replica; compose/sentinel.ts). Robots play games;
 * the Redis primary is killed with SIGKILL mid-run. The Sentinels must promote
 * the replica; matchmaking (an invite made on one node and accepted on the
 * other) must pair again within 10 s of the kill, answering 503 UNAVAILABLE
 * fast meanwhile; every live game's lease must be held again on the new
 * primary by the node PostgreSQL names as its owner; the games must go on to
 * a result; and every move a player saw acknowledged must be in PostgreSQL.
 */
import { Redis } from "ioredis";
import type { TicketResponse } from "@tabula/shared/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, type Player } from "../support/clients.ts";
import { alarmingLines, type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { checkNothingLost, playGames } from "./robots.ts";

/** The default lease lifetime: shorter than a failover, so a lease seen after one was renewed after the kill. */
const LEASE_TTL_MS = 3_000;

let cluster: Cluster;
beforeAll(async () => {
  // LOG_LEVEL info: the nodes' reconnection lines are part of the report.
  cluster = await startCluster({ nodes: 2, sentinel: true, env: { LEASE_TTL_MS: String(LEASE_TTL_MS), LOG_LEVEL: "info" } });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** What the primary `redis` sees of each node: subscribed to its process channel, heartbeat alive; and the events subscribers. */
async function connectionsOn(redis: Redis): Promise<Record<string, unknown>> {
  const procs = await redis.hgetall("tabula:nodes"); // Colyseus process id → NODE_ID
  const out: Record<string, unknown> = {};
  for (const [processId, nodeId] of Object.entries(procs)) {
    const [, subscribers] = (await redis.pubsub("NUMSUB", `p:${processId}`)) as [string, number];
    out[nodeId] = { processChannel: Number(subscribers) > 0, heartbeat: (await redis.exists(`tabula:alive:${processId}`)) === 1 };
  }
  const [, events] = (await redis.pubsub("NUMSUB", "tabula:mm:events")) as [string, number];
  out.matchmakingEventSubscribers = Number(events);
  return out;
}

/** `probe()` again every 200 ms until every node looks fully connected or `deadline` (epoch ms); the last answer. */
async function until(deadline: number, probe: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  for (;;) {
    const got = await probe();
    const ok = Object.values(got).every((v) => v === 2 || (typeof v === "object" && Object.values(v as object).every(Boolean)));
    if (ok || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Per node and connection: ms after `since` when it was back ("Redis connection back" lines). */
function reconnections(cluster: Cluster, since: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { node, line } of cluster.logs) {
    if (!line.includes('"Redis connection back"')) continue;
    const l = JSON.parse(line) as { time: number; connection: string };
    out[`${node} ${l.connection}`] = l.time - since;
  }
  return out;
}

/** One matchmaking round trip across the nodes: `a` invites (on its node), `b` accepts (on the other). */
async function invitePairs(a: Player, b: Player): Promise<{ ok: boolean; statuses: number[]; slowestMs: number }> {
  const statuses: number[] = [];
  let slowestMs = 0;
  const timed = async <T>(call: () => Promise<{ status: number; body: T }>) => {
    const t = performance.now();
    const r = await call();
    slowestMs = Math.max(slowestMs, performance.now() - t);
    statuses.push(r.status);
    return r;
  };
  const inv = await timed(() =>
    http<TicketResponse>(a.base, "POST", "/api/invites", a.token, { game: "connect4", timeControl: "3+5" }),
  );
  if (inv.status !== 200 || !inv.body.inviteCode) return { ok: false, statuses, slowestMs };
  const acc = await timed(() => http<{ gameId?: string }>(b.base, "POST", `/api/invites/${inv.body.inviteCode}/accept`, b.token));
  return { ok: acc.status === 200 && Boolean(acc.body.gameId), statuses, slowestMs };
}

describe("Redis through Sentinel", () => {
  it("kill -9 the Redis primary under load: the replica is promoted, matchmaking and leases come back, nothing acknowledged is lost", async () => {
    const group = cluster.sentinel!;
    const [first, second] = group.servers;
    expect(await group.primary()).toBe(first);
    const inviter = await newPlayer(cluster.nodes[0].url, "probe-a");
    const accepter = await newPlayer(cluster.nodes[1].url, "probe-b");
    expect((await invitePairs(inviter, accepter)).ok).toBe(true);

    const g = await playGames(cluster, 16, "sentinel", 350);
    await new Promise((r) => setTimeout(r, 1_500)); // the games get going

    const killedAt = Date.now();
    first.process.child.kill("SIGKILL");

    // When the Sentinels name the replica as the primary (asked every 100 ms).
    const promotion = (async () => {
      while (Date.now() - killedAt < 30_000) {
        if ((await group.primary()) === second) return Date.now() - killedAt;
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    })();

    // Matchmaking: refused fast (503) while there is no primary, pairing again within 10 s.
    const refusals = new Map<number, number>();
    let slowestMs = 0;
    let pairedAfterMs: number | null = null;
    while (Date.now() - killedAt < 20_000) {
      const probe = await invitePairs(inviter, accepter);
      slowestMs = Math.max(slowestMs, probe.slowestMs);
      for (const s of probe.statuses.filter((s) => s !== 200)) refusals.set(s, (refusals.get(s) ?? 0) + 1);
      if (probe.ok) {
        pairedAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const promotedAfterMs = await promotion;

    // Leases: every live game's lease is on the new primary, held by the node PostgreSQL names as its owner.
    // Checked once a lease set before the kill would have expired, so each one seen was renewed after it.
    const redis = new Redis({ port: second.port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    let unleased: string[] = [];
    let leasedAfterMs: number | null = null;
    let connections: Record<string, unknown> = {};
    try {
      await new Promise((r) => setTimeout(r, Math.max(0, killedAt + LEASE_TTL_MS + 500 - Date.now())));
      const deadline = killedAt + 30_000;
      for (;;) {
        const live = await query<{ id: string; ownerNode: string }>(
          cluster.databaseUrl,
          `SELECT id, "ownerNode" FROM "Game" WHERE id = ANY($1) AND status = 'active'`,
          [g.gameIds],
        );
        const values = live.length ? await redis.mget(...live.map((r) => `tabula:lease:${r.id}`)) : [];
        unleased = live.filter((r, i) => !values[i]?.startsWith(`${r.ownerNode}:`)).map((r) => r.id);
        if (unleased.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      leasedAfterMs = Date.now() - killedAt;
      // Every node's connections are on the new primary: its presence subscriber (the process channel
      // others judge it alive by), its heartbeat, and its matchmaking events subscriber.
      connections = await until(killedAt + 30_000, () => connectionsOn(redis));
    } finally {
      redis.disconnect();
    }

    const results = await Promise.all(g.runs);
    const takenOver = cluster.logs
      .filter(({ line }) => line.includes('"took over game"'))
      .map(({ line }) => (JSON.parse(line) as { gameId: string }).gameId);
    // The robots' games were in progress through the failover; a probe's game may be made just as Redis returns.
    const takeovers = { robotGames: takenOver.filter((id) => g.gameIds.includes(id)).length, others: takenOver.length };
    const report = {
      games: g.gameIds.length,
      promotedAfterMs,
      matchmakingPairedAfterMs: pairedAfterMs,
      refusedWhileDown: Object.fromEntries(refusals),
      slowestMatchmakingAnswerMs: Math.round(slowestMs),
      leasesCheckedAfterMs: leasedAfterMs,
      connections,
      rejoins: g.robots.reduce((n, r) => n + r.rejoins, 0),
      takeovers,
      finished: results.filter((r) => r === "finished").length,
      reconnections: reconnections(cluster, killedAt),
    };
    console.log(`sentinel report: ${JSON.stringify(report)}`);
    const moved =
      /"(took over game|lease lost to another node|leaving the game to another node|node presumed dead: taking its games)"/;
    for (const { line } of cluster.logs.filter((l) => moved.test(l.line))) console.log(`sentinel ${line}`);

    expect(promotedAfterMs, "the Sentinels promoted the replica").not.toBeNull();
    expect(pairedAfterMs, "matchmaking paired again within 10 s of the kill").not.toBeNull();
    expect(pairedAfterMs!).toBeLessThan(10_000);
    // While Redis had no primary, matchmaking said so at once (503 UNAVAILABLE), it did not hang.
    expect([...refusals.keys()].filter((s) => s !== 503)).toEqual([]);
    // (A hang would be a client waiting out its reconnection attempts: 10 s and more. The bound leaves room for a loaded machine.)
    expect(slowestMs).toBeLessThan(5_000);
    expect(unleased, "live games without their owner's lease on the new primary").toEqual([]);
    expect(connections).toEqual({
      n1: { processChannel: true, heartbeat: true },
      n2: { processChannel: true, heartbeat: true },
      matchmakingEventSubscribers: 2,
    });
    // Each node saw its Redis connection come back and held takeovers back while its leases were renewed.
    const graces = cluster.logs.filter((l) => l.line.includes("redis is back: leases are being renewed")).map((l) => l.node);
    expect([...new Set(graces)].sort()).toEqual(["n1", "n2"]);
    // Nobody took a game in progress over: the lease grace after the reconnection held the takeover sweeps back.
    expect(takeovers.robotGames).toBe(0);
    // The games went on to a result on the board, and the log holds every acknowledged move.
    expect(results.every((s) => s === "finished")).toBe(true);
    const rows = await query<{ id: string; resultReason: string }>(
      cluster.databaseUrl,
      `SELECT id, "resultReason" FROM "Game" WHERE id = ANY($1)`,
      [g.gameIds],
    );
    expect(rows.filter((r) => !["connect-four", "board-full"].includes(r.resultReason)).map((r) => r.id)).toEqual([]);
    await checkNothingLost(cluster.databaseUrl, g);
    // No ERROR line outside the failover itself (from the kill until every connection was back and checked).
    const windowEnd = killedAt + (leasedAfterMs ?? 0) + 1_000;
    const outside = cluster.logs.filter(({ line }) => {
      const time = /"time":(\d+)/.exec(line)?.[1];
      return time === undefined || Number(time) < killedAt || Number(time) > windowEnd;
    });
    for (const l of alarmingLines(cluster.logs)) console.log(`sentinel during the failover: ${l}`);
    expect(alarmingLines(outside)).toEqual([]);
  }, 120_000);
});
