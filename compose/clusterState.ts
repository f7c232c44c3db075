/**
 * What a running `npm run cluster` keeps on disk — .data/cluster/state.json:
 * its pid, ports, nodes and the last add-node error — read by
 * `npm run cluster:add-node` and by the next runner, which stops the leftovers
 * of one that was killed. Also the paths, and the runner's voice.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadConfig } from "../game-server/src/config.ts";
import { prefixedSink } from "./output.ts";
import { REPO_ROOT } from "./spawn.ts";

export const DATA = join(REPO_ROOT, ".data");
export const CLUSTER_DIR = join(DATA, "cluster");
export const STATE_FILE = join(CLUSTER_DIR, "state.json");
export const NGINX_PREFIX = join(CLUSTER_DIR, "nginx");
export const REDIS_DIR = join(CLUSTER_DIR, "redis");
export const PROMETHEUS_DIR = join(CLUSTER_DIR, "prometheus");
/**
 * The embedded PostgreSQL: DATA_DIR and EMBEDDED_PG_PORT read as `npm start` reads them (same defaults,
 * .data/postgres and 54329), so that the cluster runs the database `npm start`, `npm run backup` and
 * `npm run admin` find with the same settings.
 */
const pgSettings = (() => {
  try {
    return loadConfig({ DATA_DIR: process.env.DATA_DIR, EMBEDDED_PG_PORT: process.env.EMBEDDED_PG_PORT });
  } catch (err) {
    console.error(`\n[cluster] ${(err as Error).message}\n`);
    process.exit(2);
  }
})();
export const PG_DIR = resolve(REPO_ROOT, pgSettings.dataDir);
export const PG_PORT = pgSettings.embeddedPgPort;
/** The read replica (--replica): its data folder (beside the primary's: .data/replica by default) and port. */
export const REPLICA_DIR = join(dirname(PG_DIR), "replica");
export const REPLICA_PORT = 54330;
export const FIRST_NODE_PORT = 2567;

export const say = prefixedSink("cluster", 1);
export const fail = (msg: string, code = 1): never => {
  console.error(`\n[cluster] ${msg}\n`);
  process.exit(code);
};

export interface NodeState {
  id: string;
  port: number;
  /** Its Prometheus metrics port (127.0.0.1), if it serves metrics. */
  metricsPort?: number;
  pid: number;
  url: string;
  alive: boolean;
}

/** .data/cluster/state.json: what the running runner started (read by add-node and by the next runner). */
export interface ClusterState {
  pid: number;
  status: "starting" | "running" | "stopping";
  startedAt: string;
  url: string;
  port: number;
  publicAddress: string;
  redis?: { port: number; pid: number; url: string };
  /** With --redis sentinel: the replica and the Sentinels (`redis` is the first primary). */
  redisSentinel?: { name: string; addresses: string; processes: { what: string; pid: number; port: number }[] };
  postgres?: { embedded: boolean; port?: number; pid?: number };
  /** With --replica: the helper process running the standby, and the standby's postmaster. */
  replica?: { port: number; pid: number; postmasterPid: number };
  nginx?: { pid: number; prefix: string; conf: string };
  prometheus?: { pid: number; port: number; url: string };
  nodes: NodeState[];
  /** add-node requests: the node being added, and the last failure. */
  addNode: { pending: string | null; lastError: { message: string; at: number } | null };
}

export function readState(): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(s: ClusterState) {
  mkdirSync(CLUSTER_DIR, { recursive: true });
  writeFileSync(`${STATE_FILE}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

export function alive(pid: number | undefined): boolean {
  if (!pid || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A previous runner died without cleaning up (kill -9, crash): stop what it
 * recorded and is still running — only processes whose command line shows they
 * are that runner's (a recycled pid is left alone).
 */
export async function cleanupStale(s: ClusterState) {
  const candidates: { pid: number; what: string; marker: string }[] = [
    ...s.nodes.map((n) => ({ pid: n.pid, what: `node ${n.id}`, marker: "game-server/src/main.ts" })),
    ...(s.nginx ? [{ pid: s.nginx.pid, what: "nginx", marker: s.nginx.prefix.replace(/\/$/, "") }] : []),
    ...(s.redis ? [{ pid: s.redis.pid, what: "redis-server", marker: `:${s.redis.port}` }] : []),
    ...(s.redisSentinel?.processes ?? []).map((p) => ({ pid: p.pid, what: p.what, marker: `:${p.port}` })),
    ...(s.postgres?.pid ? [{ pid: s.postgres.pid, what: "embedded PostgreSQL", marker: "compose/postgres.ts" }] : []),
    ...(s.replica ? [{ pid: s.replica.pid, what: "read replica", marker: "compose/replica.ts" }] : []),
    ...(s.prometheus ? [{ pid: s.prometheus.pid, what: "prometheus", marker: PROMETHEUS_DIR }] : []),
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
