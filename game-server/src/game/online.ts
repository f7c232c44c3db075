/**
 * Who is online (the top bar's "N online"): a player is online while one of
 * their sockets is in a game room on any node, and for WINDOW_MS (90 s) after
 * their last authenticated API request or their last socket closed. (The
 * browser client makes such a request every 60 s while its page is visible,
 * so a lobby viewer stays counted.) Single node: counted in memory. Cluster: a
 * Redis sorted set (player → last seen) shared by every node; each node
 * refreshes the players connected to it every WINDOW_MS / 3, and writes a
 * joining player's score at most that often.
 */
import type { Redis } from "ioredis";

export interface OnlineTracker {
  /** A player used the API. */
  touch(playerId: string): void;
  /** A player's socket joined (+1) or left (-1) a room on this node. */
  socket(playerId: string, delta: 1 | -1): void;
  /** Distinct players online (cluster-wide in cluster mode). */
  count(): Promise<number>;
  close(): void;
}

/** Players seen within this window count as online, ms. */
export const WINDOW_MS = 90_000;

class Sockets {
  readonly connected = new Map<string, number>();
  add(playerId: string, delta: 1 | -1): void {
    const n = (this.connected.get(playerId) ?? 0) + delta;
    if (n <= 0) this.connected.delete(playerId);
    else this.connected.set(playerId, n);
  }
}

export function createMemoryOnlineTracker(now: () => number = Date.now): OnlineTracker {
  const seen = new Map<string, number>();
  const sockets = new Sockets();
  return {
    touch: (id) => void seen.set(id, now()),
    socket: (id, d) => sockets.add(id, d),
    async count() {
      const t = now();
      const ids = new Set(sockets.connected.keys());
      for (const [id, at] of seen) {
        if (t - at <= WINDOW_MS) ids.add(id);
        else seen.delete(id);
      }
      return ids.size;
    },
    close() {},
  };
}

const KEY = "tabula:online";

/** How often a node refreshes the players connected to it, ms. */
const REFRESH_MS = WINDOW_MS / 3;

export function createRedisOnlineTracker(redis: Redis, now: () => number = Date.now): OnlineTracker {
  const sockets = new Sockets();
  const zadd = (id: string) => void redis.zadd(KEY, now(), id).catch(() => {});
  /**
   * When this node last wrote each player's score from a join. A join within REFRESH_MS of the last
   * one writes nothing: the score is at most that old, and the refresh keeps a connected player's
   * score fresher than that. (A player who plays one quick game after another — a rematch is a new
   * room — would otherwise cost a Redis write per game.)
   */
  const joined = new Map<string, number>();
  // Connected players stay online however long they play.
  const refresh = setInterval(() => {
    const ids = [...sockets.connected.keys()];
    if (ids.length) void redis.zadd(KEY, ...ids.flatMap((id) => [now(), id])).catch(() => {});
    const stale = now() - REFRESH_MS;
    for (const [id, at] of joined) if (at <= stale) joined.delete(id);
  }, REFRESH_MS);
  refresh.unref();
  return {
    touch: zadd,
    socket(id, d) {
      sockets.add(id, d);
      if (d !== 1) return;
      const t = now();
      if (t - (joined.get(id) ?? Number.NEGATIVE_INFINITY) < REFRESH_MS) return;
      joined.set(id, t);
      zadd(id);
    },
    async count() {
      const from = now() - WINDOW_MS;
      const [, n] = (await redis.multi().zremrangebyscore(KEY, "-inf", from).zcard(KEY).exec()) ?? [];
      return Number(n?.[1] ?? 0);
    },
    close: () => clearInterval(refresh),
  };
}
