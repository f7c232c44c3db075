/**
 * `npm run backup -- --schedule`: a long-running process that takes a base
 * backup whenever the newest one is `everyH` hours old (at once when there is
 * none), then applies the retention policy, until SIGINT/SIGTERM. A failed
 * backup is logged and retried after a tenth of the interval (at most an hour).
 */
import type { Logger } from "../../log.ts";
import { takeBaseBackup } from "./baseBackup.ts";
import { listBaseBackups } from "./layout.ts";
import { pruneBackups } from "./prune.ts";
import type { RetentionPolicy } from "./retention.ts";

/** When the next base backup is due, given the newest one's finish time (ms since epoch). */
export function nextBackupDue(newestFinishedAt: number | undefined, everyMs: number): number {
  return newestFinishedAt === undefined ? 0 : newestFinishedAt + everyMs;
}

/** Run the schedule until `signal` aborts. */
export async function runSchedule(opts: {
  databaseUrl: string;
  backupDir: string;
  everyH: number;
  policy: RetentionPolicy;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  const everyMs = opts.everyH * 3_600_000;
  const say = (line: string) => opts.log.info(line);
  opts.log.info({ everyH: opts.everyH, keep: opts.policy, backupDir: opts.backupDir }, "backup schedule started");
  while (!opts.signal.aborted) {
    const newest = listBaseBackups(opts.backupDir).at(-1);
    const due = nextBackupDue(newest ? Date.parse(newest.finishedAt) : undefined, everyMs);
    let wait = due - Date.now();
    if (wait <= 0) {
      try {
        await takeBaseBackup({ databaseUrl: opts.databaseUrl, backupDir: opts.backupDir, progress: say });
        await pruneBackups({ backupDir: opts.backupDir, policy: opts.policy, progress: say });
        continue;
      } catch (err) {
        opts.log.error({ err }, "scheduled base backup failed; retrying later");
        wait = Math.min(everyMs / 10, 3_600_000);
      }
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.min(wait, 2_147_000_000));
      opts.signal.addEventListener(
        "abort",
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
  opts.log.info("backup schedule stopped");
}
