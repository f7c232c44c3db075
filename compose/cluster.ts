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
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  assertPortsFree,
  findCommand,
  type GameNodeHandle,
  isPortFree,
  type ManagedProcess,
  type NginxHandle,
  PortBusyError,
  prefixedSink,
  REPO_ROOT,
  startEmbeddedPostgresProcess,
  startGameNode,
  startNginx,
  startRedis,
  waitForHttp,
} from "./processes.ts";

const USAGE = `Usage:
  node compose/cluster.ts [--nodes N] [--port PORT] [--redis-port PORT]
  node compose/cluster.ts add-node

Starts a local Tabula cluster (loopback only) and keeps it running until Ctrl-C:
  redis-server   127.0.0.1:<redis-port>   (default 6390; data in .data/cluster/redis, no persistence)
  PostgreSQL     $DATABASE_URL if set, else one embedded PostgreSQL on 127.0.0.1:54329
                 (data in .data/postgres, the same database \`npm start\` uses)
  nodes n1..nN   127.0.0.1:2567, 2568, …  (node game-server/src/main.ts)
  nginx          http://localhost:<port>/ (default 8080) — the one URL to open

Options:
  --nodes N          number of game-server nodes to start (default 2, at most 32)
  --port PORT        nginx listen port, the public entry point (default 8080)
  --redis-port PORT  redis-server port (default 6390)
  -h, --help         this text

Commands:
  add-node           ask the running cluster (see .data/cluster/state.json) to start
                     one more node, add it to nginx and reload nginx; prints the node

Environment: DATABASE_URL, TOKEN_SECRET, LOG_LEVEL, LOG_JSON (default false: readable
logs) and every other game-server variable are passed to the nodes. Needs
redis-server and nginx (Debian: apt-get install redis-server nginx).

npm scripts: npm run cluster -- --nodes 3      npm run cluster:add-node`;

const DATA = join(REPO_ROOT, ".data");
const CLUSTER_DIR = join(DATA, "cluster");
const STATE_FILE = join(CLUSTER_DIR, "state.json");
const NGINX_PREFIX = join(CLUSTER_DIR, "nginx");
const REDIS_DIR = join(CLUSTER_DIR, "redis");
const PG_DIR = join(DATA, "postgres");
const PG_PORT = 54329;
const FIRST_NODE_PORT = 2567;

const say = prefixedSink("cluster", 1);
const fail = (msg: string, code = 1): never => {
  console.error(`\n[cluster] ${msg}\n`);
  process.exit(code);
};

interface NodeState {
  id: string;
  port: number;
  pid: number;
  url: string;
  alive: boolean;
}

/** .data/cluster/state.json: what the running runner started (read by add-node and by the next runner). */
interface ClusterState {
  pid: number;
  status: "starting" | "running" | "stopping";
  startedAt: string;
  url: string;
  port: number;
  publicAddress: string;
  redis?: { port: number; pid: number; url: string };
  postgres?: { embedded: boolean; port?: number; pid?: number };
  nginx?: { pid: number; prefix: string; conf: string };
  nodes: NodeState[];
  /** add-node requests: the node being added, and the last failure. */
  addNode: { pending: string | null; lastError: { message: string; at: number } | null };
}

function readState(): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

