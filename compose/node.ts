/**
 * Game-server nodes of a local cluster: `node game-server/src/main.ts` as a
 * child process. A node started without a port binds port 0 and the port it
 * got is read back from the kernel (its listening sockets: the one answering
 * /healthz as this node is the game port, the one answering /metrics the
 * metrics port), so parallel test files never race for a port.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { exitedError, httpRequest, waitForHttp } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { type ManagedProcess, REPO_ROOT, sleep, spawnProcess } from "./spawn.ts";

export interface NodeAddress {
  /** NODE_ID, e.g. "n1". */
  id: string;
  port: number;
  /** Default 127.0.0.1. Must be an IP literal (nginx maps it without a resolver). */
  host?: string;
}

export interface GameNodeHandle extends NodeAddress {
  url: string;
  /** Its Prometheus metrics port (METRICS_PORT, or the one it got for 0); undefined when it serves none. */
  metricsPort: number | undefined;
  process: ManagedProcess;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Start `node game-server/src/main.ts` as NODE_ID=`id` on 127.0.0.1:`port`
 * (default 0: any free port, read back once it listens), with this process's
 * environment, then `env`; resolves once its /healthz answers 200 with
 * `node: id` (a node answers 503 while it rebuilds its games). `metricsPort`
 * (else `env.METRICS_PORT`, else 0: any free port, read back like the game
 * port) sets METRICS_PORT.
 */
export async function startGameNode(opts: {
  id: string;
  port?: number;
  metricsPort?: number;
  env?: Record<string, string | undefined>;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  healthTimeoutMs?: number;
}): Promise<GameNodeHandle> {
  const timeoutMs = opts.healthTimeoutMs ?? 60_000;
  const proc = spawnProcess({
    name: opts.id,
    command: process.execPath,
    args: ["game-server/src/main.ts"],
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      ...opts.env,
      NODE_ID: opts.id,
      PORT: String(opts.port ?? 0),
      // Tools start several nodes on one machine: each gets its own metrics port (any free one by default).
      METRICS_PORT: String(opts.metricsPort ?? opts.env?.METRICS_PORT ?? 0),
    },
    output: opts.output ?? prefixedSink(opts.id),
    onSpawn: opts.onSpawn,
  });
  try {
    const port = opts.port || (await gamePort(proc, opts.id, Date.now() + timeoutMs));
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, timeoutMs, {
      process: proc,
      ok: (r) => r.status === 200 && safeJson(r.body)?.node === opts.id,
    });
    const metricsPort = await metricsPortOf(proc, port);
    const stop = (t = 10_000) => proc.stop(t).then(() => {});
    return { id: opts.id, port, metricsPort, host: "127.0.0.1", url, process: proc, stop };
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
}

/**
 * The game port of node `id` (`proc`), once it listens: of its listening
 * sockets, the one whose /healthz names the node (any status: it answers 503
 * while it rebuilds its games). The metrics port answers /healthz with 404.
 */
async function gamePort(proc: ManagedProcess, id: string, deadline: number): Promise<number> {
  for (;;) {
    if (proc.hasExited()) throw await exitedError(proc, "during start-up");
    for (const port of listeningPorts(proc)) {
      const r = await httpRequest(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 2_000 }).catch(() => undefined);
      if (r && safeJson(r.body)?.node === id) return port;
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} did not listen on a port in time:\n${proc.output()}`);
    await sleep(50);
  }
}

/** The port, other than `gamePort`, where `proc` serves GET /metrics; undefined when none does. */
async function metricsPortOf(proc: ManagedProcess, gamePort: number): Promise<number | undefined> {
  for (const port of listeningPorts(proc)) {
    if (port === gamePort) continue;
    const r = await httpRequest(`http://127.0.0.1:${port}/metrics`, { timeoutMs: 5_000 }).catch(() => undefined);
    if (r?.status === 200) return port;
  }
  return undefined;
}

/**
 * The TCP ports `proc` listens on: its socket descriptors (/proc/<pid>/fd)
 * matched against the kernel's table of listening sockets (/proc/net/tcp,
 * state 0A). Empty while it listens on none. Linux only, like the rest of compose/.
 */
function listeningPorts(proc: ManagedProcess): number[] {
  const inodes = new Set<string>();
  const ports: number[] = [];
  try {
    for (const fd of readdirSync(`/proc/${proc.pid}/fd`)) {
      const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${proc.pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    }
    for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address (hex ip:port), st (0A = LISTEN), inode
      if (f.length > 9 && f[3] === "0A" && inodes.has(f[9])) ports.push(Number.parseInt(f[1].split(":")[1], 16));
    }
  } catch {
    // gone meanwhile: the caller's hasExited says so
  }
  return ports;
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return "";
  }
}

function safeJson(s: string): { node?: string } | undefined {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
