/**
 * Game-server nodes of a local cluster: `node game-server/src/main.ts` as a
 * child process. A node started without a port binds port 0 and the port it
 * got is read back from the kernel (its listening socket), so parallel test
 * files never race for a port.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { exitedError, waitForHttp } from "./http.ts";
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
  process: ManagedProcess;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Start `node game-server/src/main.ts` as NODE_ID=`id` on 127.0.0.1:`port`
 * (default 0: any free port, read back once it listens), with this process's
 * environment, then `env`; resolves once its /healthz answers 200 with
 * `node: id` (a node answers 503 while it rebuilds its games).
 */
export async function startGameNode(opts: {
  id: string;
  port?: number;
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
    env: { ...process.env, HOST: "127.0.0.1", ...opts.env, NODE_ID: opts.id, PORT: String(opts.port ?? 0) },
    output: opts.output ?? prefixedSink(opts.id),
    onSpawn: opts.onSpawn,
  });
  try {
    const port = opts.port || (await listeningPort(proc, Date.now() + timeoutMs));
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, timeoutMs, {
      process: proc,
      ok: (r) => r.status === 200 && safeJson(r.body)?.node === opts.id,
    });
    return { id: opts.id, port, host: "127.0.0.1", url, process: proc, stop: (t = 10_000) => proc.stop(t).then(() => {}) };
  } catch (err) {
    await proc.stop(5_000);
    throw err;
  }
}

/**
 * The TCP port `proc` listens on (127.0.0.1), once it does: its socket
 * descriptors (/proc/<pid>/fd) matched against the kernel's table of listening
 * sockets (/proc/net/tcp, state 0A). Linux only, like the rest of compose/.
 */
async function listeningPort(proc: ManagedProcess, deadline: number): Promise<number> {
  for (;;) {
    if (proc.hasExited()) throw await exitedError(proc, "during start-up");
    const inodes = new Set<string>();
    try {
      for (const fd of readdirSync(`/proc/${proc.pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${proc.pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      }
      for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
        const f = line.trim().split(/\s+/);
        // local_address (hex ip:port), st (0A = LISTEN), inode
        if (f.length > 9 && f[3] === "0A" && inodes.has(f[9])) return Number.parseInt(f[1].split(":")[1], 16);
      }
    } catch {
      // gone meanwhile: hasExited says so on the next round
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} did not listen on a port in time:\n${proc.output()}`);
    await sleep(50);
  }
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
