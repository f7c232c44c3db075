/**
 * The database connection: one `pg` pool, shared by the Prisma client (on the
 * `pg` driver adapter, no query-engine binary needed) and by the one hot-path
 * statement that bypasses Prisma (group commit, db/groupCommit.ts).
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

/** What the statements that bypass Prisma need from the pool: pg.Pool's query with a named (prepared) statement. */
export interface Sql {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export interface Database {
  db: Db;
  pool: pg.Pool;
  /** Disconnect Prisma and end the pool. */
  close(): Promise<void>;
}

/**
 * Open `url` with a pool of `poolSize` connections. `onIdleError` hears about
 * errors of idle pooled connections (e.g. the server restarted); without a
 * listener pg would throw them as uncaught.
 */
export function openDatabase(url: string, poolSize = 10, onIdleError: (err: Error) => void = () => {}): Database {
  // Connections are kept, not closed after 10 s idle (pg's default): a burst after a quiet spell would
  // otherwise pay a PostgreSQL fork and a SCRAM handshake per connection, on both sides, at the worst time.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0 });
  let closing = false;
  // Once closing, connections still hanging up may hear the server go away: expected, not news.
  pool.on("error", (err) => {
    if (!closing) onIdleError(err);
  });
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    db,
    pool,
    async close() {
      closing = true;
      await db.$disconnect();
      if (!pool.ended) await pool.end();
    },
  };
}

/** A Prisma client for `url` with a pool of `poolSize` connections (tests and tools that need no hot path). */
export function createDb(url: string, poolSize = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
