/**
 * The backup folder (BACKUP_DIR) and what is in it:
 *
 *   wal/<system id>/<segment>        archived WAL (ops/backup/archive.ts), one folder per database system
 *   base/<id>/data/…                  a base backup: the data directory as copied, plus backup_label
 *   base/<id>/tablespaces/<oid>/…     the tablespaces' folders, when there are any
 *   base/<id>/backup.json             its manifest, written last: a folder without one is incomplete
 *   dumps/<id>/<table>.csv.gz         a logical dump: one file per table
 *   dumps/<id>/manifest.json          time, migration, row counts, sequences; written last
 *
 * Ids are UTC times (`20261201T170512Z`), so names sort by age.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What `base/<id>/backup.json` records about one base backup. */
export interface BaseBackupManifest {
  id: string;
  systemId: string;
  /** server_version of the backed-up server, e.g. "18.1". */
  pgVersion: string;
  timeline: number;
  /** When pg_backup_start returned (ISO). */
  startedAt: string;
  /** When pg_backup_stop returned and the last WAL it needs was archived (ISO): the earliest time it can be restored to. */
  finishedAt: string;
  startLsn: string;
  stopLsn: string;
  /** First and last WAL segment needed to make this backup consistent. */
  startWal: string;
  stopWal: string;
  files: number;
  bytes: number;
  /** Tablespaces (oid and location on the backed-up server), copied under tablespaces/<oid>. */
  tablespaces: { oid: string; path: string }[];
}

/** What `dumps/<id>/manifest.json` records about one logical dump. */
export interface DumpManifest {
  id: string;
  createdAt: string;
  /** The newest migration applied to the dumped database (restore migrates up to it before loading). */
  migration: string;
  tables: { name: string; file: string; rows: number }[];
  sequences: { name: string; lastValue: string | null; isCalled: boolean }[];
}

export const baseRoot = (backupDir: string) => join(backupDir, "base");
export const dumpRoot = (backupDir: string) => join(backupDir, "dumps");

/** A new id for a backup made at `at`: its UTC time to the second. */
export function backupId(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

function readManifests<T>(root: string, file: string): T[] {
  if (!existsSync(root)) return [];
  const out: T[] = [];
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name, file);
    if (existsSync(path)) out.push(JSON.parse(readFileSync(path, "utf8")) as T);
  }
  return out;
}

/** Complete base backups in `backupDir`, oldest first. */
export function listBaseBackups(backupDir: string): BaseBackupManifest[] {
  return readManifests<BaseBackupManifest>(baseRoot(backupDir), "backup.json").sort((a, b) =>
    a.finishedAt.localeCompare(b.finishedAt),
  );
}

/** Complete logical dumps in `backupDir`, oldest first. */
export function listDumps(backupDir: string): DumpManifest[] {
  return readManifests<DumpManifest>(dumpRoot(backupDir), "manifest.json").sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A WAL segment file name: timeline (8 hex) + log (8 hex) + segment (8 hex). */
export const SEGMENT = /^[0-9A-F]{24}$/;

/**
 * Position of a WAL file in the stream, timeline left out (the 16 hex digits after it), or undefined for files
 * that are not segments or segment-related (`.history` files). Fixed width: positions compare as strings.
 */
export function walPosition(file: string): string | undefined {
  const m = /^[0-9A-F]{8}([0-9A-F]{16})(\.partial|\.[0-9A-F]{8}\.backup)?$/.exec(file);
  return m?.[1];
}
