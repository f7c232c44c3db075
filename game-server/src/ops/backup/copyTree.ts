/**
 * Copying a live PostgreSQL data directory for a base backup, leaving out what
 * PostgreSQL's docs (“Making a Base Backup Using the Low Level API”) say to
 * leave out: the WAL (it comes from the archive), runtime files and the
 * contents of temporary folders (the folders themselves are kept). Files may
 * change or vanish while they are copied: WAL replay from the backup's start
 * repairs the first, and the second are skipped, as pg_basebackup does.
 */
import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Folders whose contents are not copied (relative to the data directory). */
const EMPTY_DIRS = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
  "pg_tblspc", // its symlinks are rebuilt from tablespace_map at restore
]);
/** Files never copied from the top of the data directory. */
const SKIP_TOP = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "backup_label",
  "tablespace_map",
  "recovery.signal",
  "standby.signal",
  "backup_label.old",
]);

export interface CopyStats {
  files: number;
  bytes: number;
}

/** Whether a path relative to the data directory (with "/") is left out of a base backup. */
export function skippedInBackup(rel: string, isDir: boolean): boolean {
  const parts = rel.split("/");
  const name = parts[parts.length - 1] as string;
  if (parts.length === 1 && !isDir && SKIP_TOP.has(name)) return true;
  if (name.startsWith("pgsql_tmp") || name === "pg_internal.init") return true;
  return parts.length > 1 && EMPTY_DIRS.has(parts[0] as string);
}

const gone = (err: unknown) => (err as NodeJS.ErrnoException).code === "ENOENT";

/**
 * Copy `from` into `to` (created), skipping what `skip` says; symlinks are not followed (data directories hold
 * none outside pg_tblspc). Returns the number of files and bytes copied.
 */
export async function copyTree(
  from: string,
  to: string,
  skip: (rel: string, isDir: boolean) => boolean = () => false,
  stats: CopyStats = { files: 0, bytes: 0 },
  rel = "",
): Promise<CopyStats> {
  await mkdir(to, { recursive: true, mode: 0o700 });
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(from, { withFileTypes: true });
  } catch (err) {
    if (gone(err)) return stats;
    throw err;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r, e.isDirectory())) continue;
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) {
      await copyTree(src, dst, skip, stats, r);
    } else if (e.isFile()) {
      try {
        await copyFile(src, dst);
        stats.files++;
        stats.bytes += (await stat(dst)).size;
      } catch (err) {
        if (!gone(err)) throw err;
      }
    }
  }
  return stats;
}
