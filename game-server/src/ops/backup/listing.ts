/** `npm run restore -- --list`: what the backup folder can restore, in words. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { walArchiveDir } from "./archive.ts";
import { listBaseBackups, listDumps, SEGMENT } from "./layout.ts";
import { backupsToKeep, type RetentionPolicy } from "./retention.ts";

/** The lines of the listing of `backupDir` (base backups per system with the PITR window, dumps). */
export function describeBackups(backupDir: string, policy: RetentionPolicy): string[] {
  const lines: string[] = [`backup folder ${backupDir}`];
  const bases = listBaseBackups(backupDir);
  const systems = new Set(bases.map((b) => b.systemId));
  if (!bases.length) lines.push("  no base backup yet: take one with `npm run backup -- --base`");
  for (const systemId of systems) {
    const mine = bases.filter((b) => b.systemId === systemId);
    const wal = walArchiveDir(backupDir, systemId);
    const segments = existsSync(wal)
      ? readdirSync(wal)
          .filter((f) => SEGMENT.test(f))
          .sort()
      : [];
    const newestWal = segments.length ? statSync(join(wal, segments.at(-1) as string)).mtime : undefined;
    const daily = new Set(backupsToKeep(mine, policy).daily.map((b) => b.id));
    lines.push(
      `database system ${systemId}: ${segments.length} archived WAL segments${newestWal ? `, newest archived ${newestWal.toISOString()}` : ""}`,
    );
    for (const b of mine) {
      lines.push(
        `  base ${b.id}  finished ${b.finishedAt}  timeline ${b.timeline}  ${(b.bytes / 1e6).toFixed(1)} MB${daily.has(b.id) ? "" : "  (restorable to its finish time)"}`,
      );
    }
    const windowStart = mine
      .filter((b) => daily.has(b.id))
      .map((b) => b.finishedAt)
      .sort()[0];
    if (windowStart) {
      lines.push(
        `  restorable: --to any time from ${windowStart} up to the last transaction the archive holds` +
          `${newestWal ? ` (its newest segment was archived ${newestWal.toISOString()})` : ""}, or --latest`,
      );
    }
  }
  const dumps = listDumps(backupDir);
  if (dumps.length) lines.push("logical dumps (npm run restore -- --dump <id>, into an empty database):");
  for (const d of dumps) {
    const rows = d.tables.reduce((n, t) => n + t.rows, 0);
    lines.push(`  dump ${d.id}  made ${d.createdAt}  migration ${d.migration}  ${d.tables.length} tables, ${rows} rows`);
  }
  return lines;
}
