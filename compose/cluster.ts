/**
 * `npm run cluster`: a whole Tabula cluster on this machine, loopback only —
 * redis-server, one PostgreSQL (DATABASE_URL, or an embedded one), N
 * game-server nodes and nginx in front of them. Ctrl-C stops everything it
 * started: nodes first, then nginx, Redis and PostgreSQL.
 *
 * `npm run cluster:add-node` (this script's `add-node` command) asks the
 * running cluster for one more node: it is started, checked, added to nginx's
 * nodes.conf and nginx is reloaded without dropping any open WebSocket.
 *
 * Run `node compose/cluster.ts --help` for the options. See compose/README.md
 * and docs/cluster.md.
 */
import { parseArgs } from "node:util";
import { addNodeCommand } from "./addNode.ts";
import { runCluster } from "./runner.ts";

const USAGE = `Usage:
  node compose/cluster.ts [--nodes N] [--port PORT] [--redis-port PORT] [--redis single|sentinel] [--max-connections N] [--monitoring] [--replica]
  node compose/cluster.ts add-node

Starts a local Tabula cluster (loopback only) and keeps it running until Ctrl-C:
  redis-server   127.0.0.1:<redis-port>   (default 6390; data in .data/cluster/redis, no persistence)
  PostgreSQL     $DATABASE_URL if set, else one embedded PostgreSQL on 127.0.0.1:$EMBEDDED_PG_PORT
                 (default 54329; data in $DATA_DIR, default .data/postgres: the database
                 \`npm start\` uses with the same settings)
  nodes n1..nN   127.0.0.1:2567, 2568, …  (node game-server/src/main.ts)
  nginx          http://localhost:<port>/ (default 8080) — the one URL to open

Options:
  --nodes N          number of game-server nodes to start (default 2, at most 32)
  --port PORT        nginx listen port, the public entry point (default 8080)
  --redis-port PORT  redis-server port (default 6390; with --redis sentinel: the first primary's)
  --redis MODE       single (default): one redis-server, nodes get REDIS_URL;
                     sentinel: a primary, one replica and three redis-sentinels on free ports
                     (quorum 2, failover ~3-4 s after the primary dies); nodes get REDIS_SENTINELS
  --max-connections N  WebSockets the cluster should hold: nginx gets enough workers for them
                     (each worker holds (limit - 464) / 2), and a warning says so at start
                     when the descriptor limit (ulimit -Hn) caps the cluster lower
  --monitoring       also run Debian's prometheus (compose/monitoring/) on a free port, scraping
                     every node's metrics port; data in .data/cluster/prometheus; printed at start
  --replica          also run a read replica: a streaming-replication standby of the embedded
                     PostgreSQL on 127.0.0.1:54330 (data in .data/replica, copied from the primary
                     on first use); nodes get REPLICA_DATABASE_URL and serve history and replay
                     from it, falling back to the primary when it is down or lags (docs/operations.md)
  -h, --help         this text

Commands:
  add-node           ask the running cluster (see .data/cluster/state.json) to start
                     one more node, add it to nginx and reload nginx; prints the node

Environment: DATABASE_URL, TOKEN_SECRET, LOG_LEVEL, LOG_JSON (default false: readable
logs) and every other game-server variable are passed to the nodes. Needs
redis-server and nginx (Debian: apt-get install redis-server nginx).

npm scripts: npm run cluster -- --nodes 3      npm run cluster:add-node`;

async function main() {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (err) {
    console.error(`${(err as Error).message}\nSee: node compose/cluster.ts --help`);
    process.exit(2);
  }
  const { values, positionals } = parsed!;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals[0] === "add-node") return addNodeCommand();
  if (positionals.length) {
    console.error(`unknown command: ${positionals.join(" ")}\nSee: node compose/cluster.ts --help`);
    process.exit(2);
  }
  const nodeCount = intOption("--nodes", values.nodes, 1, 32);
  const port = intOption("--port", values.port, 1, 65535);
  const redisPort = intOption("--redis-port", values["redis-port"], 1, 65535);
  const maxConnections =
    values["max-connections"] === undefined
      ? undefined
      : intOption("--max-connections", values["max-connections"], 1, 10_000_000);
  const redis = values.redis;
  if (redis !== "single" && redis !== "sentinel") {
    console.error(`--redis: expected single or sentinel, got ${JSON.stringify(redis)}\nSee: node compose/cluster.ts --help`);
    process.exit(2);
  }
  await runCluster({ nodeCount, port, redisPort, maxConnections, monitoring: values.monitoring, redis, replica: values.replica });
}

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: "string", default: "2" },
      port: { type: "string", default: "8080" },
      "redis-port": { type: "string", default: "6390" },
      redis: { type: "string", default: "single" },
      "max-connections": { type: "string" },
      monitoring: { type: "boolean", default: false },
      replica: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

function intOption(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(
      `${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(v)}\nSee: node compose/cluster.ts --help`,
    );
    process.exit(2);
  }
  return n;
}

await main();
