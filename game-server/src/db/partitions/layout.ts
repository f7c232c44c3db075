/**
 * Where each month's rows go: the names, bounds and tablespaces of the month
 * partitions of "Move" (by game id: game ids are time-ordered, ../../game/gameId.ts)
 * and "AuditEvent" (by "at"). The migration 20261201200000_move_partitions makes
 * its first months by the same rules in SQL; test/integration/partitions.test.ts
 * checks that the two agree. All months are UTC months.
 */
import { gameIdTimePrefix } from "../../game/gameId.ts";
import { TABLESPACE_NAMES, type TablespaceName } from "./tablespaces.ts";

/** The tables partitioned by month. */
export const PARTITIONED_TABLES = ["Move", "AuditEvent"] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

/** The partition of the moves of games made before time-ordered ids (random ids; never retired). */
export const MOVE_LEGACY_PARTITION = "Move_legacy";

/** A UTC month; `month` is 1–12. */
export interface Month {
  year: number;
  month: number;
}

/** The month that holds `ms` (epoch ms). */
export function monthOf(ms: number): Month {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** `m` moved by `n` months (n may be negative). */
export function addMonths(m: Month, n: number): Month {
  const i = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

/** The first millisecond of `m` (epoch ms). */
export const monthStart = (m: Month): number => Date.UTC(m.year, m.month - 1, 1);

/** `YYYYMM`. */
const yyyymm = (m: Month): string => `${m.year}${String(m.month).padStart(2, "0")}`;

/** The partition of `table` for month `m`, e.g. "Move_p202612". */
export const partitionName = (table: PartitionedTable, m: Month): string => `${table}_p${yyyymm(m)}`;

/** The month of a month partition's name of `table`, or null (e.g. Move_legacy). */
export function monthOfPartition(table: PartitionedTable, name: string): Month | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})$`).exec(name);
  if (!m) return null;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year: Number(m[1]), month } : null;
}

/**
 * The tablespace of `table`'s partition for `m`: round robin by month number, AuditEvent one step after Move,
 * so that consecutive months, and the two tables in one month, are on different volumes.
 */
export function tablespaceOf(table: PartitionedTable, m: Month): TablespaceName {
  const turn = m.year * 12 + (m.month - 1) + (table === "AuditEvent" ? 1 : 0);
  return TABLESPACE_NAMES[turn % TABLESPACE_NAMES.length] as TablespaceName;
}

/** The partition bound of `table` at the start of `m`, as the literal PostgreSQL stores (the id prefix or the time). */
function boundAt(table: PartitionedTable, m: Month): string {
  const start = monthStart(m);
  if (table === "Move") return gameIdTimePrefix(start);
  return `${new Date(start).toISOString().slice(0, 10)} 00:00:00+00`;
}

/** `FROM` (inclusive) and `TO` (exclusive) of `table`'s partition for `m`. */
export function partitionBounds(table: PartitionedTable, m: Month): { from: string; to: string } {
  return { from: boundAt(table, m), to: boundAt(table, addMonths(m, 1)) };
}

const literal = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * The statements that make `table`'s partition for `m` (if missing) on its tablespace, indexes included
 * (default_tablespace: the partition's copies of the parent's indexes are made on the default tablespace).
 * Run them in one transaction.
 */
export function createPartitionStatements(table: PartitionedTable, m: Month): string[] {
  const { from, to } = partitionBounds(table, m);
  const space = tablespaceOf(table, m);
  return [
    `SET LOCAL default_tablespace = ${space}`,
    `CREATE TABLE IF NOT EXISTS "${partitionName(table, m)}" PARTITION OF "${table}" ` +
      `FOR VALUES FROM (${literal(from)}) TO (${literal(to)}) TABLESPACE ${space}`,
  ];
}
