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
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";

export interface Leases {
  /** Take the lease of `gameId` for this process; false if another holds it (or Redis cannot say). */
  acquire(gameId: string): Promise<boolean>;
  /** Give the lease up now (graceful hand-over), if still ours. */
  release(gameId: string): Promise<void>;
  /** Whether anyone holds the lease; null when Redis cannot be asked. */
  isHeld(gameId: string): Promise<boolean | null>;
  /** False for a while after Redis came back, so owners can renew before anyone takes over. */
  takeoverAllowed(): boolean;
  /** Register the callback run when a lease we held turns out to be someone else's. */
  onLost(cb: (gameId: string) => void): void;
  close(): void;
}

/** Single node: no Redis, the one node owns everything (the PostgreSQL fence still applies). */
export function createLocalLeases(): Leases {
  return {
    acquire: async () => true,
    release: async () => {},
    isHeld: async () => false,
    takeoverAllowed: () => true,
    onLost: () => {},
    close: () => {},
  };
}

const KEY = (gameId: string) => `tabula:lease:${gameId}`;

/** Renew ours; re-take a vanished one (Redis restarted); report one taken by someone else. 1 ok, 0 lost. */
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function createRedisLeases(opts: { redis: Redis; nodeId: string; ttlMs: number; log: Logger }): Leases {
  const { redis, ttlMs, log } = opts;
  const me = `${opts.nodeId}:${randomBytes(6).toString("hex")}`;
  const held = new Set<string>();
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
    try {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.eval(RENEW, 1, KEY(id), me, String(ttlMs));
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err, res], i) => {
        if (!err && res === 0 && held.delete(ids[i])) {
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
      try {
        const ok = (await redis.set(KEY(gameId), me, "PX", ttlMs, "NX")) === "OK";
        if (ok) held.add(gameId);
        return ok;
      } catch {
        return false;
      }
    },
    async release(gameId) {
      held.delete(gameId);
      await redis.eval(RELEASE, 1, KEY(gameId), me).catch(() => {});
    },
    async isHeld(gameId) {
      try {
        return (await redis.exists(KEY(gameId))) === 1;
      } catch {
        return null;
      }
    },
    takeoverAllowed: () => redis.status === "ready" && Date.now() >= graceUntil,
    onLost: (cb) => void lostCallbacks.push(cb),
    close: () => clearInterval(timer),
  };
}
