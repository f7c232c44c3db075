/**
 * The partitioned tables after migrate: AuditEvent (by month on "at").
 * See docs/database.md.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/log.ts";
import { createTestDatabase, query } from "../support/db.ts";

const migrationsDir = resolve(import.meta.dirname, "../../../prisma/migrations");
const log = createLogger({ level: "silent", json: true, nodeId: "t" });

/** `YYYYMM` of a UTC date. */
const month = (d: Date): string => `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;

describe("partitions after migrate", () => {
  it("AuditEvent is partitioned by month on at; a new event lands in this month's partition", async () => {
    const url = await createTestDatabase("parts");
    await migrate(url, migrationsDir, log);
    const [parent] = await query<{ strategy: string; key: string }>(
      url,
      `SELECT p.partstrat AS strategy, pg_get_partkeydef(p.partrelid) AS key
       FROM pg_partitioned_table p WHERE p.partrelid = '"AuditEvent"'::regclass`,
    );
    expect(parent).toEqual({ strategy: "r", key: "RANGE (at)" });
    const parts = await query<{ name: string }>(
      url,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = '"AuditEvent"'::regclass ORDER BY 1`,
    );
    expect(parts.length).toBeGreaterThanOrEqual(4);
    const [row] = await query<{ part: string }>(
      url,
      `INSERT INTO "AuditEvent" (kind, detail) VALUES ('test', '{"a":1}') RETURNING tableoid::regclass::text AS part`,
    );
    expect(row.part).toBe(`"AuditEvent_p${month(new Date())}"`);
  });
});
