/**
 * A whole cluster for tests, every part a real process: redis-server, the
 * game-server nodes (`node game-server/src/main.ts` with REDIS_URL) and nginx in
 * front of them, on loopback, sharing the suite's PostgreSQL (a fresh
 * database). Nodes bind port 0 and report the port they got; nginx and Redis
 * start on a free port and try another if it is taken meanwhile. Output is
 * kept per process and shown only on failure (TEST_CLUSTER_LOG=1 streams it);
 * every node's log lines are kept whole in `logs` (JSON) for checks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type GameNodeHandle,
  type LineSink,
  type NginxHandle,
  prefixedSink,
  type RedisHandle,
  type RedisSentinelGroup,
  silentSink,
  startGameNode,
  startNginx,
  startRedis,
  startRedisSentinelGroup,
} from "../../../compose/processes.ts";
import { createTestDatabase } from "./db.ts";

export interface ClusterNode extends GameNodeHandle {}

/** One line of a node's log, as it wrote it (JSON). */
export interface NodeLogLine {
  node: string;
  line: string;
}

export interface Cluster {
  /** nginx entry point, e.g. http://127.0.0.1:41234 */
  url: string;
  databaseUrl: string;
  /** The redis-server (with `sentinel`: the one started as primary). */
  redis: RedisHandle;
  /** With `sentinel: true`: the primary, its replica and the Sentinels the nodes connect through. */
  sentinel?: RedisSentinelGroup;
  nginx: NginxHandle;
  nodes: ClusterNode[];
  /** Every line every node wrote so far (stdout and stderr), oldest first. */
  logs: NodeLogLine[];
  /** Start one more node, add it to nginx and reload; resolves with it. */
  addNode(env?: Record<string, string>): Promise<ClusterNode>;
  /** Graceful restart of node `id` (SIGTERM, wait, start again; nginx is pointed at its new port). */
  restartNode(id: string): Promise<ClusterNode>;
  /** Stop Redis (until startRedis). */
  stopRedis(): Promise<void>;
  /** Start Redis again, on the port it had. */
  startRedis(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The lines of `logs` a healthy cluster never writes: at level error (50) or
 * above, or not a JSON log line at all (a raw stack trace, a library printing
 * to the console).
 */
export function alarmingLines(logs: NodeLogLine[]): string[] {
  return logs
    .filter(({ line }) => {
      try {
        return !((JSON.parse(line) as { level?: number }).level! < 50);
      } catch {
        return true;
      }
    })
    .map(({ node, line }) => `[${node}] ${line.slice(0, 600)}`);
}

const streamed = (label: string): LineSink => (process.env.TEST_CLUSTER_LOG ? prefixedSink(label) : silentSink);

export async function startCluster(opts: {
  nodes: number;
  env?: Record<string, string>;
  databaseUrl?: string;
  /** Redis as a primary, a replica and three Sentinels (compose/sentinel.ts); the nodes connect through them. */
  sentinel?: boolean;
}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "tabula-cluster-"));
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase("c"));
  const sentinel = opts.sentinel ? await startRedisSentinelGroup({ dir: join(dir, "redis"), output: streamed }) : undefined;
  let redis = sentinel?.servers[0] ?? (await startRedis({ dir: join(dir, "redis"), output: streamed("redis") }));
  const redisEnv = sentinel
    ? { REDIS_SENTINELS: sentinel.addresses, REDIS_SENTINEL_NAME: sentinel.name }
    : { REDIS_URL: redis.url };
  const nodes: ClusterNode[] = [];
  const logs: NodeLogLine[] = [];
  const nodeSink = (node: string): LineSink => {
    const out = streamed(node);
    return (line) => {
      logs.push({ node, line });
      out(line);
    };
  };
  let nginx: NginxHandle | undefined;
  try {
    // nginx first (with no node yet): the nodes need its address as their PUBLIC_ADDRESS.
    nginx = await startNginx({ prefix: join(dir, "nginx"), nodes: [], output: streamed("nginx") });
    const env = {
      DATABASE_URL: databaseUrl,
      ...redisEnv,
      PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}`,
      NODE_ENV: "test",
      TOKEN_SECRET: "cluster-tests-secret-0123456789abcdef",
      CLIENT_DIST: "",
      METRICS_PORT: "0",
      LOG_JSON: "true",
      LOG_LEVEL: process.env.TEST_CLUSTER_LOG ? "info" : "warn",
      ...opts.env,
    };
    const start = (id: string, extra: Record<string, string> = {}) =>
      startGameNode({ id, env: { ...env, ...extra }, output: nodeSink(id) });
    // Nodes start one at a time: the first applies the migrations.
    for (let i = 0; i < opts.nodes; i++) nodes.push(await start(`n${i + 1}`));
    await nginx.reload(nodes);
    const entry = nginx;
    return {
      url: entry.url,
      databaseUrl,
      get redis() {
        return redis;
      },
      sentinel,
      nginx: entry,
      nodes,
      logs,
      async restartNode(id) {
        const i = nodes.findIndex((n) => n.id === id);
        await nodes[i].stop(15_000);
        nodes[i] = await start(id);
        await entry.reload(nodes);
        return nodes[i];
      },
      async stopRedis() {
        await redis.stop();
      },
      async startRedis() {
        redis = await startRedis({ port: redis.port, dir: join(dir, "redis"), output: streamed("redis") });
      },
      async addNode(extra) {
        const node = await start(`n${nodes.length + 1}`, extra);
        nodes.push(node);
        await entry.reload(nodes);
        return node;
      },
      async stop() {
        await Promise.all(nodes.map((n) => n.stop(5_000)));
        await entry.stop();
        await (sentinel ?? redis).stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop(2_000)));
    await nginx?.stop();
    await (sentinel ?? redis).stop();
    throw err;
  }
}
