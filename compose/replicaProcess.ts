/** The read replica of a local cluster, run in a helper process (compose/replica.ts). */
import { join, resolve } from "node:path";
import { exitedError } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { type ManagedProcess, REPO_ROOT, sleep, spawnProcess } from "./spawn.ts";

export interface ReplicaHandle {
  /** Read-only URL of the standby (the primary's user and database). */
  url: string;
  port: number;
  /** The helper process (stop it to stop the standby). */
  process: ManagedProcess;
  /** The standby's postmaster. */
  postmasterPid: number;
  stop(): Promise<void>;
}

/**
 * Start a read replica of `primaryUrl` (a superuser URL of a PostgreSQL on this machine) in a helper
 * process, data in `dataDir` (built on first use; `rebuild`: built again), on `port` when given, else a free
 * port. Resolves once it accepts read-only connections.
 */
export function startReplicaProcess(opts: {
  primaryUrl: string;
  dataDir: string;
  port?: number;
  rebuild?: boolean;
  output?: LineSink;
  onSpawn?: (p: ManagedProcess) => void;
  timeoutMs?: number;
}): Promise<ReplicaHandle> {
  const sink = opts.output ?? prefixedSink("replica");
  const timeoutMs = opts.timeoutMs ?? 180_000;
  return onFreePort(opts.port, async (port) => {
    let ready: { url: string; pid: number } | undefined;
    const proc = spawnProcess({
      name: "replica",
      command: process.execPath,
      args: [
        join(REPO_ROOT, "compose/replica.ts"),
        "--primary",
        opts.primaryUrl,
        "--dir",
        resolve(opts.dataDir),
        "--port",
        String(port),
        ...(opts.rebuild ? ["--rebuild"] : []),
      ],
      env: { ...process.env, LOG_JSON: "false" },
      output: (line) => {
        const m = /^TABULA_REPLICA_READY (\S+) (\d+)$/.exec(line);
        if (m) ready = { url: m[1] as string, pid: Number(m[2]) };
        else sink(line);
      },
      onSpawn: opts.onSpawn,
    });
    const deadline = Date.now() + timeoutMs;
    while (!ready) {
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
      if (Date.now() > deadline) {
        await proc.stop(10_000);
        throw new Error(`the read replica did not start within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
    return { ...ready, port, process: proc, postmasterPid: ready.pid, stop: () => proc.stop(20_000).then(() => {}) };
  });
}
