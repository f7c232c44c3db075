/**
 * Reads that may be served by the read replica (history, replay, the
 * operator page): `reads.read(fn)` runs `fn` on the replica while it is up
 * and within REPLICA_MAX_LAG_S of the primary, otherwise on the primary; a
 * read that fails on the replica runs once more on the primary, so a dying
 * replica never shows a client an error. Where the replica stands is checked
 * in the background once a second (replicaLag.ts), never per request.
 *
 * Writes cannot go through here: `ReadDb` exposes only the models' find,
 * count, aggregate and groupBy methods; `ReadSql` (for what Prisma cannot
 * model, the leaderboard's materialized view) runs its statement in a
 * read-only transaction on the primary; and the replica itself is a hot
 * standby that refuses writes. Game hosting, recovery, takeover and anything
 * under a lease must keep using the primary (`db`): a stale read there would
 * break the move log's guarantees.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./client.ts";
import { guard, isConnectionError } from "./errors.ts";
import { LagEstimator, lsnToNumber, type ReadReason, type ReplicaState, route } from "./replicaLag.ts";

type ReadMethod =
  | "findUnique"
  | "findUniqueOrThrow"
  | "findFirst"
  | "findFirstOrThrow"
  | "findMany"
  | "count"
  | "aggregate"
  | "groupBy";
type ModelName = { [K in keyof Db]: K extends `$${string}` | symbol ? never : K }[keyof Db];

/** The Prisma client reduced to reads: every model's find/count/aggregate/groupBy, nothing that writes, no raw SQL. */
export type ReadDb = { readonly [M in ModelName]: Pick<Db[M], Extract<keyof Db[M], ReadMethod>> };

/**
 * Plain SQL reads, for what Prisma cannot model (a materialized view). `select` runs one statement with
 * `values` as its parameters ($1, $2…) and returns its rows; PostgreSQL refuses any write in it (read-only
 * transaction on the primary, hot standby on the replica).
 */
export interface ReadSql {
  select<R extends object>(text: string, values?: unknown[]): Promise<R[]>;
}

