/**
 * The HTTP rate limits (express-rate-limit), counted where every node sees
 * the same numbers: in Redis (rate-limit-redis) when the node runs in a
 * cluster, in memory on a single node. Per-node counters would let a client
 * send N times the limit to a cluster of N nodes behind nginx.
 *
 * When Redis cannot be asked (down, failing over, or answering slower than
 * STORE_TIMEOUT_MS) a limiter counts in this node's memory until Redis answers
 * again: neither fail-open (a flood during a Redis outage would go uncounted
 * and reach PostgreSQL) nor fail-closed (a Redis outage would refuse every
 * API request, even those that need only PostgreSQL: history, replays). The
 * limit then holds per node, as it did before the shared store. The
 * trade-off is written up in docs/security.md ("Rate limits").
 */
import type { Request, RequestHandler, Response } from "express";
import { type IncrementResponse, MemoryStore, type Options, rateLimit, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import { RedisStore } from "rate-limit-redis";
import type { AuditSink } from "../audit/writer.ts";
import type { Logger } from "../log.ts";
import { tooMany } from "./middleware.ts";

/** Longest wait for Redis per counted request, ms: past it, this request is counted in memory. */
export const STORE_TIMEOUT_MS = 250;

/** Prefix of the rate-limit counters in Redis (one key per limiter and client IP). */
export const RATE_KEY_PREFIX = "tabula:rl:";

/** While Redis fails, how often the shared store tries to load its scripts again, ms. */
const REINIT_MS = 1_000;

export interface RateLimitSettings {
  /** Requests per minute per client IP to all of /api. */
  apiPerMin: number;
  /** Guest identities created per minute per client IP. */
  guestPerMin: number;
  /** The node's Redis connection (cluster mode); undefined: count in memory (single node). */
  redis?: Redis;
  log: Logger;
  /** Where cut-offs are recorded (audit/; throttled there to one row per client per window). */
  audit?: AuditSink;
}

export interface RateLimiters {
  /** Every request under /api. */
  api: RequestHandler;
  /** POST /api/guest (on top of `api`). */
  guest: RequestHandler;
}

/** The limiters of the HTTP API, their counters shared through `settings.redis` when given. */
export function createRateLimiters(settings: RateLimitSettings): RateLimiters {
  const make = (name: "api" | "guest", limit: number, message: string) => {
    const refuse = tooMany(message);
    return rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      store: settings.redis ? sharedStore(settings.redis, name, settings.log) : new MemoryStore(),
      handler: (req: Request, res: Response) => {
        settings.audit?.record({ kind: "ratelimit.cutoff", ip: req.ip, detail: { limiter: name } });
        refuse(req, res);
      },
    });
  };
  return {
    api: make("api", settings.apiPerMin, "too many requests; slow down"),
    guest: make("guest", settings.guestPerMin, "too many new identities from this address; keep and reuse your token"),
  };
}

/**
 * A limit of `perMin` hits per minute per key, for requests that do not pass
 * through Express (Colyseus' matchmaking routes), keyed by what the caller
 * proved rather than by an address: e.g. seat reservations per player. Counted
 * like the HTTP limits: in Redis when given (every node sees the same count),
 * else in memory. Resolves whether this hit is within the limit.
 */
export function createKeyLimit(opts: {
  name: string;
  perMin: number;
  redis?: Redis;
  log: Logger;
}): (key: string) => Promise<boolean> {
  const store = opts.redis ? sharedStore(opts.redis, opts.name, opts.log) : new MemoryStore();
  void store.init?.({ windowMs: 60_000 } as Options);
  return async (key) => (await store.increment(key)).totalHits <= opts.perMin;
}

/** A store counting in Redis (key prefix `tabula:rl:<name>:`), in memory while Redis cannot answer. */
export function sharedStore(redis: Redis, name: string, log: Logger): Store {
  const shared = new RedisStore({
    prefix: `${RATE_KEY_PREFIX}${name}:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
  });
  const store = new FallbackStore(shared, new MemoryStore(), log.child({ limiter: name }));
  // The node's connection may not be up yet when the limiter starts (or comes back after an outage): load then.
  redis.on("ready", () => store.reload());
  return store;
}

/**
 * `shared` while it answers within `timeoutMs`; `local` for each request it
 * does not. A hit counted locally is not copied to Redis later: during an
 * outage a client may get up to one extra window's worth per node, which is
 * the price of never making a request wait on Redis.
 */
export class FallbackStore implements Store {
  readonly localKeys = false;
  readonly prefix: string | undefined;
  private options?: Options;
  /** Whether the last call reached `shared` (logged once per change, not per request). */
  private healthy = true;
  /** When `shared` may load its scripts again (epoch ms; 0: it need not): a failed load leaves it unable to count. */
  private reinitAt = 0;

  private readonly shared: Store;
  private readonly local: Store;
  private readonly log: Pick<Logger, "warn" | "info">;
  private readonly timeoutMs: number;

  /** `timeoutMs`: longest wait for `shared` per call (default STORE_TIMEOUT_MS). */
  constructor(shared: Store, local: Store, log: Pick<Logger, "warn" | "info">, timeoutMs = STORE_TIMEOUT_MS) {
    this.shared = shared;
    this.local = local;
    this.log = log;
    this.timeoutMs = timeoutMs;
    this.prefix = shared.prefix;
  }

  init(options: Options): void {
    this.options = options;
    void this.local.init?.(options);
    this.initShared();
  }

  async increment(key: string): Promise<IncrementResponse> {
    return this.either(
      () => this.shared.increment(key),
      () => this.local.increment(key),
    );
  }

  async decrement(key: string): Promise<void> {
    await this.either(
      () => this.shared.decrement(key),
      () => this.local.decrement(key),
    );
  }

  async resetKey(key: string): Promise<void> {
    await Promise.allSettled([this.local.resetKey(key), this.shared.resetKey(key)]);
  }

  async get(key: string) {
    return this.either(
      async () => this.shared.get?.(key),
      async () => this.local.get?.(key),
    );
  }

  /** Load the shared store's scripts again now (its Redis connection just became ready). */
  reload(): void {
    this.initShared();
  }

  shutdown(): void {
    void this.local.shutdown?.();
  }

  private initShared(): void {
    if (!this.options) return;
    this.reinitAt = 0;
    Promise.resolve(this.shared.init?.(this.options)).catch(() => {
      this.reinitAt = Date.now() + REINIT_MS;
    });
  }

  private async either<T>(shared: () => Promise<T> | T, local: () => Promise<T> | T): Promise<T> {
    if (this.reinitAt !== 0 && Date.now() >= this.reinitAt) this.initShared();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(shared), timeout]);
      if (!this.healthy) {
        this.healthy = true;
        this.log.info("rate limits counted in Redis again");
      }
      return result;
    } catch (err) {
      if (this.healthy) {
        this.healthy = false;
        this.log.warn({ reason: (err as Error).message }, "Redis cannot count rate limits: counting on this node until it can");
      }
      // The store may hold a rejected script load (Redis was down at its start): load again, at most every REINIT_MS.
      if (this.reinitAt === 0) this.reinitAt = Date.now() + REINIT_MS;
      return local();
    } finally {
      clearTimeout(timer);
    }
  }
}
