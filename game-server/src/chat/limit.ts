/**
 * The chat rate limit: at most CHAT_PER_MIN messages per player per minute,
 * lobby and games together, counted where every node sees the same number —
 * Redis in a cluster, memory on a single node — through the same stores as
 * the HTTP limits (http/rateLimit.ts: rate-limit-redis, and this node's memory
 * while Redis cannot answer). The window is fixed: it starts with a player's
 * first message and lasts a minute.
 */
import { MemoryStore, type Options } from "express-rate-limit";
import type { Redis } from "ioredis";
import { sharedStore } from "../http/rateLimit.ts";
import type { Logger } from "../log.ts";

export type ChatAllowance = { ok: true } | { ok: false; retryInS: number };

/** Takes one message from `playerId`'s allowance, or says in how many seconds (≥ 1) one will be free again. */
export type ChatLimit = (playerId: string) => Promise<ChatAllowance>;

/** `perMin` messages per player per minute, shared through `redis` when given. */
export function createChatLimit(opts: { perMin: number; redis?: Redis; log: Logger; now?: () => number }): ChatLimit {
  const now = opts.now ?? Date.now;
  const store = opts.redis ? sharedStore(opts.redis, "chat", opts.log) : new MemoryStore();
  void store.init?.({ windowMs: 60_000 } as Options);
  return async (playerId) => {
    const { totalHits, resetTime } = await store.increment(playerId);
    if (totalHits <= opts.perMin) return { ok: true };
    const leftMs = (resetTime?.getTime() ?? now() + 60_000) - now();
    return { ok: false, retryInS: Math.max(1, Math.ceil(leftMs / 1000)) };
  };
}
