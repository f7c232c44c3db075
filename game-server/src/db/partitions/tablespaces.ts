/**
 * The tablespaces the partitioned tables are spread over: moves_a, moves_b and
 * moves_c, directories that stand for separate volumes (docs/database.md).
 *
 * CREATE TABLESPACE cannot run inside a transaction and needs a directory on
 * the database machine, which only the environment knows, so no migration
 * makes them: either this module does, before the migrations (the embedded
 * PostgreSQL, a server of your own with TABLESPACES=name=dir,…), or the
 * operator does (TABLESPACES=managed; CloudNativePG's `spec.tablespaces` on
 * Kubernetes) and this module only checks that they are there.
 */
import { existsSync, readdirSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import type pg from "pg";
import type { Logger } from "../../log.ts";
import { ensureDirsForPostgres } from "../../ops/backup/archive.ts";

/** The tablespaces, in round-robin order (layout.ts places month partitions on them by month number). */
export const TABLESPACE_NAMES = ["moves_a", "moves_b", "moves_c"] as const;
export type TablespaceName = (typeof TABLESPACE_NAMES)[number];

/** `managed`: they exist already (made by the operator); else the directory of each, made here when missing. */
export type TablespaceSetting = { managed: true } | { managed: false; dirs: Record<TablespaceName, string> };

/** Missing or unusable tablespaces: the node cannot start (main.ts exits with code 3 and this message). */
export class TablespaceError extends Error {}

/**
 * Parse the TABLESPACES setting: "managed", or "moves_a=/dir,moves_b=/dir,moves_c=/dir" (all three,
 * absolute or relative paths). Throws an Error with a readable message otherwise.
 */
export function parseTablespaces(value: string): TablespaceSetting {
  if (value.trim() === "managed") return { managed: true };
  const dirs: Partial<Record<TablespaceName, string>> = {};
  for (const part of value.split(",")) {
    const m = /^\s*([a-z_]+)\s*=\s*(\S.*?)\s*$/.exec(part);
    const name = m?.[1] as TablespaceName | undefined;
    if (!m || !name || !TABLESPACE_NAMES.includes(name) || dirs[name]) {
      throw new Error(`"${part.trim()}" is not one of ${TABLESPACE_NAMES.map((n) => `${n}=<dir>`).join(", ")} (each once)`);
    }
    if (/['\n]/.test(m[2] as string)) throw new Error(`${name}: quotes and newlines are not allowed in the directory`);
    dirs[name] = m[2] as string;
  }
  const missing = TABLESPACE_NAMES.filter((n) => !dirs[n]);
  if (missing.length) throw new Error(`missing ${missing.join(", ")} (give all of ${TABLESPACE_NAMES.join(", ")}, or "managed")`);
  return { managed: false, dirs: dirs as Record<TablespaceName, string> };
}

/** The embedded PostgreSQL's default: `<dataDir>-tablespaces/<name>`, beside its data directory (not inside it). */
export function tablespacesBeside(dataDir: string): TablespaceSetting {
  const root = `${resolve(dataDir)}-tablespaces`;
  const dirs = Object.fromEntries(TABLESPACE_NAMES.map((n) => [n, resolve(root, n)])) as Record<TablespaceName, string>;
  return { managed: false, dirs };
}

/**
 * Make sure the three tablespaces exist on the server `client` is connected to (outside any transaction).
 * Each one missing is created in its directory (made, and given to the postgres user when we are root) unless
 * the setting is `managed`; a directory left over from another PostgreSQL (a folder with files but no
 * tablespace of that name here) is moved aside to `<dir>.stale-<time>` when `freshServer` (this server was
 * just initialised, so nothing of it can be there), else refused.
 * Throws TablespaceError, with what to do, when one is missing and cannot be made.
 * @returns the names of the tablespaces created by this call.
 */
export async function ensureTablespaces(
  client: pg.Client,
  setting: TablespaceSetting,
  log: Logger,
  freshServer = false,
): Promise<TablespaceName[]> {
  const { rows } = await client.query<{ name: string; location: string }>(
    "SELECT spcname AS name, pg_tablespace_location(oid) AS location FROM pg_tablespace WHERE spcname = ANY($1)",
    [TABLESPACE_NAMES],
  );
  const have = new Map(rows.map((r) => [r.name, r.location]));
  const missing = TABLESPACE_NAMES.filter((n) => !have.has(n));
  if (!setting.managed) {
    for (const name of TABLESPACE_NAMES) {
      const want = resolve(setting.dirs[name]);
      const at = have.get(name);
      if (at !== undefined && at !== want)
        log.warn({ tablespace: name, location: at, configured: want }, "tablespace exists elsewhere");
    }
  }
  if (missing.length === 0) return [];
  if (setting.managed) {
    throw new TablespaceError(
      `the database has no tablespace ${missing.join(", ")}: with TABLESPACES=managed (the default with DATABASE_URL) ` +
        `the operator creates ${TABLESPACE_NAMES.join(", ")} (CloudNativePG: spec.tablespaces), or set ` +
        `TABLESPACES=moves_a=<dir>,moves_b=<dir>,moves_c=<dir> to have them made; see docs/database.md`,
    );
  }
  const created: TablespaceName[] = [];
  for (const name of missing) {
    const dir = resolve(setting.dirs[name]);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      if (!freshServer) {
        throw new TablespaceError(
          `tablespace ${name}: its directory ${dir} is not empty but this server has no such tablespace ` +
            "(files of another PostgreSQL?); move it away, or point TABLESPACES elsewhere",
        );
      }
      const aside = `${dir}.stale-${new Date().toISOString().replace(/[:.]/g, "-")}`;
      renameSync(dir, aside);
      log.warn({ tablespace: name, movedTo: aside }, "moved a tablespace folder left by an earlier data directory aside");
    }
    try {
      ensureDirsForPostgres(dir);
    } catch (err) {
      // The directory is on the database machine, which may not be this one (Compose: the postgres container
      // has it on a volume): CREATE TABLESPACE says whether it is there.
      log.debug({ tablespace: name, dir, err: (err as Error).message }, "could not make the tablespace folder here");
    }
    try {
      await client.query(`CREATE TABLESPACE ${name} LOCATION '${dir}'`);
    } catch (err) {
      throw new TablespaceError(`could not create tablespace ${name} in ${dir}: ${(err as Error).message}`);
    }
    log.info({ tablespace: name, location: dir }, "tablespace created");
    created.push(name);
  }
  return created;
}
