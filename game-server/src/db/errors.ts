/**
 * Database errors, classified by cause. Only a failure to reach or keep a
 * connection means "unavailable, retry" (the write did not happen, or its
 * outcome is unknown and the guarded retry is safe); anything else — a bug, a
 * constraint violation, a bad query — is an internal error and must surface
 * as one, not hide behind "try again".
 */

/** The database could not be reached (connection refused, lost, timed out, overloaded): nothing was applied, retry. */
export class DbUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DbUnavailableError";
  }
}

/** Node socket errors (pg's, or surfaced through Prisma's driver adapter). */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/**
 * Prisma error codes for connection trouble: P1001 can't reach, P1002 timed
 * out, P1008 socket timeout, P1017 connection closed, P2024 pool timeout,
 * P2037 too many connections (what the pg adapter's TooManyConnections maps to).
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);

/** @prisma/adapter-pg's error kinds (DriverAdapterError.cause.kind) for connection trouble. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 cannot connect now (starting up, recovering),
 * 53300 too many connections.
 */
function isConnectionSqlState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
}

/** pg's own connection errors carry no code, only these messages. */
const PG_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
];

interface Inspectable {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Whether `err` (or anything it wraps) says the database is unreachable rather than that the request was wrong. */
export function isConnectionError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (e === null || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof DbUnavailableError) return true;
    const x = e as Inspectable;
    if (typeof x.code === "string" && (SOCKET_CODES.has(x.code) || PRISMA_CODES.has(x.code) || isConnectionSqlState(x.code)))
      return true;
    if (typeof x.kind === "string" && ADAPTER_KINDS.has(x.kind)) return true;
    if (x.kind === "postgres" && typeof x.originalCode === "string" && isConnectionSqlState(x.originalCode)) return true;
    if (typeof x.message === "string" && typeof x.code !== "string" && PG_MESSAGES.some((re) => re.test(x.message as string)))
      return true;
    queue.push(x.cause, x.meta?.driverAdapterError);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return false;
}

/** Run a database call; a connection-class failure becomes DbUnavailableError, anything else is rethrown as is. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DbUnavailableError) throw err;
    if (isConnectionError(err)) throw new DbUnavailableError((err as Error).message ?? String(err), { cause: err });
    throw err;
  }
}
