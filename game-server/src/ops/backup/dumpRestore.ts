/**
 * Restore a logical dump (dump.ts) into an EMPTY database: migrate it with the
 * repository's migrations up to the dump's migration, COPY every table back in
 * one transaction (foreign-key triggers off meanwhile:
 * session_replication_role = replica, as pg_restore's --disable-triggers),
 * set the sequences, check the row counts, then apply any newer migrations.
 */
import { createReadStream } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import pg from "pg";
import { monthOf } from "../../db/partitions/layout.ts";
import { createMonthPartitions } from "../../db/partitions/maintain.ts";
import { ID_EPOCH_MS } from "../../game/gameId.ts";
import { from as copyFrom } from "pg-copy-streams";
import { migrate } from "../../db/migrate.ts";
import type { Logger } from "../../log.ts";
import type { Progress } from "./baseBackup.ts";
import { ident } from "./dump.ts";
import type { DumpManifest } from "./layout.ts";
import { RestoreRefused } from "./restore.ts";

/** Restore dump folder `dumpDir` into the empty database at `databaseUrl` (RestoreRefused, code 3, if it is not empty). */
export async function restoreDump(opts: {
  databaseUrl: string;
  dumpDir: string;
  migrationsDir: string;
  log: Logger;
  progress?: Progress;
}): Promise<DumpManifest> {
  const say = opts.progress ?? (() => {});
  const manifest = JSON.parse(await readFile(join(opts.dumpDir, "manifest.json"), "utf8")) as DumpManifest;
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'p')`,
    );
    if (rows[0]!.n > 0) {
      throw new RestoreRefused("the target database is not empty: restore a dump into a new, empty database", 3);
    }
    const all = (await readdir(opts.migrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    if (!all.includes(manifest.migration)) {
      throw new RestoreRefused(`the dump was made at migration ${manifest.migration}, which this checkout does not have`, 4);
    }
    // Migrate to exactly the dump's schema first, so that its columns match the files.
    const upTo = await mkdtemp(join(tmpdir(), "tabula-restore-migrations-"));
    try {
      for (const name of all.filter((n) => n <= manifest.migration)) {
        await cp(join(opts.migrationsDir, name), join(upTo, name), { recursive: true });
      }
      await migrate(opts.databaseUrl, upTo, opts.log);
    } finally {
      await rm(upTo, { recursive: true, force: true });
    }
    say(`restore dump ${manifest.id}: schema migrated to ${manifest.migration}`);
    // The migrations made the month partitions of today; the dump's rows may be of any month since game ids
    // became time-ordered (docs/database.md).
    await createMonthPartitions(client, monthOf(ID_EPOCH_MS), monthOf(Date.now()));
    await client.query("BEGIN");
    await client.query("SET LOCAL session_replication_role = replica");
    for (const t of manifest.tables) {
      const stream = client.query(copyFrom(`COPY ${ident(t.name)} FROM STDIN (FORMAT csv, HEADER match)`));
      await pipeline(createReadStream(join(opts.dumpDir, t.file)), createGunzip(), stream);
      if (stream.rowCount !== t.rows) throw new Error(`${t.name}: ${stream.rowCount} rows loaded, the dump has ${t.rows}`);
      say(`restore dump ${manifest.id}: ${t.name}: ${stream.rowCount} rows`);
    }
    for (const s of manifest.sequences) {
      if (s.lastValue !== null)
        await client.query("SELECT setval($1::regclass, $2::bigint, $3)", [ident(s.name), s.lastValue, s.isCalled]);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  const later = await migrate(opts.databaseUrl, opts.migrationsDir, opts.log);
  if (later.length) say(`restore dump ${manifest.id}: applied ${later.length} newer migrations`);
  return manifest;
}
