/**
 * The runner of `npm run cluster`: starts redis-server, PostgreSQL, the nodes
 * and nginx in that order (each tracked from its spawn, for clean-up), keeps
 * .data/cluster/state.json current, adds a node on SIGUSR2 (add-node), and on
 * Ctrl-C stops everything it started: nodes first, then nginx, Redis and
 * PostgreSQL.
 */
import { rmSync } from "node:fs";
import {
  type ClusterState,
  FIRST_NODE_PORT,
  NGINX_PREFIX,
  PG_DIR,
  PROMETHEUS_DIR,
  PG_PORT,
  REDIS_DIR,
  REPLICA_DIR,
  REPLICA_PORT,
  STATE_FILE,
  fail,
  say,
  writeState,
} from "./clusterState.ts";
import { waitForHttp } from "./http.ts";
import { type NginxHandle, startNginx } from "./nginx.ts";
import { type PrometheusHandle, startPrometheus } from "./monitoring.ts";
import { type GameNodeHandle, startGameNode } from "./node.ts";
import { isPortFree } from "./ports.ts";
import { startEmbeddedPostgresProcess } from "./postgresProcess.ts";
import { startReplicaProcess } from "./replicaProcess.ts";
import { startRedis } from "./redis.ts";
import { type RedisSentinelGroup, startRedisSentinelGroup } from "./sentinel.ts";
import { printBanner, shownPath } from "./banner.ts";
import { preflight } from "./preflight.ts";
import { walArchiveSettings } from "./backupSettings.ts";
import { findCommand, type ManagedProcess } from "./spawn.ts";

type Role = "prometheus" | "node" | "nginx" | "redis" | "replica" | "pg";
/** Prometheus first: it would only record the nodes going down. */
const STOP_ORDER: Role[] = ["prometheus", "node", "nginx", "redis", "replica", "pg"];