function writeState(s: ClusterState) {
  mkdirSync(CLUSTER_DIR, { recursive: true });
  writeFileSync(`${STATE_FILE}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
}

/** Newest modification time of the files under `dir` (node_modules and dist left out). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

// ---------------------------------------------------------------------------
// add-node (client side)

async function addNodeCommand() {
  const state = readState();
  if (!state || !alive(state.pid) || !cmdline(state.pid).includes("cluster.ts")) {
    fail("no running cluster found (.data/cluster/state.json). Start one with `npm run cluster`.");
    return;
  }
  if (state.status !== "running") fail(`the cluster is ${state.status}; try again when it is running.`);
  const before = new Set(state.nodes.map((n) => n.id));
  const sentAt = Date.now();
  say(`asking the cluster runner (pid ${state.pid}) for one more node…`);
  process.kill(state.pid, "SIGUSR2");
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = readState();
    if (!s || !alive(state.pid)) fail("the cluster runner stopped meanwhile.");
    const added = s!.nodes.find((n) => !before.has(n.id));
    if (added) {
      say(`added node ${added.id} on 127.0.0.1:${added.port} (pid ${added.pid}); nginx reloaded.`);
      say(`  WebSockets: ${s!.url.replace(/^http/, "ws")}node/${added.id}/…   health: ${s!.url}node/${added.id}/healthz`);
      say(`  nodes now: ${s!.nodes.map((n) => `${n.id}:${n.port}`).join(", ")}`);
      return;
    }
    const err = s!.addNode.lastError;
    if (err && err.at >= sentAt - 1_000) fail(`adding a node failed: ${err.message}`);
    if (Date.now() > deadline) fail("no new node after 120 s; see the cluster's output.");
  }
}

// ---------------------------------------------------------------------------
// The runner

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
  await runCluster({ nodeCount, port, redisPort });
}

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: "string", default: "2" },
      port: { type: "string", default: "8080" },
      "redis-port": { type: "string", default: "6390" },
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

async function runCluster(opts: { nodeCount: number; port: number; redisPort: number }) {
  const t0 = performance.now();
  // 1. Tools.
  const redisBin = findCommand("redis-server");
  const nginxBin = findCommand("nginx");
  if (!redisBin || !nginxBin) {
    const missing = [!redisBin && "redis-server", !nginxBin && "nginx"].filter(Boolean).join(" and ");
    fail(
      `${missing} not found on PATH. The local cluster runs real Redis and nginx processes:\n` +
        "    sudo apt-get update && sudo apt-get install redis-server nginx\n" +
        "(only the binaries are used; the system services may stay disabled).",
      2,
    );
  }
  say(`using ${redisBin} and ${nginxBin}`);

  // 2. Another runner? Leftovers of a crashed one?
  const previous = readState();
  if (previous && alive(previous.pid) && cmdline(previous.pid).includes("cluster.ts") && previous.pid !== process.pid) {
    fail(`a cluster is already running (runner pid ${previous.pid}, ${previous.url}). Stop it with Ctrl-C first.`);
  }
  if (previous) await cleanupStale(previous);

  // 3. Ports.
  const usePgEnv = Boolean(process.env.DATABASE_URL);
  const nodePorts = Array.from({ length: opts.nodeCount }, (_, i) => FIRST_NODE_PORT + i);
  const ports = [
    { port: opts.port, what: "nginx (--port)" },
    { port: opts.redisPort, what: "redis (--redis-port)" },
    ...nodePorts.map((p, i) => ({ port: p, what: `node n${i + 1}` })),
    ...(usePgEnv ? [] : [{ port: PG_PORT, what: "embedded PostgreSQL (another `npm start`?)" }]),
  ];
  if (new Set(ports.map((p) => p.port)).size !== ports.length)
    fail("port clash between --port, --redis-port and the node ports (2567…)", 2);
  try {
    await assertPortsFree(ports);
  } catch (err) {
    if (err instanceof PortBusyError) {
      fail(
        `${err.message}.\nStop whatever uses ${err.busy.length > 1 ? "them" : "it"} (\`ss -ltnp\` shows who), or choose other ports (--help).`,
      );
    }
    throw err;
  }

  // 4. Prerequisites of the nodes.
  if (!existsSync(join(REPO_ROOT, "game-server/src/generated/prisma/client.ts"))) {
    fail("the Prisma client is not generated: run `npm install` (or `npm run db:generate`) first.");
  }
  const dist = join(REPO_ROOT, "client/dist/index.html");
  const stale =
    existsSync(dist) &&
    statSync(dist).mtimeMs < Math.max(newest(join(REPO_ROOT, "client")), newest(join(REPO_ROOT, "game-server/shared/src")));
  if (!existsSync(dist) || stale) {
    say(`the browser client is ${stale ? "older than its sources" : "not built"}: npm run build -w client …`);
    const r = spawnSync("npm", ["run", "build", "-w", "client"], { cwd: REPO_ROOT, stdio: "inherit" });
    if (r.status !== 0) fail("building the browser client failed (see above).");
  }

  // From here on everything spawned is tracked (at spawn time) and stopped on exit.
  const publicAddress = `localhost:${opts.port}`;
  const url = `http://localhost:${opts.port}/`;
  const spawned: { role: Role; proc: ManagedProcess }[] = [];
  const track = (role: Role) => (proc: ManagedProcess) => {
    spawned.push({ role, proc });
  };
  const state: ClusterState = {
    pid: process.pid,
    status: "starting",
    startedAt: new Date().toISOString(),
    url,
    port: opts.port,
    publicAddress,
    nodes: [],
    addNode: { pending: null, lastError: null },
  };
  writeState(state);

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string, code: number) => {
    stopping ??= (async () => {
      state.status = "stopping";
      writeState(state);
      say(`stopping (${reason}): nodes first, then nginx, redis, PostgreSQL…`);
      for (const role of STOP_ORDER) {
        await Promise.all(
          spawned
            .filter((s) => s.role === role)
            .map(async ({ proc }) => {
              const wasRunning = !proc.hasExited();
              const how = await proc.stop(role === "pg" ? 20_000 : 10_000);
              if (wasRunning) say(`  ${proc.name} ${how}${how === "killed" ? " (did not stop within the timeout)" : ""}`);
            }),
        );
      }
      rmSync(STATE_FILE, { force: true });
      say("everything stopped.");
      process.exit(code);
    })();
    return stopping;
  };
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // `npm run` forwards the terminal's SIGINT, so one Ctrl-C may arrive twice: ignore repeats for 2 s.
    if (!firstSignalAt) {
      firstSignalAt = Date.now();
      void shutdown(sig, 0);
    } else if (Date.now() - firstSignalAt > 2_000) {
      say("second signal: killing everything now");
      for (const { proc } of spawned) {
        try {
          process.kill(-proc.pid, "SIGKILL"); // each child leads its own process group
        } catch {
          // gone
        }
      }
      rmSync(STATE_FILE, { force: true });
      process.exit(1);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  /** Log when a helper dies while the cluster is not stopping; `fatal`: stop the cluster too. */
  const watch = (p: ManagedProcess, what: string, fatal: boolean) => {
    void p.exited.then(({ code, signal }) => {
      if (stopping) return;
      say(`${what} exited unexpectedly (${signal ?? `code ${code}`})${fatal ? "; stopping the cluster" : ""}`);
      if (fatal) void shutdown(`${what} died`, 1);
    });
  };

  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = "";
  let nginx: NginxHandle | undefined;

  /** Start node `id` on `nodePort`, wait for its /healthz, record it. */
  const launchNode = async (id: string, nodePort: number): Promise<GameNodeHandle> => {
    const t = performance.now();
    say(`starting node ${id} on 127.0.0.1:${nodePort}…`);
    const node = await startGameNode({
      id,
      port: nodePort,
      env: {
        HOST: "127.0.0.1",
        REDIS_URL: redisUrl,
        PUBLIC_ADDRESS: publicAddress,
        DATABASE_URL: databaseUrl,
        LOG_JSON: process.env.LOG_JSON ?? "false",
      },
      onSpawn: track("node"),
    });
    say(`node ${id} ready (${Math.round(performance.now() - t)} ms): ${node.url}/healthz`);
    void node.process.exited.then(({ code, signal }) => {
      const s = state.nodes.find((n) => n.id === id);
      if (s) s.alive = false;
      if (stopping) return;
      writeState(state);
      say(
        `node ${id} exited (${signal ?? `code ${code}`}); the cluster keeps running without it ` +
          `(nginx balances HTTP to the others; sockets to /node/${id}/ fail until it is back).`,
      );
    });
    return node;
  };
  const record = (node: GameNodeHandle) => {
    state.nodes.push({ id: node.id, port: node.port, pid: node.process.pid, url: node.url, alive: true });
    state.nodes.sort((a, b) => a.port - b.port);
    writeState(state);
  };

  try {
    // 5. Redis.
    say(`starting redis-server on 127.0.0.1:${opts.redisPort} (no persistence)…`);
    const redis = await startRedis({ port: opts.redisPort, dir: REDIS_DIR, command: redisBin, onSpawn: track("redis") });
    redisUrl = redis.url;
    state.redis = { port: opts.redisPort, pid: redis.process.pid, url: redis.url };
    writeState(state);
    watch(redis.process, "redis-server", false);
    say(`redis ready: ${redis.url}`);

    // 6. PostgreSQL.
    if (databaseUrl) {
      say("PostgreSQL: using DATABASE_URL");
      state.postgres = { embedded: false };
    } else {
      say(`starting the embedded PostgreSQL on 127.0.0.1:${PG_PORT} (data in .data/postgres)…`);
      const pg = await startEmbeddedPostgresProcess({ dataDir: PG_DIR, port: PG_PORT, onSpawn: track("pg") });
      databaseUrl = pg.url;
      state.postgres = { embedded: true, port: PG_PORT, pid: pg.process.pid };
      writeState(state);
      watch(pg.process, "PostgreSQL", false);
      say("PostgreSQL ready");
    }

    // 7. Nodes. Migrations are serialised by an advisory lock, so they may start together.
    const results = await Promise.allSettled(nodePorts.map((p, i) => launchNode(`n${i + 1}`, p)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const r of results) if (r.status === "fulfilled") record(r.value);

    // 8. nginx.
    say(`starting nginx on 127.0.0.1:${opts.port} (prefix .data/cluster/nginx)…`);
    nginx = await startNginx({
      prefix: NGINX_PREFIX,
      port: opts.port,
      nodes: state.nodes.map((n) => ({ id: n.id, port: n.port })),
      command: nginxBin,
      onSpawn: track("nginx"),
    });
    state.nginx = { pid: nginx.process.pid, prefix: nginx.prefix, conf: nginx.conf };
    writeState(state);
    watch(nginx.process, "nginx", true);
    say(`nginx ready; checking ${url}healthz through it…`);
    await waitForHttp(`http://127.0.0.1:${opts.port}/healthz`, 30_000, { process: nginx.process });
  } catch (err) {
    console.error(`\n[cluster] start-up failed: ${(err as Error).message}\n`);
    await shutdown("start-up failed", 1);
    return;
  }
  if (stopping) return;
  state.status = "running";
  writeState(state);
  const entry = nginx;

  // add-node requests arrive as SIGUSR2 (see addNodeCommand), handled one at a time.
  let queue = Promise.resolve();
  process.on("SIGUSR2", () => {
    queue = queue.then(addNode, addNode);
  });
  async function addNode() {
    if (stopping) return;
    const maxIndex = Math.max(0, ...state.nodes.map((n) => Number(/^n(\d+)$/.exec(n.id)?.[1] ?? 0)));
    const id = `n${maxIndex + 1}`;
    let nodePort = Math.max(FIRST_NODE_PORT - 1, ...state.nodes.map((n) => n.port)) + 1;
    while ([opts.port, opts.redisPort, PG_PORT].includes(nodePort) || !(await isPortFree(nodePort))) {
      say(`add-node: port ${nodePort} is taken; trying ${nodePort + 1}`);
      nodePort++;
    }
    say(`add-node: adding ${id} on 127.0.0.1:${nodePort}`);
    state.addNode.pending = id;
    writeState(state);
    let node: GameNodeHandle | undefined;
    const before = entry.nodes();
    try {
      node = await launchNode(id, nodePort);
      say(`add-node: ${id} is healthy; writing nodes.conf, nginx -t, nginx -s reload…`);
      await entry.reload([...before, { id, port: nodePort }]);
      record(node);
      state.addNode.pending = null;
      writeState(state);
      say(
        `add-node: done — /node/${id}/ routes to ${id}; HTTP is balanced over ${before.length + 1} nodes; open sockets untouched`,
      );
    } catch (err) {
      const message = (err as Error).message;
      say(`add-node: failed: ${message}`);
      if (entry.nodes().length !== before.length) await entry.reload(before).catch(() => {});
      if (node) await node.stop();
      state.addNode = { pending: null, lastError: { message, at: Date.now() } };
      writeState(state);
    }
  }

  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const lines = [
    `Tabula cluster is running (${secs} s): ${state.nodes.length} nodes behind nginx`,
    "",
    `  open    ${url}`,
    `  nodes   ${state.nodes.map((n) => `${n.id} 127.0.0.1:${n.port}`).join(", ")}`,
    `  redis   ${redisUrl}    postgres  ${state.postgres?.embedded ? `embedded, 127.0.0.1:${PG_PORT}` : "DATABASE_URL"}`,
    "  nginx   config and logs in .data/cluster/nginx/{conf,logs}/",
    "",
    "  add a node:  npm run cluster:add-node    (in another terminal)",
    "  stop:        Ctrl-C",
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = "═".repeat(width + 2);
  console.log(`\n╔${bar}╗\n${lines.map((l) => `║  ${l.padEnd(width)}║`).join("\n")}\n╚${bar}╝\n`);
}

type Role = "node" | "nginx" | "redis" | "pg";
const STOP_ORDER: Role[] = ["node", "nginx", "redis", "pg"];

/**
 * A previous runner died without cleaning up (kill -9, crash): stop what it
 * recorded and is still running — only processes whose command line shows they
 * are that runner's (a recycled pid is left alone).
 */
async function cleanupStale(s: ClusterState) {
  const candidates: { pid: number; what: string; marker: string }[] = [
    ...s.nodes.map((n) => ({ pid: n.pid, what: `node ${n.id}`, marker: "game-server/src/main.ts" })),
    ...(s.nginx ? [{ pid: s.nginx.pid, what: "nginx", marker: s.nginx.prefix.replace(/\/$/, "") }] : []),
    ...(s.redis ? [{ pid: s.redis.pid, what: "redis-server", marker: `:${s.redis.port}` }] : []),
    ...(s.postgres?.pid ? [{ pid: s.postgres.pid, what: "embedded PostgreSQL", marker: "compose/postgres.ts" }] : []),
  ];
  const leftovers = candidates.filter((c) => alive(c.pid) && cmdline(c.pid).includes(c.marker));
  if (!leftovers.length) return;
  say(`a previous cluster runner (pid ${s.pid}) died without stopping: stopping its leftovers`);
  for (const c of leftovers) {
    say(`  ${c.what} (pid ${c.pid})`);
    try {
      process.kill(c.pid, "SIGTERM");
    } catch {
      // gone
    }
  }
  const deadline = Date.now() + 10_000;
  while (leftovers.some((c) => alive(c.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const c of leftovers) {
    try {
      process.kill(-c.pid, "SIGKILL"); // each was the leader of its own process group
    } catch {
      // gone
    }
  }
  rmSync(STATE_FILE, { force: true });
}

await main();
