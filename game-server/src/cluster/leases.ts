/**
 * Room ownership leases. Each live game is hosted by exactly one node, which
 * holds the game's lease in Redis (`tabula:lease:<gameId>`, a TTL key renewed
 * every ttl/3). When a node dies its leases expire and a survivor takes the
 * game over (see takeover.ts).
 *
 * A lease alone cannot stop a node that stalled past its TTL (GC pause,
 * SIGSTOP, partition) from writing after it woke up: that is the job of the
 * fencing token in PostgreSQL (Game.leaseToken), bumped by every new owner and
 * checked by every write. Redis decides who *should* host a game; PostgreSQL
 * refuses writes from anyone who no longer does.
 *
 * A lease's value names its holder, `<NODE_ID>:<Colyseus process id>`, so a
 * survivor that finds the holder dead (liveness.ts) can take the lease at
 * once (`steal`) instead of waiting for it to expire. Each node also records
 * the games it holds in `tabula:owned:<processId>`, so survivors know what a
 * dead node left behind without asking PostgreSQL.
 *
 * `surelyHeld` answers, without a round trip, whether no one else can have
 * taken a lease yet: Redis took our last renewal less than a TTL ago (counted
 * from when it was sent), and our heartbeat too (a lease is stolen once the
 * heartbeat lapses). A room uses it to skip the PostgreSQL fence read at a
 * join. A stalled node fails the test when it wakes, so it asks PostgreSQL.
 * The one case it cannot see — our Redis subscriber connection dropped, so
 * others presume us dead at once — costs only time: our next write is fenced
 * out (or the next renewal reports the lease lost) and the room hands the
 * game over, sending its sockets to the new host.
 */
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import { aliveKey, LUA_IS_ALIVE, ownedKey } from "./liveness.ts";

export interface Leases {
  /** Take the lease of `gameId` for this process (or keep it, if ours already); false if another holds it (or Redis cannot say). */
  acquire(gameId: string): Promise<boolean>;
  /**
   * Take the lease of `gameId` from process `deadProcessId` if that process holds it and is
   * dead (checked in the same atomic step); true if the lease is now ours.
   */
  steal(gameId: string, deadProcessId: string): Promise<boolean>;
  /** The process id holding the lease of `gameId`; null if none, undefined when Redis cannot say. */
  holder(gameId: string): Promise<string | null | undefined>;
  /** Give the lease up now (graceful hand-over), if still ours. */
  release(gameId: string): Promise<void>;
  /** Whether no one else can hold the lease of `gameId` yet (see the header), from what this process knows: no round trip. */
  surelyHeld(gameId: string): boolean;
  /** Whether anyone holds the lease; null when Redis cannot be asked. */
  isHeld(gameId: string): Promise<boolean | null>;
  /** False for a while after Redis came back, so owners can renew before anyone takes over. */
  takeoverAllowed(): boolean;
  /** Renew every lease we hold now (e.g. after this process was stalled), reporting the lost ones. */
  renewNow(): Promise<void>;
  /** Register the callback run when a lease we held turns out to be someone else's. */
  onLost(cb: (gameId: string) => void): void;
  close(): void;
}

/** Single node: no Redis, the one node owns everything (the PostgreSQL fence still applies). */
export function createLocalLeases(): Leases {
  return {
    acquire: async () => true,
    steal: async () => false,
    holder: async () => null,
    release: async () => {},
    isHeld: async () => false,
    surelyHeld: () => false, // no lease to go by: the fence read decides
    takeoverAllowed: () => true,
    renewNow: async () => {},
    onLost: () => {},
    close: () => {},
  };
}

const KEY = (gameId: string) => `tabula:lease:${gameId}`;

/**
 * Renew ours; re-take a vanished one (Redis restarted); report one taken by someone else. 1 ok, 0 lost.
 * (Also used to acquire: a free lease is taken, our own kept.) KEYS: lease, our owned set.
 */
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) redis.call('SADD', KEYS[2], ARGV[3]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) redis.call('SADD', KEYS[2], ARGV[3]) return 1 end
return 0
`;
/** KEYS: lease, our owned set. */
const RELEASE = `
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
/**
 * KEYS: lease, the dead process's heartbeat key, its owned set, our owned set.
 * ARGV: the dead process id, our value, ttl, game id. 1 taken, 0 not (someone else's, or alive after all).
 * (A lease the dead process no longer holds is struck off its owned set, so its list of games empties.)
 */
