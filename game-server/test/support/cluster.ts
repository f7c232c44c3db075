/**
 * A whole cluster for tests, every part a real process: redis-server, the
 * game-server nodes (`node game-server/src/main.ts` with REDIS_URL) and nginx in
 * front of them, on free loopback ports, sharing the suite's PostgreSQL (a
 * fresh database). Output is kept per process and shown only on failure
 * (TEST_CLUSTER_LOG=1 streams it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  freePort,
  type GameNodeHandle,
  type LineSink,
  type NginxHandle,
  prefixedSink,
  type RedisHandle,
  silentSink,
  startGameNode,
  startNginx,
  startRedis,
} from "../../../compose/processes.ts";
import { createTestDatabase } from "./db.ts";

export interface ClusterNode extends GameNodeHandle {}

export interface Cluster {
  /** nginx entry point, e.g. http://127.0.0.1:41234 */
  url: string;
  databaseUrl: string;
  redis: RedisHandle;
  nginx: NginxHandle;
  nodes: ClusterNode[];
  /** Start one more node, add it to nginx and reload; resolves with it. */
  addNode(env?: Record<string, string>): Promise<ClusterNode>;
  /** Graceful restart of node `id` (SIGTERM, wait, start again on the same port). */
  restartNode(id: string): Promise<ClusterNode>;
  /** Stop Redis and start it again on the same port after `downMs`. */
  restartRedis(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const sink = (label: string): LineSink => (process.env.TEST_CLUSTER_LOG ? prefixedSink(label) : silentSink);

export async function startCluster(opts: {
  nodes: number;
  env?: Record<string, string>;
  databaseUrl?: string;
}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "tabula-cluster-"));
  const databaseUrl = opts.databaseUrl ?? (await createTestDatabase("c"));
  const redis = await startRedis({ port: await freePort(), dir: join(dir, "redis"), output: sink("redis") });
  const nginxPort = await freePort();
  const nodes: ClusterNode[] = [];
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    PUBLIC_ADDRESS: `127.0.0.1:${nginxPort}`,
    NODE_ENV: "test",
    TOKEN_SECRET: "cluster-tests-secret-0123456789abcdef",
    CLIENT_DIST: "",
    LOG_JSON: "true",
    LOG_LEVEL: process.env.TEST_CLUSTER_LOG ? "info" : "warn",
    ...opts.env,
  };
  const start = async (extra: Record<string, string> = {}) => {
    const id = `n${nodes.length + 1}`;
    const node = await startGameNode({ id, port: await freePort(), env: { ...env, ...extra }, output: sink(id) });
    nodes.push(node);
    return node;
  };
  let redisHandle = redis;
  try {
    // Nodes start one at a time: the first applies the migrations.
    for (let i = 0; i < opts.nodes; i++) await start();
    const nginx = await startNginx({ prefix: join(dir, "nginx"), port: nginxPort, nodes, output: sink("nginx") });
    return {
      url: nginx.url,
      databaseUrl,
      get redis() {
        return redisHandle;
      },
      nginx,
      nodes,
      async restartNode(id) {
        const i = nodes.findIndex((n) => n.id === id);
        const old = nodes[i];
        await old.stop(15_000);
        const node = await startGameNode({ id, port: old.port, env, output: sink(id) });
        nodes[i] = node;
        return node;
      },
      async restartRedis(downMs) {
        await redisHandle.stop();
        await new Promise((r) => setTimeout(r, downMs));
        redisHandle = await startRedis({ port: redis.port, dir: join(dir, "redis"), output: sink("redis") });
      },
      async addNode(extra) {
        const node = await start(extra);
        await nginx.reload(nodes);
        return node;
      },
      async stop() {
        await Promise.all(nodes.map((n) => n.stop(5_000)));
        await nginx.stop();
        await redisHandle.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop(2_000)));
    await redis.stop();
    throw err;
  }
}