/** `ReadSql` on `pool`; `readOnly` wraps each statement in a READ ONLY transaction (the primary). */
function sqlOn(pool: pg.Pool, readOnly: boolean): ReadSql {
  return {
    async select<R extends object>(text: string, values: unknown[] = []) {
      if (!readOnly) return (await pool.query(text, values)).rows as R[];
      const client = await pool.connect();
      try {
        await client.query("BEGIN READ ONLY");
        const { rows } = await client.query(text, values);
        await client.query("COMMIT");
        return rows as R[];
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/** Counts each read by where it went and why (tabula_replica_reads_total). */
export type ReadCounter = { inc(labels: { target: "replica" | "primary"; reason: ReadReason }): void };

export interface ReadOptions<T> {
  /**
   * Whether the replica's `result` may be given to the caller. False (it may predate the caller's own
   * writes, read-your-writes): the read runs again on the primary. `primary` may be read to decide.
   */
  trust?: (result: T, primary: ReadDb) => boolean | Promise<boolean>;
}

export interface Reads {
  /** Where a read would go right now: the replica's client when up and fresh, else the primary's. */
  db(): ReadDb;
  /**
   * Run `fn` on the replica or the primary (see the file comment), with Prisma (`db`) or plain SQL (`sql`)
   * on the same one; errors as the primary's (DbUnavailableError, …).
   */
  read<T>(fn: (db: ReadDb, sql: ReadSql) => Promise<T>, opts?: ReadOptions<T>): Promise<T>;
  /** The replica as of its last check, with the bound (REPLICA_MAX_LAG_S). */
  state(): ReplicaState & { maxLagS: number };
  /** Check the replica now (the background check does this every `checkEveryMs`). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads over `primary` (the node's Prisma client and its pool) and, when `replicaUrl` is given, a replica
 * with a pool of `poolSize` connections. `maxLagS`: the lag bound in seconds; `checkEveryMs` default 1000.
 */
export function createReads(opts: {
  primary: Db;
  primaryPool: pg.Pool;
  replicaUrl?: string;
  maxLagS: number;
  poolSize?: number;
  checkEveryMs?: number;
  counter?: ReadCounter;
  log: Logger;
}): Reads {
  const primary = opts.primary as ReadDb;
  const primarySql = sqlOn(opts.primaryPool, true);
  const counter = opts.counter ?? { inc() {} };
  const state: ReplicaState = { configured: !!opts.replicaUrl, up: false, lagS: Number.POSITIVE_INFINITY };
  if (!opts.replicaUrl) {
    return {
      db: () => primary,
      async read(fn) {
        counter.inc({ target: "primary", reason: "none" });
        return guard(() => fn(primary, primarySql));
      },
      state: () => ({ ...state, maxLagS: opts.maxLagS }),
      async check() {},
      async close() {},
    };
  }

  // A dead replica host must cost a read little: short connect and query timeouts, then the primary.
  const pool = new pg.Pool({
    connectionString: opts.replicaUrl,
    max: opts.poolSize ?? 5,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 2_000,
    query_timeout: 5_000,
    // Seen in the replica's pg_stat_activity: which connections are the nodes' reads.
    application_name: "tabula-reads",
  });
  let closing = false;
  pool.on("error", () => {
    // An idle connection to a replica that went away: the next check says so.
  });
  const replica = new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as ReadDb;
  const replicaSql = sqlOn(pool, false);
  const estimator = new LagEstimator();
  let checking: Promise<void> | undefined;

  function setUp(up: boolean, why: string) {
    if (state.up !== up && !closing) {
      if (up) opts.log.info({ lagS: state.lagS }, "read replica up: history and replay reads go to it");
      else opts.log.warn({ why }, "read replica down: reads go to the primary");
    }
    state.up = up;
  }

  async function checkOnce(): Promise<void> {
    const at = performance.now();
    // The primary's position first: a replica that has replayed past it was caught up at `at`.
    const primaryLsn = await opts.primaryPool
      .query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")
      .then((r) => lsnToNumber(r.rows[0]?.lsn ?? ""))
      .catch(() => undefined);
    try {
      const { rows } = await pool.query<{ recovery: boolean; replay: string | null; since_ms: number | null }>(
        "SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replay, " +
          "(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS since_ms",
      );
      const r = rows[0];
      if (!r?.recovery || !r.replay) {
        // Promoted (or not a standby at all): its data no longer follows the primary's.
        state.lagS = Number.POSITIVE_INFINITY;
        return setUp(false, "REPLICA_DATABASE_URL is not a standby in recovery");
      }
      const sinceLastReplayMs = r.since_ms === null ? null : Number(r.since_ms);
      const prevLag = state.lagS;
      state.lagS =
        primaryLsn === undefined
          ? sinceLastReplayMs === null
            ? Number.POSITIVE_INFINITY
            : sinceLastReplayMs / 1000
          : estimator.observe({ at, primaryLsn, replayLsn: lsnToNumber(r.replay), sinceLastReplayMs });
      const over = state.lagS > opts.maxLagS;
      if (state.up && over !== prevLag > opts.maxLagS) {
        if (over) opts.log.warn({ lagS: state.lagS, maxLagS: opts.maxLagS }, "read replica lags: reads go to the primary");
        else opts.log.info({ lagS: state.lagS }, "read replica caught up: reads go to it again");
      }
      setUp(true, "");
    } catch (err) {
      state.lagS = Number.POSITIVE_INFINITY;
      setUp(false, (err as Error).message);
    }
  }

  const check = () => {
    checking ??= checkOnce().finally(() => {
      checking = undefined;
    });
    return checking;
  };
  const timer = setInterval(() => void check(), opts.checkEveryMs ?? 1000);
  timer.unref();
  void check();

  return {
    db: () => (route(state, opts.maxLagS).target === "replica" ? replica : primary),
    async read(fn, ro = {}) {
      const choice = route(state, opts.maxLagS);
      if (choice.target === "replica") {
        let result: Awaited<ReturnType<typeof fn>> | undefined;
        let failed = false;
        try {
          result = await fn(replica, replicaSql);
        } catch (err) {
          failed = true;
          // Unreachable: reads go to the primary until the next check finds it again.
          if (isConnectionError(err)) setUp(false, (err as Error).message);
          opts.log.debug({ err: (err as Error).message }, "read failed on the replica; reading the primary");
          counter.inc({ target: "primary", reason: "error" });
        }
        if (!failed) {
          if (!ro.trust || (await guard(() => Promise.resolve(ro.trust!(result as never, primary))))) {
            counter.inc({ target: "replica", reason: "fresh" });
            return result as never;
          }
          counter.inc({ target: "primary", reason: "stale" });
        }
      } else {
        counter.inc(choice as { target: "primary"; reason: ReadReason });
      }
      return guard(() => fn(primary, primarySql));
    },
    state: () => ({ ...state, maxLagS: opts.maxLagS }),
    check,
    async close() {
      closing = true;
      clearInterval(timer);
      await checking?.catch(() => {});
      await (replica as unknown as PrismaClient).$disconnect().catch(() => {});
      if (!pool.ended) await pool.end().catch(() => {});
    },
  };
}

/**
 * `replicaUrl` with `primaryUrl`'s user and password when it names none (a standby has the primary's roles
 * and passwords: Kubernetes can then point REPLICA_DATABASE_URL at the operator's read-only Service
 * without a second Secret).
 */
export function withPrimaryCredentials(replicaUrl: string, primaryUrl: string): string {
  const r = new URL(replicaUrl);
  if (r.username) return replicaUrl;
  const p = new URL(primaryUrl);
  r.username = p.username;
  r.password = p.password;
  return r.toString();
}