const STEAL = `${LUA_IS_ALIVE}
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, -(#ARGV[1] + 1)) ~= (':' .. ARGV[1]) then
  redis.call('SREM', KEYS[3], ARGV[4]) -- not its game any more: nothing to take from it
  return 0
end
if alive(KEYS[2], ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SREM', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[4])
return 1
`;

/** The process id in a lease value `<NODE_ID>:<processId>`. */
const processOf = (value: string) => value.slice(value.indexOf(":") + 1);

/** What `surelyHeld` leaves aside for timers firing late and Redis' expiry resolution, ms. */
export const SURE_MARGIN_MS = 100;

/**
 * Leases in Redis for this process (`processId`, Colyseus' id of it, on node `nodeId`), each living
 * `ttlMs` and renewed every ttlMs/3. `aliveUntil` is the node's heartbeat (liveness.ts); without it
 * `surelyHeld` is always false.
 */
export function createRedisLeases(opts: {
  redis: Redis;
  nodeId: string;
  processId: string;
  ttlMs: number;
  log: Logger;
  aliveUntil?: () => number;
}): Leases {
  const { redis, ttlMs, log, processId } = opts;
  const aliveUntil = opts.aliveUntil ?? (() => 0);
  const me = `${opts.nodeId}:${processId}`;
  const owned = ownedKey(processId);
  const held = new Set<string>();
  /** performance.now() when the last renewal Redis took was sent, per lease we hold. */
  const confirmed = new Map<string, number>();
  const take = (gameId: string, sentAt: number) => {
    held.add(gameId);
    confirmed.set(gameId, sentAt);
  };
  const drop = (gameId: string) => {
    confirmed.delete(gameId);
    return held.delete(gameId);
  };
  const lostCallbacks: Array<(gameId: string) => void> = [];
  let graceUntil = 0;
  let wasDown = false;

  redis.on("ready", () => {
    if (wasDown) {
      graceUntil = Date.now() + 2 * ttlMs;
      log.info("redis is back: leases are being renewed before any takeover");
      void renewAll();
    }
    wasDown = false;
  });
  redis.on("close", () => {
    wasDown = true;
  });

  async function renewAll(): Promise<void> {
    if (held.size === 0) return;
    const ids = [...held];
    const sentAt = performance.now();
    try {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.eval(RENEW, 2, KEY(id), owned, me, String(ttlMs), id);
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err, res], i) => {
        if (!err && res === 1 && held.has(ids[i])) confirmed.set(ids[i], sentAt);
        if (!err && res === 0 && drop(ids[i])) {
          log.warn({ gameId: ids[i] }, "lease lost to another node");
          for (const cb of lostCallbacks) cb(ids[i]);
        }
      });
    } catch (err) {
      // Redis unreachable: keep playing. PostgreSQL's fencing token protects the log.
      log.debug({ err: (err as Error).message }, "lease renewal failed");
    }
  }
  const timer = setInterval(() => void renewAll(), Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    async acquire(gameId) {
      const sentAt = performance.now();
      try {
        const ok = (await redis.eval(RENEW, 2, KEY(gameId), owned, me, String(ttlMs), gameId)) === 1;
        if (ok) take(gameId, sentAt);
        return ok;
      } catch {
        return false;
      }
    },
    async steal(gameId, dead) {
      const sentAt = performance.now();
      try {
        const args = [dead, me, String(ttlMs), gameId];
        const ok = (await redis.eval(STEAL, 4, KEY(gameId), aliveKey(dead), ownedKey(dead), owned, ...args)) === 1;
        if (ok) take(gameId, sentAt);
        return ok;
      } catch {
        return false;
      }
    },
    async holder(gameId) {
      try {
        const v = await redis.get(KEY(gameId));
        return v === null ? null : processOf(v);
      } catch {
        return undefined;
      }
    },
    async release(gameId) {
      drop(gameId);
      await redis.eval(RELEASE, 2, KEY(gameId), owned, me, gameId).catch(() => {});
    },
    async isHeld(gameId) {
      try {
        return (await redis.exists(KEY(gameId))) === 1;
      } catch {
        return null;
      }
    },
    surelyHeld(gameId) {
      const at = confirmed.get(gameId);
      const until = Math.min(at === undefined ? 0 : at + ttlMs, aliveUntil()) - SURE_MARGIN_MS;
      return held.has(gameId) && performance.now() < until;
    },
    takeoverAllowed: () => redis.status === "ready" && Date.now() >= graceUntil,
    renewNow: renewAll,
    onLost: (cb) => void lostCallbacks.push(cb),
    close: () => clearInterval(timer),
  };
}
