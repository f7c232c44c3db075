/**
 * `npm run backup`: a logical dump on demand. No pg_dump of the server's major
 * version (18) is on these machines, so Tabula's own tables are exported with
 * `COPY (SELECT * FROM t) TO STDOUT (FORMAT csv, HEADER)` through
 * pg-copy-streams, gzipped, one file per table, all in one repeatable-read
 * snapshot (a consistent dump while the cluster plays), plus a manifest with
 * the time, the newest applied migration, row counts and sequence values.
 * The restore (dumpRestore.ts) migrates an empty database to that migration
 * and COPYs the files back.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { Progress } from "./baseBackup.ts";
import { backupId, type DumpManifest, dumpRoot } from "./layout.ts";

/** Prisma's bookkeeping table: written by the restore's migrate, never copied. */
export const MIGRATIONS_TABLE = "_prisma_migrations";

/** Quote an identifier for SQL. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Dump the database at `databaseUrl` into `<backupDir>/dumps/<id>/`; resolves with its manifest. */
export async function takeDump(opts: { databaseUrl: string; backupDir: string; progress?: Progress }): Promise<DumpManifest> {
  const say = opts.progress ?? (() => {});
  const createdAt = new Date();
  const id = backupId(createdAt);
  const final = join(dumpRoot(opts.backupDir), id);
  const partial = `${final}.partial`;
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true, mode: 0o700 });
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows: mig } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM ${ident(MIGRATIONS_TABLE)} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
       ORDER BY migration_name DESC LIMIT 1`,
    );
    if (!mig[0]) throw new Error("the database has no applied migration: is it Tabula's?");
    // Top-level tables only: a partitioned table is copied through its parent, its partitions not again.
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
       ORDER BY c.relname`,
      [MIGRATIONS_TABLE],
    );
    const manifest: DumpManifest = {
      id,
      createdAt: createdAt.toISOString(),
      migration: mig[0].migration_name,
      tables: [],
      sequences: [],
    };
    for (const { name } of tables) {
      const file = `${name}.csv.gz`;
      const stream = client.query(copyTo(`COPY (SELECT * FROM ${ident(name)}) TO STDOUT (FORMAT csv, HEADER true)`));
      await pipeline(stream, createGzip(), createWriteStream(join(partial, file), { mode: 0o600 }));
      manifest.tables.push({ name, file, rows: stream.rowCount });
      say(`dump ${id}: ${name}: ${stream.rowCount} rows`);
    }
    const { rows: seqs } = await client.query<{ name: string; last_value: string | null; is_called: boolean }>(
      `SELECT sequencename AS name, last_value::text, last_value IS NOT NULL AS is_called FROM pg_sequences
       WHERE schemaname = current_schema() ORDER BY sequencename`,
    );
    manifest.sequences = seqs.map((s) => ({ name: s.name, lastValue: s.last_value, isCalled: s.is_called }));
    await client.query("COMMIT");
    await writeFile(join(partial, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(partial, final);
    say(`dump ${id}: done (${manifest.tables.length} tables, migration ${manifest.migration}) in ${final}`);
    return manifest;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  } finally {
    await client.end();
  }
}
