/** Applies the retention policy (retention.ts) to the backup folder: old base backups and the WAL no kept one needs. */
import { existsSync } from "node:fs";
import { readdir, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { walArchiveDir } from "./archive.ts";
import type { Progress } from "./baseBackup.ts";
import { baseRoot, listBaseBackups } from "./layout.ts";
import { backupsToKeep, type RetentionPolicy, walNeeded } from "./retention.ts";

/**
 * Delete the base backups `policy` does not keep and, per database system, the archived WAL that no kept
 * backup needs. Systems without any base backup keep all their WAL. Returns what was removed.
 */
export async function pruneBackups(opts: {
  backupDir: string;
  policy: RetentionPolicy;
  progress?: Progress;
}): Promise<{ backups: string[]; walFiles: number }> {
  const say = opts.progress ?? (() => {});
  const all = listBaseBackups(opts.backupDir);
  const removed = { backups: [] as string[], walFiles: 0 };
  for (const systemId of new Set(all.map((b) => b.systemId))) {
    const mine = all.filter((b) => b.systemId === systemId);
    const keep = backupsToKeep(mine, opts.policy);
    for (const b of mine) {
      if (keep.all.has(b.id)) continue;
      await rm(join(baseRoot(opts.backupDir), b.id), { recursive: true, force: true });
      removed.backups.push(b.id);
      say(`pruned base backup ${b.id}`);
    }
    const kept = mine.filter((b) => keep.all.has(b.id));
    const wal = walArchiveDir(opts.backupDir, systemId);
    if (!existsSync(wal)) continue;
    for (const file of await readdir(wal)) {
      if (walNeeded(file, kept, keep.daily)) continue;
      await unlink(join(wal, file));
      removed.walFiles++;
    }
  }
  say(
    `retention: kept ${all.length - removed.backups.length} base backups, removed ${removed.backups.length} and ${removed.walFiles} WAL files`,
  );
  return removed;
}
