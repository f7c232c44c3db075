/**
 * A base backup with PostgreSQL's low-level API, on the machine that runs the
 * server (its data directory must be readable here): `pg_backup_start` and
 * `pg_backup_stop` on one connection, the data directory (and tablespaces)
 * copied in between, and the backup_label / tablespace_map that
 * `pg_backup_stop` returns written into the copy. `pg_backup_stop` waits until
 * the last WAL segment the copy needs is archived, so a backup whose manifest
 * exists can be restored. Needs a superuser connection and archiving on.
 */
import { mkdir, readdir, readlink, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { copyTree, skippedInBackup } from "./copyTree.ts";
import { type BaseBackupManifest, backupId, baseRoot } from "./layout.ts";

export type Progress = (line: string) => void;

/** Take a base backup of the server at `databaseUrl` into `<backupDir>/base/<id>/`; resolves with its manifest. */
export async function takeBaseBackup(opts: {
  databaseUrl: string;
  backupDir: string;
  progress?: Progress;
}): Promise<BaseBackupManifest> {
  const say = opts.progress ?? (() => {});
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  const startedAt = new Date();
  const id = backupId(startedAt);
  const final = join(baseRoot(opts.backupDir), id);
  const partial = `${final}.partial`;
  try {
    const settings = await client.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('archive_mode', 'data_directory', 'server_version')",
    );
    const s = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
    if (s.archive_mode !== "on" && s.archive_mode !== "always") {
      throw new Error("WAL archiving is off on this server (archive_mode): a base backup without it cannot be restored");
    }
    const dataDir = s.data_directory as string;
    const { rows: sys } = await client.query<{ system_identifier: string }>(
      "SELECT system_identifier::text FROM pg_control_system()",
    );
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true, mode: 0o700 });

    say(`base backup ${id}: pg_backup_start (checkpoint)…`);
    const { rows: start } = await client.query<{ lsn: string; wal: string }>(
      "SELECT lsn::text, pg_walfile_name(lsn) AS wal FROM pg_backup_start($1, true) AS lsn",
      [`tabula ${id}`],
    );
    say(`base backup ${id}: copying ${dataDir}…`);
    const stats = await copyTree(dataDir, join(partial, "data"), skippedInBackup);
    const tablespaces: { oid: string; path: string }[] = [];
    for (const oid of await readdir(join(dataDir, "pg_tblspc"))) {
      const path = await readlink(join(dataDir, "pg_tblspc", oid));
      say(`base backup ${id}: copying tablespace ${oid} (${path})…`);
      await copyTree(path, join(partial, "tablespaces", oid), undefined, stats);
      tablespaces.push({ oid, path });
    }
    say(`base backup ${id}: pg_backup_stop (waits for the last WAL segment to be archived)…`);
    const { rows: stop } = await client.query<{ lsn: string; wal: string; labelfile: string; spcmapfile: string }>(
      "SELECT lsn::text, pg_walfile_name(lsn) AS wal, labelfile, spcmapfile FROM pg_backup_stop(true)",
    );
    const end = stop[0]!;
    // Written byte for byte, as the docs require.
    await writeFile(join(partial, "data", "backup_label"), end.labelfile);
    if (end.spcmapfile) await writeFile(join(partial, "data", "tablespace_map"), end.spcmapfile);
    const { rows: tl } = await client.query<{ timeline_id: number }>("SELECT timeline_id FROM pg_control_checkpoint()");
    const manifest: BaseBackupManifest = {
      id,
      systemId: sys[0]!.system_identifier,
      pgVersion: s.server_version as string,
      timeline: tl[0]!.timeline_id,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      startLsn: start[0]!.lsn,
      stopLsn: end.lsn,
      startWal: start[0]!.wal,
      stopWal: end.wal,
      files: stats.files,
      bytes: stats.bytes,
      tablespaces,
    };
    await writeFile(join(partial, "backup.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(partial, final);
    say(
      `base backup ${id}: done, ${stats.files} files, ${(stats.bytes / 1e6).toFixed(1)} MB, WAL ${manifest.startWal}..${manifest.stopWal}`,
    );
    return manifest;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  } finally {
    // Ending the session also ends a backup that pg_backup_stop did not (PostgreSQL aborts it).
    await client.end();
  }
}
