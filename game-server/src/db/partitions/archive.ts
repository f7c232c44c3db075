/**
 * Archives of retired month partitions: `<BACKUP_DIR>/archive/<partition>.csv.gz`,
 * the rows as CSV with a header line (PostgreSQL's COPY format), gzip'd. An
 * archive is loaded back with `npm run partitions -- --load <file>`
 * (loadArchive): its month partition is made again and the rows copied in.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { createPartitionStatements, monthOfPartition, PARTITIONED_TABLES, type PartitionedTable } from "./layout.ts";

/** The archive folder under BACKUP_DIR. */
export const archiveDirOf = (backupDir: string): string => join(backupDir, "archive");

const SUFFIX = ".csv.gz";

/**
 * Copy every row of table `name` (a detached partition) to `<archiveDir>/<name>.csv.gz`, written whole or not
 * at all (a `.partial` file renamed at the end). An existing archive of the same name is replaced.
 * @returns the file and the number of rows in it.
 */
export async function archiveTable(
  client: pg.ClientBase,
  name: string,
  archiveDir: string,
): Promise<{ file: string; rows: number }> {
  await mkdir(archiveDir, { recursive: true });
  const file = join(archiveDir, `${name}${SUFFIX}`);
  const partial = `${file}.partial`;
  try {
    const stream = client.query(copyTo(`COPY (SELECT * FROM "${name}") TO STDOUT (FORMAT csv, HEADER true)`));
    await pipeline(stream, createGzip(), createWriteStream(partial, { mode: 0o600, flush: true }));
    await rename(partial, file);
    return { file, rows: stream.rowCount };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/** The table and month partition an archive file belongs to, from its name (`Move_p202601.csv.gz`). */
export function archiveTarget(file: string): { table: PartitionedTable; partition: string } | null {
  const name = basename(file);
  if (!name.endsWith(SUFFIX)) return null;
  const partition = name.slice(0, -SUFFIX.length);
  const table = PARTITIONED_TABLES.find((t) => monthOfPartition(t, partition));
  return table ? { table, partition } : null;
}

/**
 * Load archive `file` back: make its month partition again (on its tablespace) and copy its rows in, in one
 * transaction (a partition that already holds any of the rows refuses them all: the primary key). Moves need
 * their games' rows, which retention keeps. Note the partition job retires the month again when it is older
 * than MOVE_KEEP_MONTHS / AUDIT_KEEP_MONTHS: raise those first (docs/database.md).
 * @returns the partition and the number of rows loaded.
 */
export async function loadArchive(client: pg.ClientBase, file: string): Promise<{ partition: string; rows: number }> {
  const target = archiveTarget(file);
  if (!target) throw new Error(`${file}: not an archive of a month partition (<Table>_pYYYYMM${SUFFIX})`);
  const month = monthOfPartition(target.table, target.partition)!;
  await client.query("BEGIN");
  try {
    for (const sql of createPartitionStatements(target.table, month)) await client.query(sql);
    const stream = client.query(copyFrom(`COPY "${target.partition}" FROM STDIN (FORMAT csv, HEADER match)`));
    await pipeline(createReadStream(file), createGunzip(), stream);
    await client.query("COMMIT");
    return { partition: target.partition, rows: stream.rowCount };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}
