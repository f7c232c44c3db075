/**
 * The cluster `npm run bench:pairing` measures when it is given no --url: one
 * embedded PostgreSQL, redis-server, N game-server nodes and nginx in front,
 * all on loopback, started with the same compose/ functions as `npm run
 * cluster`, in a temporary directory removed at the end. Also the counters
 * read around a burst: CPU time per process (/proc) and Redis commands
 * (MONITOR).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import {
  findCommand,
  freePort,
  type ManagedProcess,
  type NginxHandle,
  type NodeAddress,
  type PostgresHandle,
  type RedisHandle,
  REPO_ROOT,
  silentSink,
  spawnProcess,
  startEmbeddedPostgresProcess,
  startNginx,
  startRedis,
  waitForHttp,
} from "../../compose/processes.ts";
import { allStats, descendants, readStat } from "./procstat.ts";

/** The token secret of the bench's own cluster (rated runs sign account tokens with it). */
export const BENCH_TOKEN_SECRET = "bench-pairing-secret-0123456789abcdef";

export interface BenchCluster {
  url: string;
  redisUrl: string;
  /** Game-server node processes, by NODE_ID. */
  nodes: Array<{ id: string; pid: number }>;
  /** How long each quick-play game took to make (the nodes' "quick play paired" log lines that say so), ms. */
  createMs: number[];
  /** How long the requester that made each pair spent in the matchmaker (same lines), ms. */
  matchmakerMs: number[];
  redisPid: number;
  nginxPid: number;
  /** The embedded PostgreSQL's helper process (postgres runs below it); null with DATABASE_URL. */
  postgresPid: number | null;
  stop(): Promise<void>;
}

/** Exit code 2 with this message when a tool is missing. */
export class MissingTool extends Error {}

/**
 * Start the cluster: `nodes` game-server nodes run from `serverRoot` (default
 * this checkout; another checkout measures a baseline side by side), each with
 * `env` added (and `--cpu-prof` into `cpuProfDir` when given). Rate limits are
 * lifted: the bench creates hundreds of guests from one address.
 */
export async function startBenchCluster(opts: {
  nodes: number;
  serverRoot?: string;
  env?: Record<string, string>;
  cpuProfDir?: string;
  say: (line: string) => void;
}): Promise<BenchCluster> {
  const missing = ["redis-server", "nginx"].filter((c) => !findCommand(c));
  if (missing.length) {
    throw new MissingTool(
      `${missing.join(" and ")} not found on PATH. The pairing bench runs a real cluster (Redis, nginx):\n` +
        "    sudo apt-get update && sudo apt-get install redis-server nginx\n" +
        "or point it at a running cluster with --url http://host:port.",
    );
  }
  const root = resolve(opts.serverRoot ?? REPO_ROOT);
  const dir = mkdtempSync(join(tmpdir(), "tabula-bench-pairing-"));
  // Run as root, embedded PostgreSQL drops to an unprivileged user, who must reach its data folder inside.
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let pg: PostgresHandle | undefined;
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      opts.say("starting embedded PostgreSQL (fresh data directory)…");
      pg = await startEmbeddedPostgresProcess({ dataDir: join(dir, "pg"), output: silentSink });
      stops.push(() => (pg as PostgresHandle).stop());
      databaseUrl = pg.url;
    }
    const redis: RedisHandle = await startRedis({ dir: join(dir, "redis"), output: silentSink });
    stops.push(() => redis.stop());
    const nginx: NginxHandle = await startNginx({ prefix: join(dir, "nginx"), nodes: [], output: silentSink });
    stops.push(() => nginx.stop());
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}`,
      TOKEN_SECRET: BENCH_TOKEN_SECRET,
      CLIENT_DIST: "",
      // Info, as JSON: the "quick play paired" lines say how long each game took to make.
      LOG_LEVEL: "info",
      LOG_JSON: "true",
      API_RATE_PER_MIN: "1000000",
      GUEST_RATE_PER_MIN: "1000000",
      ...opts.env,
    };
    if (opts.cpuProfDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${resolve(opts.cpuProfDir)}`;
    const nodes: Array<NodeAddress & { pid: number }> = [];
    const createMs: number[] = [];
    const matchmakerMs: number[] = [];
    const output = (line: string) => {
      if (!line.includes('"createMs"')) return;
      const l = JSON.parse(line) as { createMs?: unknown; matchmakerMs?: unknown };
      if (typeof l.createMs === "number") createMs.push(l.createMs);
      if (typeof l.matchmakerMs === "number") matchmakerMs.push(l.matchmakerMs);
    };
    // One at a time: the first node applies the migrations.
    for (let i = 1; i <= opts.nodes; i++) {
      const id = `n${i}`;
      opts.say(`starting node ${id}${opts.serverRoot ? ` from ${root}` : ""}…`);
      const proc = await startNode(root, id, env, output);
      stops.push(() => proc.stop(10_000).then(() => {}));
      nodes.push({ id, port: proc.port, host: "127.0.0.1", pid: proc.pid });
    }
    await nginx.reload(nodes);
    return {
      url: nginx.url,
      redisUrl: redis.url,
      nodes: nodes.map(({ id, pid }) => ({ id, pid })),
      createMs,
      matchmakerMs,
      redisPid: redis.process.pid,
      nginxPid: nginx.process.pid,
      postgresPid: pg?.process.pid ?? null,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** `node game-server/src/main.ts` in `root` as NODE_ID `id` on a free port, its lines to `output`; resolves once /healthz says it is `id`. */
async function startNode(
  root: string,
  id: string,
  env: Record<string, string>,
  output: (line: string) => void,
): Promise<ManagedProcess & { port: number }> {
  const port = await freePort();
  const proc = spawnProcess({
    name: id,
    command: process.execPath,
    args: ["game-server/src/main.ts"],
    cwd: root,
    env: { ...env, HOST: "127.0.0.1", NODE_ID: id, PORT: String(port) },
    output,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, {
      process: proc,
      ok: (r) => r.status === 200 && r.body.includes(`"node":"${id}"`),
    });
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
  return Object.assign(proc, { port });
}

/**
 * CPU time (user + system) of process `pid` and all its descendants alive now, ms (PostgreSQL's
 * backends, nginx's workers). Children that already exited are counted only once reaped.
 */
export function treeCpuMs(pid: number): number {
  const stats = allStats();
  return descendants([pid], stats).reduce((sum, p) => sum + (stats.get(p)?.cpuMs ?? 0), 0);
}

/** CPU time (user + system) of process `pid` so far, ms; null when it is gone. */
export function cpuMs(pid: number): number | null {
  return readStat(pid)?.cpuMs ?? null;
}

/** Commands Redis received during a window, from MONITOR: sent by clients (round trips, by command) and run inside scripts. */
export interface RedisCommandCount {
  sent: Record<string, number>;
  inScripts: number;
}

/**
 * Start counting the commands the Redis at `redisUrl` runs (MONITOR, on a
 * connection of its own); `stop` ends the count. MONITOR slows Redis a little,
 * the same for every run compared.
 */
export async function countRedisCommands(redisUrl: string): Promise<{ stop(): Promise<RedisCommandCount> }> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000 });
  r.on("error", () => {});
  await r.connect();
  const monitor = await r.monitor();
  const count: RedisCommandCount = { sent: {}, inScripts: 0 };
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === "lua") count.inScripts++;
    else {
      const cmd = String(args[0]).toLowerCase();
      count.sent[cmd] = (count.sent[cmd] ?? 0) + 1;
    }
  });
  return {
    async stop() {
      monitor.disconnect();
      r.disconnect();
      return count;
    },
  };
}
