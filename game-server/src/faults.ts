/**
 * The process-wide net for promise rejections nobody handled.
 *
 * Colyseus builds its Redis clients (presence, driver) with ioredis'
 * defaults and calls some of them without handling the result: the room
 * count it saves on every join, leave and room disposal, and a listing's
 * removal when a room is disposed. During a Redis outage longer than
 * ioredis' 20 reconnection attempts (~10 s) those calls reject, and Node
 * ends a process on an unhandled rejection: every node of the cluster would
 * exit (docs/operations.md, post-mortem 14). A Redis outage is survivable —
 * running games go on, and leases, listings and counts are written again
 * when Redis returns — so such a rejection is logged as a warning (at most
 * one line per `quietMs`, with a count). Any other unhandled rejection is a
 * bug: it is logged and the process exits, as Node would have.
 */
import type { Logger } from "./log.ts";

/** ioredis' messages when a command cannot reach Redis (see ioredis/built: errors/, Redis.js, utils). */
const REDIS_UNREACHABLE = [
  /^Reached the max retries per request limit/,
  /^Connection is closed\.$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
];

/** Whether `err` says only that Redis could not be reached (not a bug in a command). */
export function isRedisOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "MaxRetriesPerRequestError") return true;
  return REDIS_UNREACHABLE.some((re) => re.test(err.message));
}

/**
 * Handle `unhandledRejection` for this process: Redis outages are warned
 * about (rate-limited), anything else is fatal (`exit(1)` after logging).
 * Returns the handler (tests call it directly).
 */
export function installRejectionGuard(
  log: Logger,
  opts: { exit?: (code: number) => void; quietMs?: number; now?: () => number; on?: typeof process.on } = {},
): (reason: unknown) => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const quietMs = opts.quietMs ?? 5_000;
  const now = opts.now ?? Date.now;
  let lastWarn = Number.NEGATIVE_INFINITY;
  let muted = 0;
  const handler = (reason: unknown) => {
    if (isRedisOutage(reason)) {
      const t = now();
      if (t - lastWarn < quietMs) {
        muted++;
        return;
      }
      log.warn(
        { err: (reason as Error).message, alsoSince: muted },
        "a Redis call failed (Redis unreachable); the node goes on and writes it again when Redis returns",
      );
      lastWarn = t;
      muted = 0;
      return;
    }
    log.fatal({ err: reason }, "unhandled promise rejection: this is a bug; exiting");
    exit(1);
  };
  (opts.on ?? process.on.bind(process))("unhandledRejection", handler);
  return handler;
}
