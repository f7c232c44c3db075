/**
 * The Prometheus metrics of one node: a prom-client registry of its own (not
 * prom-client's global one, so that several nodes in one test process do not
 * collide) holding every `tabula_` metric and prom-client's default process
 * metrics (CPU, memory, event-loop lag, GC). docs/monitoring.md says what each
 * one means and which alert reads it.
 *
 * Instrumented code gets the metric objects themselves and makes one call
 * (`inc`, `observe`) where the event happens: on the move path that is a
 * counter increment per committed batch and two histogram observations, no
 * allocation beyond prom-client's own. Gauges of things that exist anyway
 * (live rooms, queues) are read when Prometheus scrapes, never kept up to date.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { type LiveRoom, type QueueSource, roomGauges } from "./gauges.ts";

/** Seconds: 0.5 ms … 2.5 s. Commit and move handling sit in the low milliseconds; the budget (50 ms) is in the middle. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Moves per group-commit statement: 1 … 512 (COMMIT_BATCH_MAX defaults to 256). */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/** Seconds a player waited in a quick-play queue: 10 ms … 2 min. */
export const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Seconds per HTTP request: 1 ms … 30 s (long polls wait up to 30 s). */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30];

export interface Metrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  /** Moves written to the move log (rows inserted by group commit). */
  readonly movesCommitted: Counter;
  /** One group-commit statement, from sending it to its result, seconds. */
  readonly commitSeconds: Histogram;
  /** Moves per group-commit statement. */
  readonly commitBatchSize: Histogram;
  /** From the host receiving a player's move to its broadcast (committed and sent), seconds. */
  readonly moveHandlingSeconds: Histogram;
  /** Messages refused with an error, by protocol error code. */
  readonly refusedMessages: Counter<"code">;
  /** Games made by matchmaking, by mode (quick, invite). */
  readonly pairings: Counter<"mode">;
  /** Time a quick-play ticket waited from entering its queue to being paired, by game, seconds. */
  readonly matchmakingWaitSeconds: Histogram<"game">;
  /** Games rebuilt here from the move log, by why (node dead, lease gone, rejoin…). */
  readonly takeovers: Counter<"reason">;
  /** Leases this node held that turned out to be another node's. */
  readonly leaseLosses: Counter;
  /** Writes refused because another node's fencing token had replaced ours. */
  readonly fencedWrites: Counter;
  /** HTTP requests refused by a rate limit (429), by route. */
  readonly rateLimited: Counter<"route">;
  /** HTTP requests answered, by method, route pattern and status. */
  readonly httpRequests: Counter<"method" | "route" | "status">;
  /** HTTP request duration, by route pattern, seconds. */
  readonly httpSeconds: Histogram<"route">;
  /** Redis connection errors, by client. */
  readonly redisErrors: Counter<"client">;
  /** PostgreSQL failures: move-log statements (unavailable, other) and idle pool connections (idle). */
  readonly dbErrors: Counter<"kind">;
  /** The rooms this node hosts: live games by kind and connections are read from them at each scrape. */
  readonly rooms: Set<LiveRoom>;
  /** Where the matchmaking queue lengths are read from at each scrape (set once the matchmaker exists). */
  queues: QueueSource | undefined;
}

export interface MetricsOptions {
  /** Also collect prom-client's default process metrics (default true; unit tests turn them off). */
  defaults?: boolean;
}

/** A fresh registry with every Tabula metric registered in it. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: L[] = []) =>
    new Histogram<L>({ name, help, buckets, labelNames, registers });

  const rooms = new Set<LiveRoom>();
  const metrics: Metrics = {
    registry,
    movesCommitted: counter("tabula_moves_committed_total", "Moves written to the move log (rows inserted by group commit)"),
    commitSeconds: histogram("tabula_commit_duration_seconds", "One group-commit statement, sent to committed", LATENCY_BUCKETS),
    commitBatchSize: histogram("tabula_commit_batch_size", "Moves per group-commit statement", BATCH_BUCKETS),
    moveHandlingSeconds: histogram(
      "tabula_move_handling_seconds",
      "From the game host receiving a player's move to its broadcast (validated, committed, sent)",
      LATENCY_BUCKETS,
    ),
    refusedMessages: counter("tabula_refused_messages_total", "Room messages refused with an error, by error code", ["code"]),
    pairings: counter("tabula_pairings_total", "Games made by matchmaking, by mode", ["mode"]),
    matchmakingWaitSeconds: histogram(
      "tabula_matchmaking_wait_seconds",
      "Time a quick-play ticket waited in its queue before it was paired",
      WAIT_BUCKETS,
      ["game"],
    ),
    takeovers: counter("tabula_takeovers_total", "Games rebuilt on this node from the move log, by reason", ["reason"]),
    leaseLosses: counter("tabula_lease_losses_total", "Game leases this node held that turned out to be another node's"),
    fencedWrites: counter("tabula_fenced_writes_total", "Writes refused because a newer owner's fencing token replaced ours"),
    rateLimited: counter("tabula_rate_limited_total", "HTTP requests refused by a rate limit (429), by route", ["route"]),
    httpRequests: counter("tabula_http_requests_total", "HTTP requests answered, by method, route pattern and status", [
      "method",
      "route",
      "status",
    ]),
    httpSeconds: histogram("tabula_http_request_duration_seconds", "HTTP request duration by route pattern", HTTP_BUCKETS, [
      "route",
    ]),
    redisErrors: counter("tabula_redis_errors_total", "Redis connection errors, by client", ["client"]),
    dbErrors: counter("tabula_db_errors_total", "PostgreSQL failures, by kind (unavailable, other, idle)", ["kind"]),
    rooms,
    queues: undefined,
  };
  roomGauges(registry, rooms, () => metrics.queues);
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry });
  return metrics;
}
