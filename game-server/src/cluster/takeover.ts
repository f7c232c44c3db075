/**
 * Takeover: rebuilding, from the move log, the rooms of live games nobody
 * hosts any more. Three ways in, all ending in `claim`:
 *
 * - the dead-node sweep (every heartbeat beat, Redis only): a node presumed
 *   dead (liveness.ts) has its leases taken at once, in parallel, and its
 *   stale room listings removed — long before its game leases would expire;
 * - a rejoin (rejoin.ts): a player's join that finds its game's host dead
 *   takes the game over on the node that received the join, there and then;
 * - the lease sweep (every TAKEOVER_INTERVAL_MS, PostgreSQL): live games whose
 *   lease is gone — released on a graceful shutdown, expired, or this is the
 *   first start after a single node crashed. It is also the safety net for
 *   anything the fast paths missed.
 *
 * Many nodes may try at once; the lease lets exactly one win, and the fencing
 * token makes sure a loser that thinks otherwise cannot write.
 */
import { matchMaker } from "@colyseus/core";
import type { Redis } from "ioredis";
import { GAME_ROOM } from "@tabula/shared/protocol";
import type { GameRepository } from "../db/games.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { AuditSink } from "../audit/writer.ts";
import type { Leases } from "./leases.ts";
import type { NodeLiveness } from "./liveness.ts";

export interface TakeoverOptions {
  games: Pick<GameRepository, "activeGames">;
  leases: Leases;
  log: Logger;
  /** How often the lease sweep looks, ms. */
  intervalMs: number;
  /** Games younger than this are left to the node creating them by the lease sweep, ms. */
  graceMs: number;
  /** Cluster only: node heartbeats, for the dead-node sweep (every `liveness.beatMs`). */
  liveness?: NodeLiveness;
  /** Cluster only: the Redis holding Colyseus' room listings, to remove a dead node's stale ones. */
  redis?: Redis;
  /** Games rebuilt at once by one node (default 8). */
  parallel?: number;
  /** Colyseus' room registry (default: this process's matchMaker; unit tests pass a fake). */
  rooms?: RoomRegistry;
  /** Where games taken over are counted, by reason (optional). */
  metrics?: Pick<Metrics, "takeovers">;
  /** Where games taken over are recorded (audit/). */
  audit?: AuditSink;
}

/** What the takeover needs of Colyseus' matchmaker. */
export interface RoomRegistry {
  /** Whether this process hosts the room of `gameId`. */
  hosted(gameId: string): boolean;
  /** Build the room of `gameId` here, resuming it from the log; rejects if it cannot be hosted here. */
  create(gameId: string): Promise<unknown>;
  /** The process id the cluster-wide listing of `gameId` names, if any. */
  listedProcess(gameId: string): Promise<string | undefined>;
  /** A dead process: remove its listings of `gameIds` (only those still naming it) and stop placing new rooms on it. */
  forgetProcess(processId: string, gameIds: string[]): Promise<void>;
}

/** Colyseus' room listings (RedisDriver's hash). */
const ROOMCACHES = "roomcaches";
/** Remove the listings ARGV[2..] that still name process ARGV[1] (a new host's listing is left alone). */
const DROP_STALE_LISTINGS = `
local n = 0
for i = 2, #ARGV do
  local v = redis.call('HGET', KEYS[1], ARGV[i])
  if v and string.find(v, '"processId":"' .. ARGV[1] .. '"', 1, true) then
    redis.call('HDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
`;

/** This process's Colyseus matchmaker; `redis` (cluster) reaches the RedisDriver's listings. */
function colyseusRooms(redis: Redis | undefined): RoomRegistry {
  return {
    hosted: (gameId) => matchMaker.getLocalRoomById(gameId) !== undefined,
    create: (gameId) => matchMaker.handleCreateRoom(GAME_ROOM, { gameId, resume: true }),
    listedProcess: async (gameId) =>
      (await Promise.resolve(matchMaker.driver.findOne({ roomId: gameId })).catch(() => undefined))?.processId as
        | string
        | undefined,
    async forgetProcess(processId, gameIds) {
      if (gameIds.length) await redis?.eval(DROP_STALE_LISTINGS, 1, ROOMCACHES, processId, ...gameIds).catch(() => {});
      // (Colyseus' own health check does the same when a seat reservation times out on it.)
      await Promise.resolve(matchMaker.stats.excludeProcess(processId)).catch(() => {});
    },
  };
}

export interface Takeover {
  /** One pass of the lease sweep: rebuild every orphaned live game here. Resolves with the ids taken. */
  sweep(): Promise<string[]>;
  /** One pass of the dead-node sweep: take every game of every node presumed dead. Resolves with the ids taken here. */
  sweepDead(): Promise<string[]>;
  /**
   * Make sure `gameId` is not stuck on a dead node: if its host is dead (or it has no
   * host while its listing names a dead process), take it over here. Resolves with
   * whether a join can go ahead now (false: the game is still moving; try again shortly).
   */
  rescue(gameId: string): Promise<boolean>;
  start(): void;
  stop(): void;
}

/** A copy of `xs` in random order (Fisher–Yates). */
function shuffle<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A 32-bit FNV-1a hash of `s` (spreads game ids over the survivors). */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Run `fn` over `items`, at most `limit` at a time (taken from the end). */
async function bounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) await fn(next);
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