/** Start the cluster and keep it running until a signal (see compose/README.md). */
export async function runCluster(opts: {
  nodeCount: number;
  port: number;
  redisPort: number;
  maxConnections?: number;
  /** "sentinel": a primary, a replica and three Sentinels (compose/sentinel.ts) instead of one redis-server. */
  redis?: "single" | "sentinel";
  /** Also run Debian's prometheus against the cluster (compose/monitoring/). */
  monitoring?: boolean;
  /** Also run a read replica of the PostgreSQL (compose/replica.ts); the nodes get REPLICA_DATABASE_URL. */
  replica?: boolean;
}): Promise<void> {
  const t0 = performance.now();
  const { redisBin, nginxBin, nodePorts, budget } = await preflight(opts);
  if (opts.monitoring && !findCommand("prometheus")) {
    fail("--monitoring needs prometheus (Debian: apt-get install prometheus; only the binary is used).", 2);
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
      say(`stopping (${reason}): ${opts.monitoring ? "prometheus, " : ""}nodes, then nginx, redis, PostgreSQL…`);
      for (const role of STOP_ORDER) {
        await Promise.all(
          spawned
            .filter((s) => s.role === role)
            .map(async ({ proc }) => {
              const wasRunning = !proc.hasExited();
              const how = await proc.stop(role === "pg" || role === "replica" ? 20_000 : 10_000);
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
  let replicaEnv: Record<string, string> = {};
  let redisUrl = "";
  let redisEnv: Record<string, string> = {};
  let sentinel: RedisSentinelGroup | undefined;
  let nginx: NginxHandle | undefined;
  let prometheus: PrometheusHandle | undefined;

  /** Start node `id` on `nodePort`, wait for its /healthz, record it. */
  const launchNode = async (id: string, nodePort: number): Promise<GameNodeHandle> => {
    const t = performance.now();
    say(`starting node ${id} on 127.0.0.1:${nodePort}…`);
    const node = await startGameNode({
      id,
      port: nodePort,
      metricsPort: 0, // each node its own, read back and printed (and given to Prometheus)
      env: {
        HOST: "127.0.0.1",
        REDIS_URL: undefined,
        ...redisEnv,
        PUBLIC_ADDRESS: publicAddress,
        DATABASE_URL: databaseUrl,
        ...replicaEnv,
        LOG_JSON: process.env.LOG_JSON ?? "false",
      },
      onSpawn: track("node"),
    });
    const metrics = node.metricsPort ? `; metrics http://127.0.0.1:${node.metricsPort}/metrics` : "";
    say(`node ${id} ready (${Math.round(performance.now() - t)} ms): ${node.url}/healthz${metrics}`);
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
    const { id, port, metricsPort, url } = node;
    state.nodes.push({ id, port, metricsPort, pid: node.process.pid, url, alive: true });
    state.nodes.sort((a, b) => a.port - b.port);
    writeState(state);
    prometheus?.setTargets(state.nodes);
  };

  try {
    // 5. Redis.
    if (opts.redis === "sentinel") {
      say(`starting Redis with Sentinel: a primary on 127.0.0.1:${opts.redisPort}, one replica, three Sentinels…`);
      const group = await startRedisSentinelGroup({ dir: REDIS_DIR, primaryPort: opts.redisPort, onSpawn: track("redis") });
      const all = [...group.servers, ...group.sentinels];
      sentinel = group;
      redisUrl = group.servers[0].url;
      redisEnv = { REDIS_SENTINELS: group.addresses, REDIS_SENTINEL_NAME: group.name };
      state.redis = { port: group.servers[0].port, pid: group.servers[0].process.pid, url: redisUrl };
      const processes = all.map((p) => ({ what: p.process.name, pid: p.process.pid, port: p.port }));
      state.redisSentinel = { name: group.name, addresses: group.addresses, processes };
      writeState(state);
      for (const p of group.sentinels) watch(p.process, p.process.name, false);
      for (const p of group.servers)
        watch(p.process, `${p.process.name} (if it was the primary, the Sentinels fail over)`, false);
      say(`redis ready: nodes connect through the Sentinels ${group.addresses} (name ${group.name})`);
    } else {
      say(`starting redis-server on 127.0.0.1:${opts.redisPort} (no persistence)…`);
      const redis = await startRedis({ port: opts.redisPort, dir: REDIS_DIR, command: redisBin, onSpawn: track("redis") });
      redisUrl = redis.url;
      redisEnv = { REDIS_URL: redisUrl };
      state.redis = { port: opts.redisPort, pid: redis.process.pid, url: redis.url };
      writeState(state);
      watch(redis.process, "redis-server", false);
      say(`redis ready: ${redis.url}`);
    }

    // 6. PostgreSQL.
    if (databaseUrl) {
      say("PostgreSQL: using DATABASE_URL");
      state.postgres = { embedded: false };
    } else {
      const archive = walArchiveSettings();
      say(
        `starting the embedded PostgreSQL on 127.0.0.1:${PG_PORT} (data in ${shownPath(PG_DIR)}` +
          `${archive ? `, WAL archived into ${shownPath(archive.backupDir)}: docs/backups.md` : ""})…`,
      );
      const pg = await startEmbeddedPostgresProcess({ dataDir: PG_DIR, port: PG_PORT, onSpawn: track("pg"), archive });
      databaseUrl = pg.url;
      state.postgres = { embedded: true, port: PG_PORT, pid: pg.process.pid };
      writeState(state);
      watch(pg.process, "PostgreSQL", false);
      say("PostgreSQL ready");
    }

    // The replica's address is known before it runs: nodes read the primary until it answers (db/reads.ts).
    if (opts.replica && databaseUrl) replicaEnv = { REPLICA_DATABASE_URL: replicaUrlOf(databaseUrl) };

    // 7. Nodes. Migrations are serialised by an advisory lock, so they may start together.
    const results = await Promise.allSettled(nodePorts.map((p, i) => launchNode(`n${i + 1}`, p)));
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const r of results) if (r.status === "fulfilled") record(r.value);

    // 7b. The read replica, built after the nodes' migrations (a tablespace made later needs a rebuild: db/replica.ts).
    if (opts.replica && databaseUrl) {
      say(`starting the read replica on 127.0.0.1:${REPLICA_PORT} (data in .data/replica; the first start copies the primary)…`);
      const replica = await startReplicaProcess({
        primaryUrl: databaseUrl,
        dataDir: REPLICA_DIR,
        port: REPLICA_PORT,
        onSpawn: track("replica"),
      });
      state.replica = { port: REPLICA_PORT, pid: replica.process.pid, postmasterPid: replica.postmasterPid };
      writeState(state);
      watch(replica.process, "read replica (reads fall back to the primary)", false);
      say(`read replica ready: ${replica.url.replace(/:[^:@/]*@/, ":***@")} (postmaster pid ${replica.postmasterPid})`);
    }

    // 8. nginx.
    say(`starting nginx on 127.0.0.1:${opts.port} (prefix .data/cluster/nginx)…`);
    nginx = await startNginx({
      prefix: NGINX_PREFIX,
      port: opts.port,
      nodes: state.nodes.map((n) => ({ id: n.id, port: n.port })),
      command: nginxBin,
      budget,
      onSpawn: track("nginx"),
    });
    state.nginx = { pid: nginx.process.pid, prefix: nginx.prefix, conf: nginx.conf };
    writeState(state);
    watch(nginx.process, "nginx", true);
    say(`nginx ready; checking ${url}healthz through it…`);
    await waitForHttp(`http://127.0.0.1:${opts.port}/healthz`, 30_000, { process: nginx.process });

    // 9. Prometheus (--monitoring).
    if (opts.monitoring) {
      say("starting prometheus (compose/monitoring/, data in .data/cluster/prometheus)…");
      prometheus = await startPrometheus({ dir: PROMETHEUS_DIR, nodes: state.nodes, onSpawn: track("prometheus") });
      state.prometheus = { pid: prometheus.process.pid, port: prometheus.port, url: prometheus.url };
      writeState(state);
      watch(prometheus.process, "prometheus", false);
      say(`prometheus ready: ${prometheus.url}/ (targets follow add-node: ${PROMETHEUS_DIR}/targets/)`);
    }
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

  printBanner({ secs: (performance.now() - t0) / 1000, state, url, prometheusUrl: prometheus?.url, sentinel, redisUrl });
}

/** The replica's URL: the primary's, on REPLICA_PORT of this machine. */
function replicaUrlOf(primaryUrl: string): string {
  const u = new URL(primaryUrl);
  u.host = `127.0.0.1:${REPLICA_PORT}`;
  return u.toString();
}
