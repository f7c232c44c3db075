/**
 * Point-in-time restore of a base backup: pick the backup, lay it down in an
 * empty (or moved-aside) data directory, and configure archive recovery
 * (`recovery.signal`, `restore_command` reading the WAL archive,
 * `recovery_target_time` or the end of the archive, then promote). The server
 * replays the WAL when it next starts (recover.ts does that at once).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, chown, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { postgresOwner, walArchiveDir } from "./archive.ts";
import type { Progress } from "./baseBackup.ts";
import { copyTree } from "./copyTree.ts";
import { type BaseBackupManifest, backupId, baseRoot } from "./layout.ts";

/** Where to stop replaying: at `time` (the last transaction committed at or before it), or at the end of the archive. */
export type RestoreTarget = { kind: "latest" } | { kind: "time"; time: Date };

/** A restore that must not go ahead (a running server, a non-empty folder, nothing to restore): exit code 3 or 4. */
export class RestoreRefused extends Error {
  readonly exitCode: 3 | 4;
  constructor(message: string, exitCode: 3 | 4) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * The base backup to restore `target` from: the newest that finished at or before the target time (a backup
 * cannot be restored to a time before it finished), or the newest of all for "latest". Undefined if none fits.
 */
export function chooseBaseBackup<T extends Pick<BaseBackupManifest, "finishedAt">>(
  backups: T[],
  target: RestoreTarget,
): T | undefined {
  const fit = target.kind === "latest" ? backups : backups.filter((b) => new Date(b.finishedAt) <= target.time);
  return [...fit].sort((a, b) => a.finishedAt.localeCompare(b.finishedAt)).at(-1);
}

/** The pid in `dataDir`/postmaster.pid when that process is alive, else undefined. */
export function runningPostmaster(dataDir: string): number | undefined {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
  }
}

/** Make `dir` free for a restore: refuse if a server runs there; move a non-empty one aside when `overwrite`. */
async function clearTarget(dir: string, what: string, overwrite: boolean, say: Progress): Promise<void> {
  const pid = runningPostmaster(dir);
  if (pid) throw new RestoreRefused(`${what} ${dir} belongs to a running PostgreSQL (pid ${pid}): stop it first`, 3);
  if (!existsSync(dir) || readdirSync(dir).length === 0) return;
  if (!overwrite) {
    throw new RestoreRefused(`${what} ${dir} is not empty: move it away, or pass --overwrite to have it moved aside`, 3);
  }
  const aside = `${dir}.before-restore-${backupId(new Date())}`;
  await rename(dir, aside);
  say(`moved the old ${what} aside to ${aside}`);
}

/** `time` as PostgreSQL's recovery_target_time accepts it ("2026-12-01 17:11:14.930+00"; it refuses ISO's T and Z). */
export function pgTimestamp(time: Date): string {
  return time.toISOString().replace("T", " ").replace("Z", "+00");
}

/** A recovery setting line for postgresql.auto.conf (single quotes doubled). */
const setting = (name: string, value: string) => `${name} = '${value.replaceAll("'", "''")}'\n`;

/** Hand `dir` and everything in it to the postgres user (when we are root), data directory mode 0700. */
async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  await chown(dir, owner.uid, owner.gid);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await chownTree(p, owner);
    else await chown(p, owner.uid, owner.gid);
  }
}

/**
 * Lay base backup `backup` (from `backupDir`) down in `dataDir` (and its tablespaces at their recorded paths)
 * and configure recovery to `target` from the WAL archive. Refuses (RestoreRefused) when a server runs on
 * `dataDir` or it is not empty (unless `overwrite`: then it is renamed `<dataDir>.before-restore-<time>`).
 */
export async function layDownBaseBackup(opts: {
  backupDir: string;
  backup: BaseBackupManifest;
  dataDir: string;
  target: RestoreTarget;
  overwrite?: boolean;
  progress?: Progress;
}): Promise<void> {
  const say = opts.progress ?? (() => {});
  const { backup, dataDir } = opts;
  const from = join(baseRoot(opts.backupDir), backup.id);
  // Tablespace folders (docs/database.md) outlive a lost data directory: with no data directory left, what they
  // hold is of no use to anyone and they are moved aside (never deleted), as --overwrite would.
  const dataDirGone = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  await clearTarget(dataDir, "data directory", opts.overwrite ?? false, say);
  for (const t of backup.tablespaces) {
    await clearTarget(t.path, "tablespace folder", (opts.overwrite ?? false) || dataDirGone, say);
  }

  say(`copying base backup ${backup.id} (${(backup.bytes / 1e6).toFixed(1)} MB) into ${dataDir}…`);
  await copyTree(join(from, "data"), dataDir);
  for (const t of backup.tablespaces) {
    say(`copying tablespace ${t.oid} into ${t.path}…`);
    await copyTree(join(from, "tablespaces", t.oid), t.path);
  }
  const wal = walArchiveDir(opts.backupDir, backup.systemId);
  // Recovery settings left by an earlier restore (a backup of a restored server carries them) must not apply.
  const autoConf = join(dataDir, "postgresql.auto.conf");
  const kept = (existsSync(autoConf) ? readFileSync(autoConf, "utf8") : "")
    .split("\n")
    .filter((l) => !/^\s*(restore_command|recovery_target\w*)\s*=/.test(l) && !l.startsWith("# Added by `npm run restore`"));
  let conf = `${kept.join("\n").trimEnd()}\n# Added by \`npm run restore\` (docs/backups.md): archive recovery from the WAL archive.\n`;
  conf += setting("restore_command", `cp "${wal}/%f" "%p"`);
  if (opts.target.kind === "time") conf += setting("recovery_target_time", pgTimestamp(opts.target.time));
  conf += setting("recovery_target_action", "promote");
  await writeFile(autoConf, conf);
  await writeFile(join(dataDir, "recovery.signal"), "");
  await chmod(dataDir, 0o700);
  const owner = postgresOwner();
  if (owner) {
    await chownTree(dataDir, owner);
    for (const t of backup.tablespaces) await chownTree(t.path, owner);
  }
  say(
    `laid down; recovery configured to ${opts.target.kind === "time" ? opts.target.time.toISOString() : "the end of the WAL archive"}`,
  );
}
