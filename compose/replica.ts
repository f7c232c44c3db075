/**
 * Helper process of `npm run cluster -- --replica`: builds (first time, or when
 * the primary changed) and runs ONE read replica, a streaming-replication hot
 * standby of the cluster's embedded PostgreSQL (game-server/src/db/replica.ts),
 * and stops it on SIGTERM/SIGINT. Its own process (group), like
 * compose/postgres.ts, so that the runner stops it after the nodes.
 *
 *   node compose/replica.ts --primary <superuser url> --dir .data/replica --port 54330
 *
 * Prints `TABULA_REPLICA_READY <url> <postmaster pid>` once it accepts read-only connections.
 */
import { parseArgs } from "node:util";
import { startStandby } from "../game-server/src/db/replica.ts";
import { createLogger } from "../game-server/src/log.ts";
import { isPortFree } from "./ports.ts";

const { values } = parseArgs({
  options: {
    primary: { type: "string" },
    dir: { type: "string", default: ".data/replica" },
    port: { type: "string", default: "54330" },
    rebuild: { type: "boolean", default: false },
  },
});
const log = createLogger({ level: process.env.LOG_LEVEL ?? "info", json: false, nodeId: "replica" });
if (!values.primary) {
  log.fatal("--primary <url> is required");
  process.exit(2);
}
try {
  const standby = await startStandby({
    primaryUrl: values.primary,
    dataDir: values.dir,
    port: Number(values.port),
    rebuild: values.rebuild,
    log,
  });
  console.log(`TABULA_REPLICA_READY ${standby.url} ${standby.pid}`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("stopping the read replica");
    await standby.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // The postmaster died (killed, crashed): so does this helper, and the runner says so.
  void standby.exited.then(({ code, signal }) => {
    if (stopping) return;
    log.error({ code, signal }, "the read replica's postgres exited");
    process.exit(1);
  });
} catch (err) {
  // Said in the words replicaProcess.ts looks for, so that it tries another port.
  if (!(await isPortFree(Number(values.port)))) log.fatal(`port ${values.port}: address already in use`);
  log.fatal({ err }, "could not start the read replica");
  process.exit(1);
}
