/**
 * The migrations in prisma/migrations build exactly the database schema.prisma
 * declares, and are recorded in `_prisma_migrations` as `prisma migrate deploy`
 * records them. Fails when the hand-written SQL drifts from schema.prisma.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/log.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { schemaDrift } from "../support/schemaDrift.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const schemaPath = join(root, "prisma", "schema.prisma");
const migrationsDir = join(root, "prisma", "migrations");
const log = createLogger({ level: "silent", json: true, nodeId: "t" });

/** The migration folders, as Prisma sees them: name and sha256 of migration.sql. */
function migrationFolders(): { name: string; checksum: string }[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      name,
      checksum: createHash("sha256")
        .update(readFileSync(join(migrationsDir, name, "migration.sql")))
        .digest("hex"),
    }));
}

async function migratedDatabase(): Promise<string> {
  const url = await createTestDatabase("schema");
  await migrate(url, migrationsDir, log);
  return url;
}

describe("database schema", () => {
  it("the migrated database matches schema.prisma", async () => {
    const url = await migratedDatabase();
    expect(await schemaDrift(url, schemaPath)).toEqual([]);
  });

  it("the comparison sees deliberate drift", async () => {
    const url = await migratedDatabase();
    await query(
      url,
      `ALTER TABLE "Game" ALTER COLUMN "kind" TYPE VARCHAR(32);
       ALTER TABLE "Game" ALTER COLUMN "ply" SET DEFAULT 1;
       ALTER TABLE "Game" ALTER COLUMN "ownerNode" SET NOT NULL;
       ALTER TABLE "Move" ALTER COLUMN "createdAt" TYPE TIMESTAMPTZ(6);
       ALTER TABLE "Player" ALTER COLUMN "createdAt" DROP DEFAULT;
       DROP INDEX "Game_status_idx";
       ALTER INDEX "Game_seat1Id_createdAt_idx" RENAME TO "Game_seat1_idx";
       CREATE INDEX "Game_seat0Id_createdAt_idx2" ON "Game" ("seat0Id", "createdAt" DESC);
       ALTER TABLE "Player" ADD COLUMN "stray" TEXT;
       CREATE TABLE "Stray" (id INTEGER);
       ALTER TABLE "Move" DROP CONSTRAINT "Move_gameId_fkey";
       ALTER TABLE "Move" ADD CONSTRAINT "Move_gameId_fkey" FOREIGN KEY ("gameId") REFERENCES "Game"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
       ALTER TABLE "Game" DROP CONSTRAINT "Game_seat1Id_fkey";`,
    );
    const drift = await schemaDrift(url, schemaPath);
    const expected = [
      `column "Game"."kind": type is varchar(32) in the database, schema.prisma declares varchar(16)`,
      `column "Game"."ply": default 1 in the database, schema.prisma declares default 0`,
      `column "Game"."ownerNode": NOT NULL in the database, schema.prisma declares nullable`,
      `column "Move"."createdAt": type is timestamptz(6) in the database, schema.prisma declares timestamptz(3)`,
      `column "Player"."createdAt": no default in the database, schema.prisma declares default now()`,
      `index "Game_status_idx": missing in the database (schema.prisma declares INDEX ON "Game" USING btree ("status"))`,
      `index "Game_seat1Id_createdAt_idx": missing in the database (schema.prisma declares INDEX ON "Game" USING btree ("seat1Id", "createdAt"))`,
      `index "Game_seat1_idx": in the database (INDEX ON "Game" USING btree ("seat1Id", "createdAt")) but not in schema.prisma`,
      `index "Game_seat0Id_createdAt_idx2": in the database (INDEX ON "Game" USING btree ("seat0Id", "createdAt" DESC)) but not in schema.prisma`,
      `column "Player"."stray": in the database (text) but not in schema.prisma`,
      `table "Stray": in the database but not in schema.prisma`,
      `foreign key "Move_gameId_fkey" on "Move": database has FOREIGN KEY ("gameId") REFERENCES "Game"("id") ON DELETE RESTRICT ON UPDATE CASCADE, schema.prisma declares FOREIGN KEY ("gameId") REFERENCES "Game"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
      `foreign key "Game_seat1Id_fkey" on "Game": missing in the database (schema.prisma declares FOREIGN KEY ("seat1Id") REFERENCES "Player"("id") ON DELETE RESTRICT ON UPDATE CASCADE)`,
    ];
    expect([...drift].sort()).toEqual([...expected].sort());
  });

  it("records migrations in _prisma_migrations as Prisma does, and applies nothing twice", async () => {
    const url = await createTestDatabase("schema");
    const folders = migrationFolders();
    expect(folders.length).toBeGreaterThan(0);
    expect(await migrate(url, migrationsDir, log)).toEqual(folders.map((f) => f.name));

    // The table itself, column for column as Prisma creates it.
    const columns = await query(
      url,
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '_prisma_migrations'
       ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", length: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", length: 64, is_nullable: "NO", column_default: null },
      {
        column_name: "finished_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      { column_name: "migration_name", data_type: "character varying", length: 255, is_nullable: "NO", column_default: null },
      { column_name: "logs", data_type: "text", length: null, is_nullable: "YES", column_default: null },
      {
        column_name: "rolled_back_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "YES",
        column_default: null,
      },
      {
        column_name: "started_at",
        data_type: "timestamp with time zone",
        length: null,
        is_nullable: "NO",
        column_default: "now()",
      },
      { column_name: "applied_steps_count", data_type: "integer", length: null, is_nullable: "NO", column_default: "0" },
    ]);

    const rows = await query<{
      id: string;
      checksum: string;
      finished_at: Date | null;
      migration_name: string;
      logs: string | null;
      rolled_back_at: Date | null;
      started_at: Date;
      applied_steps_count: number;
    }>(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(folders);
    for (const r of rows) {
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.finished_at!.getTime()).toBeGreaterThanOrEqual(r.started_at.getTime());
      expect(r.applied_steps_count).toBe(1);
      expect(r.rolled_back_at).toBeNull();
      expect(r.logs).toBeNull();
    }

    // A second run (another node starting later) applies nothing and records nothing.
    expect(await migrate(url, migrationsDir, log)).toEqual([]);
    const again = await query(url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(again).toEqual(rows);
  });

  it("concurrent migrate() calls apply each migration once", async () => {
    const url = await createTestDatabase("schema");
    const names = migrationFolders().map((f) => f.name);
    const results = await Promise.all([1, 2, 3].map(() => migrate(url, migrationsDir, log)));
    // Whoever took the advisory lock first applied everything; the others found nothing to do.
    expect(results.flat().sort()).toEqual(names);
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await query<{ migration_name: string; n: number }>(
      url,
      `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
    );
    expect(rows).toEqual(names.map((migration_name) => ({ migration_name, n: 1 })));
    expect(await schemaDrift(url, schemaPath)).toEqual([]);
  });
});
