/**
 * The cluster `npm run bench:conns` loads: one embedded PostgreSQL (fresh, in
 * a temporary directory), redis-server, N game-server nodes and nginx in front
 * of them, all started with compose/'s functions on loopback. Each node runs
 * with its inspector open on loopback (`--inspect=127.0.0.1:0`) so that the
 * bench can force a garbage collection and read its heap from outside. Also:
 * resident memory and open descriptors of a process, read from /proc.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FdBudget,
  freePort,
  type GameNodeHandle,
  type ManagedProcess,
  type NginxHandle,
  startEmbeddedPostgresProcess,
  startGameNode,
  startNginx,
  startRedis,
} from "../../compose/processes.ts";
import { Inspector, inspectorUrlIn } from "./inspector.ts";

export interface BenchNode {
  handle: GameNodeHandle;
  inspector: Inspector;
}

export interface ConnsCluster {
  /** nginx, e.g. http://127.0.0.1:41234 */
  url: string;
  nginx: NginxHandle;
  nodes: BenchNode[];
  /** Node log lines at level warn or above (JSON logs), for the report. */
  warnings: string[];
  stop(): Promise<void>;
}

/**
 * Node settings for idle games: games must stay live while the bench holds
 * their sockets (no first move comes for an hour), and the bench's thousands
 * of guests and joins come from one address (no rate limit applies).
 */
const BENCH_NODE_ENV = {
  NODE_ENV: "test",
  TOKEN_SECRET: "bench-conns-secret-0123456789abcdef0123",
  FIRST_MOVE_TIMEOUT_S: "3600",
  API_RATE_PER_MIN: "100000000",
  GUEST_RATE_PER_MIN: "100000000",
  CLIENT_DIST: "",
  LOG_JSON: "true",
  LOG_LEVEL: "warn",
};

/** Start the cluster: `nodes` game-server nodes behind nginx sized by `budget`. */
export async function startConnsCluster(opts: {
  nodes: number;
  budget: FdBudget;
  say: (line: string) => void;
}): Promise<ConnsCluster> {
  const dir = mkdtempSync(join(tmpdir(), "tabula-bench-conns-"));
  chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  const warnings: string[] = [];
  const quiet = () => {};
  const nodes: BenchNode[] = [];
  // Every child is tracked from its spawn, so a start-up that fails half-way stops what it started.
  const helpers: ManagedProcess[] = [];
  const nodeProcs: ManagedProcess[] = [];
  const stop = async () => {
    for (const n of nodes) n.inspector.close();
    await Promise.all(nodeProcs.map((p) => p.stop(10_000)));
    await Promise.all(helpers.map((p) => p.stop(15_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  const track = (list: ManagedProcess[]) => (p: ManagedProcess) => {
    list.push(p);
  };
  try {
    opts.say("starting PostgreSQL (embedded, fresh), redis-server and nginx…");
    const [pg, redis, nginx] = await Promise.all([
      startEmbeddedPostgresProcess({ dataDir: join(dir, "pg"), output: quiet, onSpawn: track(helpers) }),
      startRedis({ dir: join(dir, "redis"), output: quiet, onSpawn: track(helpers) }),
      startNginx({ prefix: join(dir, "nginx"), nodes: [], output: quiet, budget: opts.budget, onSpawn: track(helpers) }),
    ]);
    for (let i = 1; i <= opts.nodes; i++) {
      const id = `n${i}`;
      opts.say(`starting node ${id}…`);
      let inspectorUrl: string | undefined;
      const handle = await startGameNode({
        id,
        // A port of our choosing: the node's inspector listens too, so "the port it binds" would be ambiguous.
        port: await freePort(),
        onSpawn: track(nodeProcs),
        env: {
          ...BENCH_NODE_ENV,
          DATABASE_URL: pg.url,
          REDIS_URL: redis.url,
          PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}`,
          NODE_OPTIONS: "--inspect=127.0.0.1:0",
        },
        output: (line) => {
          inspectorUrl ??= inspectorUrlIn(line);
          if (/"level":(40|50|60)/.test(line) || line.startsWith("Error")) warnings.push(`[${id}] ${line.slice(0, 400)}`);
        },
      });
      if (!inspectorUrl) throw new Error(`node ${id} did not print its inspector address`);
      nodes.push({ handle, inspector: await Inspector.connect(inspectorUrl) });
    }
    await nginx.reload(nodes.map((n) => n.handle));
    return { url: nginx.url, nginx, nodes, warnings, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}

/** Resident memory of process `pid` (VmRSS), bytes; 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Open file descriptors of process `pid`; 0 when it is gone. */
export function fdsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The processes whose parent is `pid` (nginx's workers), from /proc/<pid>/stat. */
export function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return kids;
}
