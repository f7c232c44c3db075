/**
 * `npm run backup`: see USAGE and docs/backups.md. Talks to DATABASE_URL, or to
 * the embedded PostgreSQL that `npm start` / `npm run cluster` runs
 * (EMBEDDED_PG_PORT), which must be running.
 */
import { createLogger } from "../../log.ts";
import { takeBaseBackup } from "./baseBackup.ts";
import {
  backupDirOf,
  configIfValid,
  configOrExit,
  databaseUrlOf,
  EXIT,
  failureMessage,
  parseCommandLine,
  progressLine,
} from "./cliSupport.ts";
import { takeDump } from "./dump.ts";
import { pruneBackups } from "./prune.ts";
import { runSchedule } from "./schedule.ts";

const USAGE = `Usage: npm run backup [-- --base | --schedule | --prune]

  (no option)   a logical dump now: every Tabula table, COPY'd to BACKUP_DIR/dumps/<time>/
  --base        a base backup now (pg_backup_start/stop, the data directory copied to
                BACKUP_DIR/base/<time>/), then the retention policy is applied
  --schedule    keep running: a base backup every BACKUP_EVERY_H hours (at once if none is
                that recent), each followed by the retention policy, until Ctrl-C
  --prune       apply the retention policy now (BACKUP_KEEP_DAILY/WEEKLY/MONTHLY)

Settings (environment, as for a node): DATABASE_URL or EMBEDDED_PG_PORT, BACKUP_DIR,
BACKUP_EVERY_H, BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY, BACKUP_KEEP_MONTHLY.
Exit codes: 0 done, 1 failed, 2 bad usage or settings.`;

async function main(): Promise<number> {
  const values = parseCommandLine(
    { base: { type: "boolean" }, schedule: { type: "boolean" }, prune: { type: "boolean" } },
    USAGE,
  );
  if (typeof values === "number") return values;
  if ([values.base, values.schedule, values.prune].filter(Boolean).length > 1) {
    console.error(`choose one of --base, --schedule, --prune\n\n${USAGE}`);
    return EXIT.usage;
  }
  const config = configOrExit();
  const backupDir = backupDirOf(config);
  const databaseUrl = databaseUrlOf(config);
  const say = progressLine("backup");
  if (values.schedule) {
    const log = createLogger({ level: config.logLevel, json: config.logJson, nodeId: "backup" });
    const stop = new AbortController();
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => stop.abort());
    await runSchedule({
      databaseUrl,
      backupDir,
      everyH: config.backupEveryH,
      policy: config.backupKeep,
      log,
      signal: stop.signal,
    });
    return EXIT.ok;
  }
  if (values.prune) {
    await pruneBackups({ backupDir, policy: config.backupKeep, progress: say });
    return EXIT.ok;
  }
  if (values.base) {
    await takeBaseBackup({ databaseUrl, backupDir, progress: say });
    await pruneBackups({ backupDir, policy: config.backupKeep, progress: say });
    return EXIT.ok;
  }
  await takeDump({ databaseUrl, backupDir, progress: say });
  return EXIT.ok;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`backup failed: ${failureMessage(err, configIfValid())}`);
  process.exitCode = EXIT.failed;
}