export function createTakeover(opts: TakeoverOptions): Takeover {
  const parallel = opts.parallel ?? 8;
  const { leases, log, liveness } = opts;
  const rooms = opts.rooms ?? colyseusRooms(opts.redis);
  let leaseTimer: NodeJS.Timeout | undefined;
  let deadTimer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | undefined;
  let runningDead: Promise<string[]> | undefined;
  /** Claims in progress here, by game: the sweeps and rejoins share one attempt per game. */
  const claiming = new Map<string, Promise<boolean>>();

  /**
   * Rebuild `gameId` here. With `from` (a dead process id) its lease is taken from that
   * process first; without, the room takes a free lease itself. True if it is hosted here now.
   */
  function claim(gameId: string, from: string | null, why: string): Promise<boolean> {
    if (rooms.hosted(gameId)) return Promise.resolve(true);
    let pending = claiming.get(gameId);
    if (!pending) {
      pending = build(gameId, from, why).finally(() => claiming.delete(gameId));
      claiming.set(gameId, pending);
    }
    return pending;
  }

  async function build(gameId: string, from: string | null, why: string): Promise<boolean> {
    if (from !== null && !(await leases.steal(gameId, from))) return false;
    try {
      // Created on this process: the room takes (or keeps) the lease and bumps the fencing token in onCreate.
      await rooms.create(gameId);
      log.info({ gameId, from, why }, "took over game");
      opts.metrics?.takeovers.inc({ reason: why });
      opts.audit?.record({ kind: "game.takeover", gameId, detail: { from, why } });
      return true;
    } catch (err) {
      // Expected: another node won the lease, or the game ended since it was listed.
      log.debug({ gameId, err: (err as Error).message }, "takeover attempt lost");
      return false;
    }
  }

  async function sweepOnce(): Promise<string[]> {
    if (!leases.takeoverAllowed()) return [];
    let candidates: Array<{ id: string; ownerNode: string | null }>;
    try {
      candidates = await opts.games.activeGames(new Date(Date.now() - opts.graceMs));
    } catch {
      return []; // PostgreSQL down: nothing to rebuild from anyway
    }
    const taken: string[] = [];
    // Each node in its own random order: the survivors split the games instead of racing for the same one.
    await bounded(shuffle(candidates), parallel, async ({ id }) => {
      if (rooms.hosted(id)) return;
      if ((await leases.isHeld(id)) !== false) return;
      if (await claim(id, null, "lease gone")) taken.push(id);
    });
    return taken;
  }

  async function sweepDeadOnce(): Promise<string[]> {
    if (!liveness || !leases.takeoverAllowed()) return [];
    const taken: string[] = [];
    const { alive, dead: deadOnes } = await liveness.survey();
    for (const dead of deadOnes) {
      const games = await liveness.gamesOf(dead);
      if (games.length) log.info({ processId: dead, games: games.length }, "node presumed dead: taking its games");
      // Its share of the survivors first (by a hash of the game id), then whatever the others have not
      // taken yet: the survivors rebuild in parallel instead of the first to notice taking everything.
      const share = (id: string) => alive[hashOf(id) % alive.length] === liveness.processId;
      const order = [...shuffle(games.filter(share)), ...shuffle(games.filter((id) => !share(id)))].reverse();
      await bounded(order, parallel, async (id) => {
        if (await claim(id, dead, "node dead")) taken.push(id);
      });
      await rooms.forgetProcess(dead, games);
      await liveness.forget(dead);
    }
    return taken;
  }

  async function rescue(gameId: string): Promise<boolean> {
    if (!liveness || rooms.hosted(gameId)) return true;
    const mine = claiming.get(gameId);
    if (mine && (await mine)) return true;
    const listingOf = () => rooms.listedProcess(gameId);
    const [holder, listed] = await Promise.all([leases.holder(gameId), listingOf()]);
    if (holder === undefined || !leases.takeoverAllowed()) return true; // Redis cannot say: let Colyseus try
    if (holder !== null && holder !== liveness.processId) {
      // Hosted elsewhere: fine unless that host is dead (waiting for a verdict if its heartbeat is overdue),
      // or it is a new host whose room is not listed yet (checked below).
      const hostAlive = await liveness.verdict(holder);
      if (hostAlive === false) {
        if (await claim(gameId, holder, "rejoin found its host dead")) return true;
      } else if (hostAlive === null || !listed || listed === holder) {
        return true;
      }
    } else if (holder === null && listed && listed !== liveness.processId && (await liveness.isAlive(listed)) === false) {
      // No host, and the listing names a dead process: the lease sweep would get here later.
      if (await claim(gameId, null, "rejoin found no host")) return true;
    } else {
      return true;
    }
    // Not taken here. If another node is rebuilding it, wait for its listing; if nobody can (the
    // game is over), drop the dead process's listing so that the join is told at once.
    const now = await listingOf();
    if (!now || now === liveness.processId || (await liveness.isAlive(now)) !== false) return true;
    if ((await leases.holder(gameId)) !== null) return false;
    await rooms.forgetProcess(now, [gameId]);
    return true;
  }

  return {
    sweep() {
      running ??= sweepOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    sweepDead() {
      runningDead ??= sweepDeadOnce().finally(() => {
        runningDead = undefined;
      });
      return runningDead;
    },
    rescue,
    start() {
      leaseTimer = setInterval(() => void this.sweep(), opts.intervalMs);
      leaseTimer.unref();
      if (liveness) {
        deadTimer = setInterval(() => void this.sweepDead(), liveness.beatMs);
        deadTimer.unref();
      }
    },
    stop() {
      clearInterval(leaseTimer);
      clearInterval(deadTimer);
    },
  };
}
