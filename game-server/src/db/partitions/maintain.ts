/**
 * Partition maintenance, one pass: make the month partitions of "Move" and
 * "AuditEvent" ahead of time, and retire the months past their retention
 * (DETACH … CONCURRENTLY, archive to a gzip'd CSV, DROP). Under a PostgreSQL
 * advisory lock, so that when every node runs it only one does the work.
 * job.ts runs it at start and every hour; docs/database.md says why.
 *
 * Crash safety: a detach that was interrupted is finished (FINALIZE) and a
 * month table that was detached but not dropped is archived and dropped on
 * the next pass; an archive file is written whole before its table is dropped,
 * and the drop only happens when the file holds every row.
 */
import type pg from "pg";
import type { Logger } from "../../log.ts";
import { archiveTable } from "./archive.ts";
import {
  addMonths,
  createPartitionStatements,
  type Month,
  monthOf,
  monthOfPartition,
  monthStart,
  PARTITIONED_TABLES,
  type PartitionedTable,
  partitionBounds,
  partitionName,
} from "./layout.ts";

/** Advisory lock key of the partition job (Prisma's migration lock is 72707369). */
export const PARTITION_JOB_LOCK = 72707370;

export interface PartitionPolicy {
  /** Months made ahead besides the current one. */
  aheadMonths: number;
  /** Months kept per table, besides the current one (0: keep everything). */
  keepMonths: Record<PartitionedTable, number>;
  /** Where retired months are archived (BACKUP_DIR/archive). */
  archiveDir: string;
}

export interface MaintenanceReport {
  /** False when another node held the lock (it does the work). */
  ran: boolean;
  created: string[];
  retired: { partition: string; rows: number; file: string }[];
  /** Months past retention kept anyway, and why. */
  kept: { partition: string; reason: string }[];
  /** Per table: the first month that has no partition yet (epoch ms), for the metric. */
  coveredUntil: Partial<Record<PartitionedTable, number>>;
}

interface PartitionRow {
  name: string;
  pending: boolean;
}

/** The partitions of `table` (attached or being detached). */
async function partitionsOf(client: pg.ClientBase, table: PartitionedTable): Promise<PartitionRow[]> {
  const { rows } = await client.query<PartitionRow>(
    `SELECT c.relname AS name, i.inhdetachpending AS pending
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = format('%I', $1::text)::regclass`,
    [table],
  );
  return rows;
}

/** Month tables of `table` that are no partition any more: detached by a pass that stopped before the drop. */
async function detachedMonthTables(client: pg.ClientBase, table: PartitionedTable): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition AND c.relname ~ $1`,
    [`^${table}_p[0-9]{6}$`],
  );
  return rows.map((r) => r.name);
}

/** Make `table`'s partitions from the current month to `ahead` months on; returns the names made. */
async function createAhead(client: pg.ClientBase, table: PartitionedTable, now: Month, ahead: number): Promise<string[]> {
  const have = new Set((await partitionsOf(client, table)).map((p) => p.name));
  const made: string[] = [];
  for (let i = 0; i <= ahead; i++) {
    const m = addMonths(now, i);
    const name = partitionName(table, m);
    if (have.has(name)) continue;
    await client.query("BEGIN");
    try {
      for (const sql of createPartitionStatements(table, m)) await client.query(sql);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
    made.push(name);
  }
  return made;
}

/**
 * Make the month partitions from `from` to `to` (inclusive) of each partitioned table the database has (a
 * database migrated only part of the way may have neither), e.g. before loading the rows of past months
 * (dumpRestore.ts). @returns the names made.
 */
export async function createMonthPartitions(client: pg.ClientBase, from: Month, to: Month): Promise<string[]> {
  const { rows } = await client.query<{ table: PartitionedTable }>(
    `SELECT c.relname AS table FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
     WHERE c.relname = ANY($1) AND c.relnamespace = current_schema()::regnamespace`,
    [PARTITIONED_TABLES],
  );
  const months = to.year * 12 + to.month - (from.year * 12 + from.month);
  const made: string[] = [];
  for (const { table } of rows) made.push(...(await createAhead(client, table, from, months)));
  return made;
}

/** Why a month of moves must stay although past retention: a game of that month still being played. */
async function keepReason(client: pg.ClientBase, table: PartitionedTable, m: Month): Promise<string | null> {
  if (table !== "Move") return null;
  const { from, to } = partitionBounds(table, m);
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Game" WHERE id COLLATE "C" >= $1 AND id COLLATE "C" < $2 AND status = 'active'`,
    [from, to],
  );
  return rows[0]!.n > 0 ? `${rows[0]!.n} game(s) of that month still active` : null;
}

