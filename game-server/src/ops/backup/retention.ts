/**
 * The retention policy of scheduled base backups, as pure functions (tested
 * with made-up times in retention.test.ts):
 *
 * - keep the newest base backup of each of the last `daily` days that have one,
 *   of each of the last `weekly` ISO weeks, and of each of the last `monthly`
 *   months (UTC), and always the newest of all;
 * - keep the WAL from the oldest *daily* backup on (point-in-time recovery to
 *   any moment of that window), and for each older (weekly, monthly) backup
 *   only the segments from its start to its stop: it can be restored to the
 *   moment it finished, not to any time around it. This bounds the archive to
 *   about `daily` days of WAL however long the monthly tail.
 */
import { type BaseBackupManifest, walPosition } from "./layout.ts";

export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

const dayKey = (d: Date) => d.toISOString().slice(0, 10);
const monthKey = (d: Date) => d.toISOString().slice(0, 7);

/** ISO 8601 week of `d` (UTC) as "YYYY-Www". */
export function isoWeekKey(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const weekday = t.getUTCDay() || 7; // Monday 1 … Sunday 7
  t.setUTCDate(t.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Newest backup of each of the `count` newest periods (by `key`); `newestFirst` is sorted newest first. */
function newestPerPeriod<T extends { finishedAt: string }>(newestFirst: T[], key: (d: Date) => string, count: number): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const b of newestFirst) {
    if (seen.size >= count) break;
    const k = key(new Date(b.finishedAt));
    if (seen.has(k)) continue;
    seen.add(k);
    kept.push(b);
  }
  return kept;
}

/** Which backups the policy keeps: `all` (daily, weekly, monthly and the newest) and `daily` (the PITR window). */
export function backupsToKeep<T extends { id: string; finishedAt: string }>(
  backups: T[],
  policy: RetentionPolicy,
): { all: Set<string>; daily: T[] } {
  const newestFirst = [...backups].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
  const daily = newestPerPeriod(newestFirst, dayKey, policy.daily);
  const kept = [
    ...daily,
    ...newestPerPeriod(newestFirst, isoWeekKey, policy.weekly),
    ...newestPerPeriod(newestFirst, monthKey, policy.monthly),
    ...newestFirst.slice(0, 1),
  ];
  return { all: new Set(kept.map((b) => b.id)), daily };
}

/**
 * Whether archived WAL file `file` is still needed by the kept backups: `.history` files always; a segment
 * (or its `.partial`/`.backup` companion) when it lies at or after the oldest daily backup's start, or inside a
 * kept backup's start..stop. With no kept backup nothing is pruned (a fresh archive waiting for its first backup).
 */
export function walNeeded(
  file: string,
  kept: Pick<BaseBackupManifest, "startWal" | "stopWal">[],
  daily: Pick<BaseBackupManifest, "startWal">[],
): boolean {
  const pos = walPosition(file);
  if (pos === undefined || kept.length === 0) return true;
  const pitrFrom = daily.map((b) => b.startWal.slice(8)).sort()[0];
  if (pitrFrom !== undefined && pos >= pitrFrom) return true;
  return kept.some((b) => pos >= b.startWal.slice(8) && pos <= b.stopWal.slice(8));
}
