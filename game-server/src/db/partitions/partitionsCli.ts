/**
 * `npm run partitions`: see USAGE and docs/database.md. Talks to DATABASE_URL,
 * or to the embedded PostgreSQL that `npm start` / `npm run cluster` runs
 * (EMBEDDED_PG_PORT), which must be running.
 */
import { resolve } from "node:path";
import pg from "pg";
import { createLogger } from "../../log.ts";
import {
  backupDirOf,
  configIfValid,
  configOrExit,
  databaseUrlOf,
  EXIT,
  failureMessage,
  parseCommandLine,
} from "../../ops/backup/cliSupport.ts";
import { archiveDirOf, loadArchive } from "./archive.ts";
import { maintainPartitions } from "./maintain.ts";

const USAGE = `Usage: npm run partitions -- (--run | --load <file>)

  --run          one pass of the partition job now (what every node does hourly): month partitions
                 made PARTITIONS_AHEAD_MONTHS ahead, months past MOVE_KEEP_MONTHS / AUDIT_KEEP_MONTHS
                 detached, archived to BACKUP_DIR/archive/<partition>.csv.gz and dropped
  --load <file>  load an archive back: its month partition made again and its rows copied in
                 (raise MOVE_KEEP_MONTHS / AUDIT_KEEP_MONTHS first, or the next pass retires it again)

Settings (environment, as for a node): DATABASE_URL or EMBEDDED_PG_PORT, BACKUP_DIR,
PARTITIONS_AHEAD_MONTHS, MOVE_KEEP_MONTHS, AUDIT_KEEP_MONTHS.
Exit codes: 0 done, 1 failed, 2 bad usage or settings.`;

async function main(): Promise<number> {
  const values = parseCommandLine({ run: { type: "boolean" }, load: { type: "string" } }, USAGE);
  if (typeof values === "number") return values;
  if (Boolean(values.run) === Boolean(values.load)) {
    console.error(`choose one of --run, --load <file>\n\n${USAGE}`);
    return EXIT.usage;
  }
  const config = configOrExit();
  const log = createLogger({ level: config.logLevel, json: config.logJson, nodeId: "partitions" });
  const pool = new pg.Pool({ connectionString: databaseUrlOf(config), max: 1 });
  try {
    if (values.load) {
      const client = await pool.connect();
      try {
        const { partition, rows } = await loadArchive(client, resolve(values.load as string));
        console.log(`partitions: loaded ${rows} rows into ${partition}`);
      } finally {
        client.release();
      }
      return EXIT.ok;
    }
    const report = await maintainPartitions(
      pool,
      {
        aheadMonths: config.partitionsAheadMonths,
        keepMonths: { Move: config.moveKeepMonths, AuditEvent: config.auditKeepMonths },
        archiveDir: archiveDirOf(backupDirOf(config)),
      },
      log,
    );
    if (!report.ran) console.log("partitions: another session holds the job's lock (a node is running it); nothing done");
    else
      console.log(
        `partitions: ${report.created.length} made (${report.created.join(", ") || "none"}), ` +
          `${report.retired.length} archived and dropped (${report.retired.map((r) => `${r.partition}: ${r.rows} rows`).join(", ") || "none"})`,
      );
    return EXIT.ok;
  } finally {
    await pool.end();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`partitions failed: ${failureMessage(err, configIfValid())}`);
  process.exitCode = EXIT.failed;
}
