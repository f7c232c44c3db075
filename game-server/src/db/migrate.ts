/**
 * Applies the SQL migrations in prisma/migrations the way `prisma migrate deploy`
 * does, and records them in `_prisma_migrations` exactly as Prisma records them,
 * so the two are interchangeable: where Prisma's schema engine can be had,
 * `prisma migrate deploy` sees these migrations as applied (the engine binary
 * cannot be downloaded on our build machines, hence this module).
 *
 * A PostgreSQL advisory lock (the same key Prisma uses) serialises nodes that
 * start at the same time.
 *
 * Before any migration, under the same lock, the tablespaces the partitioned
 * tables live on are made or checked (partitions/tablespaces.ts): CREATE
 * TABLESPACE cannot run inside a migration's transaction.
 */
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import type { Logger } from "../log.ts";
import { ensureTablespaces, type TablespaceSetting } from "./partitions/tablespaces.ts";

/** Prisma's advisory lock key for migrations. */
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Read `<dir>/<name>/migration.sql` for every migration folder, in name order. */
export async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/**
 * Apply every migration not yet recorded as finished. Each runs in its own
 * transaction together with its `_prisma_migrations` row. Refuses to go on when
 * an applied migration's file has changed or a previous attempt failed.
 * `tablespaces`: made when missing, or (default, `managed`) only checked; a missing one throws
 * TablespaceError before anything is applied.
 * @returns the names of the migrations applied by this call.
 */
export async function migrate(
  databaseUrl: string,
  migrationsDir: string,
  log: Logger,
  tablespaces: TablespaceSetting = { managed: true },
): Promise<string[]> {
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await ensureTablespaces(client, tablespaces, log);
    await client.query(CREATE_TABLE);
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const done = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    for (const m of migrations) {
      const row = done.get(m.name);
      if (row && row.finished_at === null) {
        throw new Error(`migration ${m.name} failed earlier and is not finished; resolve it by hand (see prisma/README.md)`);
      }
      if (row) {
        if (row.checksum !== m.checksum) {
          log.warn({ migration: m.name }, "applied migration was modified since it was applied");
        }
        continue;
      }
      const id = randomUUID();
      await client.query("BEGIN");
      try {
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
          [id, m.checksum, m.name],
        );
        await client.query(m.sql);
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
      log.info({ migration: m.name }, "migration applied");
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
  return applied;
}
