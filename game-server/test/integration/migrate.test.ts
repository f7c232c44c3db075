/**
 * The migration runner (src/db/migrate.ts) when things go wrong, on throw-away migration folders:
 * a failing migration is rolled back whole and named; an applied migration whose file changed is
 * reported and not run again; a migration Prisma left unfinished stops every node until resolved.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.ts";
import { createTestDatabase, query } from "../support/db.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A migrations folder holding `migrations` (name → SQL), in Prisma's layout. */
function folder(migrations: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tabula-migrations-"));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(migrations)) write(dir, name, sql);
  return dir;
}

function write(dir: string, name: string, sql: string): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, "migration.sql"), sql);
}

/** A logger whose lines are kept in `lines` (parsed JSON). */
function capture() {
  const lines: Array<{ level: number; msg: string; migration?: string }> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

const tables = async (url: string) =>
  (await query<{ t: string }>(url, `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map(
    (r) => r.t,
  );
const recorded = async (url: string) =>
  query<{ migration_name: string; finished: boolean }>(
    url,
    `SELECT migration_name, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" ORDER BY migration_name`,
  );

describe("migrations that go wrong", () => {
  it("a failing migration is rolled back whole, named in the error, and applied once fixed", async () => {
    const url = await createTestDatabase("migrate");
    const dir = folder({
      "1_a": `CREATE TABLE "A" (id int);`,
      "2_b": `CREATE TABLE "B" (id int); INSERT INTO "B" VALUES ('not a number');`,
    });
    const { log } = capture();
    await expect(migrate(url, dir, log)).rejects.toThrow(/^migration 2_b failed: .*invalid input syntax/);
    expect(await tables(url)).toEqual(["A", "_prisma_migrations"]); // nothing of 2_b, not even its record
    expect(await recorded(url)).toEqual([{ migration_name: "1_a", finished: true }]);

    write(dir, "2_b", `CREATE TABLE "B" (id int); INSERT INTO "B" VALUES (1);`);
    expect(await migrate(url, dir, log)).toEqual(["2_b"]);
    expect(await tables(url)).toEqual(["A", "B", "_prisma_migrations"]);
  });

  it("an applied migration whose file changed is reported, not run again", async () => {
    const url = await createTestDatabase("migrate");
    const dir = folder({ "1_a": `CREATE TABLE "A" (id int);` });
    const { log, lines } = capture();
    expect(await migrate(url, dir, log)).toEqual(["1_a"]);
    write(dir, "1_a", `CREATE TABLE "A" (id int); -- edited after it was applied`);
    expect(await migrate(url, dir, log)).toEqual([]);
    expect(lines.filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ migration: "1_a", msg: "applied migration was modified since it was applied" }),
    ]);
  });

  it("a migration Prisma left unfinished stops the node until someone resolves it", async () => {
    const url = await createTestDatabase("migrate");
    const dir = folder({ "1_a": `CREATE TABLE "A" (id int);`, "2_b": `CREATE TABLE "B" (id int);` });
    const { log } = capture();
    await migrate(url, dir, log);
    // What `prisma migrate deploy` leaves when a migration fails half-way: a row without finished_at.
    await query(url, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = '2_b'`);
    write(dir, "3_c", `CREATE TABLE "C" (id int);`);
    await expect(migrate(url, dir, log)).rejects.toThrow("migration 2_b failed earlier and is not finished");
    expect(await tables(url)).not.toContain("C");
  });
});