/** Archive detached month table `name`, and drop it once the archive holds every row. */
async function archiveAndDrop(client: pg.ClientBase, name: string, archiveDir: string) {
  const { file, rows } = await archiveTable(client, name, archiveDir);
  const { rows: count } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
  if (count[0]!.n !== rows) throw new Error(`archive of ${name} holds ${rows} rows, the table ${count[0]!.n}: not dropped`);
  await client.query(`DROP TABLE "${name}"`);
  return { partition: name, rows, file };
}

/** One pass over `table`; fills `report`. */
async function maintainTable(
  client: pg.ClientBase,
  table: PartitionedTable,
  policy: PartitionPolicy,
  now: Month,
  report: MaintenanceReport,
): Promise<void> {
  for (const p of await partitionsOf(client, table)) {
    if (p.pending) await client.query(`ALTER TABLE "${table}" DETACH PARTITION "${p.name}" FINALIZE`);
  }
  for (const name of await detachedMonthTables(client, table)) {
    report.retired.push(await archiveAndDrop(client, name, policy.archiveDir));
  }
  report.created.push(...(await createAhead(client, table, now, policy.aheadMonths)));

  const keep = policy.keepMonths[table];
  const parts = await partitionsOf(client, table);
  if (keep > 0) {
    const oldestKept = monthStart(addMonths(now, -keep));
    for (const p of parts) {
      const m = monthOfPartition(table, p.name);
      if (!m || monthStart(m) >= oldestKept) continue;
      const reason = await keepReason(client, table, m);
      if (reason) {
        report.kept.push({ partition: p.name, reason });
        continue;
      }
      // CONCURRENTLY: live writers to the other months are not blocked (it cannot run in a transaction).
      await client.query(`ALTER TABLE "${table}" DETACH PARTITION "${p.name}" CONCURRENTLY`);
      report.retired.push(await archiveAndDrop(client, p.name, policy.archiveDir));
    }
  }
  let until = monthStart(now);
  const names = new Set(parts.map((p) => p.name));
  for (let m = now; names.has(partitionName(table, m)); m = addMonths(m, 1)) until = monthStart(addMonths(m, 1));
  report.coveredUntil[table] = until;
}

/**
 * Run one maintenance pass on a connection of `pool` at time `nowMs` (epoch ms; default now), unless another
 * session holds the job's advisory lock. Logs what it did.
 */
export async function maintainPartitions(
  pool: pg.Pool,
  policy: PartitionPolicy,
  log: Logger,
  nowMs: number = Date.now(),
): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { ran: false, created: [], retired: [], kept: [], coveredUntil: {} };
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>("SELECT pg_try_advisory_lock($1) AS got", [PARTITION_JOB_LOCK]);
    if (!rows[0]!.got) return report;
    try {
      report.ran = true;
      for (const table of PARTITIONED_TABLES) await maintainTable(client, table, policy, monthOf(nowMs), report);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PARTITION_JOB_LOCK]);
    }
  } finally {
    client.release();
  }
  for (const r of report.retired) log.info(r, "partition archived and dropped");
  for (const k of report.kept) log.warn(k, "partition past retention kept");
  if (report.created.length) log.info({ created: report.created }, "partitions created ahead");
  return report;
}
