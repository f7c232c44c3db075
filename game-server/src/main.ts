/**
 * Entry point of a game-server node: `node game-server/src/main.ts`.
 * Reads the environment once (see config.ts), starts the node, and shuts down
 * cleanly on SIGINT/SIGTERM.
 */
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { TablespaceError } from "./db/partitions/tablespaces.ts";
import { installRejectionGuard } from "./faults.ts";
import { createLogger } from "./log.ts";

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`tabula: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
// A join that reaches a dead node's stale room listing waits this long for the dead process before
// failing (Colyseus' default is 2 s, twice). Players rejoining after a node died retry sooner with 1 s.
// Colyseus reads it when it is first imported, hence the dynamic import below.
process.env.COLYSEUS_PRESENCE_SHORT_TIMEOUT ??= "1000";
const { startNode } = await import("./server.ts");
const log = createLogger({ level: config.logLevel, json: config.logJson, nodeId: config.nodeId });
// A Redis outage must not end the node through a rejection Colyseus leaves unhandled (faults.ts).
installRejectionGuard(log);

try {
  const node = await startNode(config, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await node.stop(signal);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // Behind nginx (PUBLIC_ADDRESS) players use the cluster's address, not this node's port.
  const open = process.env.PUBLIC_ADDRESS ? `http://${process.env.PUBLIC_ADDRESS}/` : `http://localhost:${node.port}/`;
  log.info({ open }, "ready");
  if (!process.env.PUBLIC_ADDRESS && process.stdout.isTTY) console.log(`\n  Tabula is running: open ${open}\n`);
} catch (err) {
  // Missing tablespaces are a setup matter, said in one line (docs/database.md), not a stack trace.
  if (err instanceof TablespaceError) {
    log.fatal(err.message);
    process.exit(3);
  }
  log.fatal({ err }, "could not start");
  process.exit(1);
}
