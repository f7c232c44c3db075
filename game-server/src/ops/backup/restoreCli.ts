/** `npm run restore`: see USAGE and docs/backups.md. */
import { join, resolve } from "node:path";
import { createLogger } from "../../log.ts";
import {
  backupDirOf,
  configOrExit,
  dataDirOf,
  databaseUrlOf,
  EXIT,
  parseCommandLine,
  progressLine,
  REPO_ROOT,
} from "./cliSupport.ts";
import { restoreDump } from "./dumpRestore.ts";
import { dumpRoot, listBaseBackups, listDumps } from "./layout.ts";
import { describeBackups } from "./listing.ts";
import { runRecovery } from "./recover.ts";
import { chooseBaseBackup, layDownBaseBackup, RestoreRefused, type RestoreTarget } from "./restore.ts";

const USAGE = `Usage:
  npm run restore -- --list                     what can be restored (base backups, WAL, dumps)
  npm run restore -- --to <ISO time> [options]  point-in-time: the database as it was at that time
  npm run restore -- --latest [options]         everything the WAL archive holds
  npm run restore -- --dump <id|latest>         a logical dump into the EMPTY database at DATABASE_URL

Options for --to and --latest:
  --data-dir DIR   where to restore (default DATA_DIR); it must not belong to a running
                   PostgreSQL, and must be empty or absent unless --overwrite
  --overwrite      move a non-empty data directory aside (<dir>.before-restore-<time>) first
  --system ID      the database system to restore, when the backup folder holds several
  --no-recover     only lay the backup down; PostgreSQL replays the WAL at its next start

Times are ISO 8601 with a zone, e.g. 2026-12-01T17:30:00Z. Every transaction committed at
or before the time is restored, none after it.
Exit codes: 0 restored, 1 failed, 2 bad usage, 3 refused (running server, non-empty folder
or database), 4 nothing to restore for that choice.`;

async function main(): Promise<number> {
  const values = parseCommandLine(
    {
      list: { type: "boolean" },
      to: { type: "string" },
      latest: { type: "boolean" },
      dump: { type: "string" },
      "data-dir": { type: "string" },
      overwrite: { type: "boolean" },
      system: { type: "string" },
      "no-recover": { type: "boolean" },
    },
    USAGE,
  );
  if (typeof values === "number") return values;
  const modes = [values.list, values.to !== undefined, values.latest, values.dump !== undefined].filter(Boolean).length;
  if (modes !== 1) {
    console.error(`choose exactly one of --list, --to, --latest, --dump\n\n${USAGE}`);
    return EXIT.usage;
  }
  const config = configOrExit();
  const backupDir = backupDirOf(config);
  const say = progressLine("restore");
  if (values.list) {
    for (const line of describeBackups(backupDir, config.backupKeep)) console.log(line);
    return EXIT.ok;
  }
  if (typeof values.dump === "string") {
    const dumps = listDumps(backupDir);
    const dump = values.dump === "latest" ? dumps.at(-1) : dumps.find((d) => d.id === values.dump);
    if (!dump) {
      console.error(`no dump ${values.dump} in ${backupDir} (see --list)`);
      return EXIT.nothingToRestore;
    }
    const log = createLogger({ level: config.logLevel, json: config.logJson, nodeId: "restore" });
    await restoreDump({
      databaseUrl: databaseUrlOf(config),
      dumpDir: join(dumpRoot(backupDir), dump.id),
      migrationsDir: join(REPO_ROOT, "prisma/migrations"),
      log,
      progress: say,
    });
    say(`dump ${dump.id} restored`);
    return EXIT.ok;
  }

  let target: RestoreTarget = { kind: "latest" };
  if (typeof values.to === "string") {
    const time = new Date(values.to);
    if (!/(Z|[+-]\d\d:?\d\d)$/.test(values.to) || Number.isNaN(time.getTime())) {
      console.error(`--to: expected an ISO 8601 time with a zone (e.g. 2026-12-01T17:30:00Z), got ${JSON.stringify(values.to)}`);
      return EXIT.usage;
    }
    target = { kind: "time", time };
  }
  let backups = listBaseBackups(backupDir);
  if (typeof values.system === "string") backups = backups.filter((b) => b.systemId === values.system);
  const systems = new Set(backups.map((b) => b.systemId));
  if (systems.size > 1) {
    console.error(
      `${backupDir} holds backups of several database systems (${[...systems].join(", ")}): choose one with --system`,
    );
    return EXIT.usage;
  }
  const backup = chooseBaseBackup(backups, target);
  if (!backup) {
    const why = backups.length
      ? `no base backup finished at or before ${values.to} (the oldest finished ${backups[0]?.finishedAt})`
      : `no base backup in ${backupDir}`;
    console.error(`nothing to restore: ${why}. See: npm run restore -- --list`);
    return EXIT.nothingToRestore;
  }
  const dataDir = typeof values["data-dir"] === "string" ? resolve(values["data-dir"]) : dataDirOf(config);
  say(`restoring base backup ${backup.id} (finished ${backup.finishedAt}) into ${dataDir}`);
  await layDownBaseBackup({ backupDir, backup, dataDir, target, overwrite: Boolean(values.overwrite), progress: say });
  if (values["no-recover"]) {
    say("laid down; PostgreSQL replays the WAL when it next starts (npm start / npm run cluster)");
    return EXIT.ok;
  }
  try {
    await runRecovery({ dataDir, backupDir, archiveTimeoutS: config.walArchiveTimeoutS, progress: say });
  } catch (err) {
    if (!/before configured recovery target was reached/.test((err as Error).message)) throw err;
    console.error(
      `restore failed: the WAL archive ends before ${values.to} (its last transaction is older). ` +
        "Restore an earlier time, or --latest (add --overwrite: the folder now holds the unrecovered copy).",
    );
    return EXIT.failed;
  }
  say(`done: start Tabula on ${dataDir} as usual (npm start / npm run cluster)`);
  return EXIT.ok;
}

try {
  process.exitCode = await main();
} catch (err) {
  if (err instanceof RestoreRefused) {
    console.error(`restore refused: ${err.message}`);
    process.exitCode = err.exitCode;
  } else {
    console.error(`restore failed: ${(err as Error).message}`);
    process.exitCode = EXIT.failed;
  }
}
