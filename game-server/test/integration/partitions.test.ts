/**
 * The partitioned move and audit logs on real PostgreSQL (docs/database.md):
 * what migrate makes, where a move lands, how a replay reads, what the
 * maintenance job makes and retires, loading an archive back, and upgrading a
 * database of the old, unpartitioned layout.
 */
import { randomInt, randomUUID } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.ts";
import { loadArchive } from "../../src/db/partitions/archive.ts";
import {
  addMonths,
  MOVE_LEGACY_PARTITION,
  monthOf,
  monthStart,
  PARTITIONED_TABLES,
  partitionBounds,
  partitionName,
  tablespaceOf,
} from "../../src/db/partitions/layout.ts";
import { maintainPartitions, PARTITION_JOB_LOCK, type PartitionPolicy } from "../../src/db/partitions/maintain.ts";
import { TABLESPACE_NAMES } from "../../src/db/partitions/tablespaces.ts";
import { newGameId, OLD_ID_ALPHABET } from "../../src/game/gameId.ts";
import { createLogger } from "../../src/log.ts";
import { takeDump } from "../../src/ops/backup/dump.ts";
import { restoreDump } from "../../src/ops/backup/dumpRestore.ts";
import { dumpRoot } from "../../src/ops/backup/layout.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { startTestNode } from "../support/node.ts";
import { schemaDrift } from "../support/schemaDrift.ts";

const root = resolve(import.meta.dirname, "../../..");
const migrationsDir = join(root, "prisma/migrations");
const log = createLogger({ level: "silent", json: true, nodeId: "t" });
const now = Date.now();
const thisMonth = monthOf(now);

interface Part {
  parent: string;
  name: string;
  space: string;
  location: string;
  bound: string;
}

/** Every partition of Move and AuditEvent: its tablespace (and its directory) and its bound. */
async function partitions(url: string): Promise<Part[]> {
  return query<Part & Record<string, unknown>>(
    url,
    `SELECT p.relname AS parent, c.relname AS name, t.spcname AS space, pg_tablespace_location(t.oid) AS location,
            pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace
     WHERE p.relname IN ('Move', 'AuditEvent') ORDER BY 1, 2`,
  );
}

/** A player pair and a game `id` (status `status`) for moves to belong to. */
async function addGame(url: string, id: string, status = "finished"): Promise<void> {
  const [a, b] = [randomUUID(), randomUUID()];
  await query(url, `INSERT INTO "Player" (id, name, "nameKey") VALUES ($1, $3, $3), ($2, $4, $4)`, [
    a,
    b,
    `p${a.slice(0, 8)}`,
    `p${b.slice(0, 8)}`,
  ]);
  await query(
    url,
    `INSERT INTO "Game" (id, kind, "timeControl", "initialMs", "incrementMs", seed, mode, status, "seat0Id", "seat1Id", "clock0Ms", "clock1Ms")
     VALUES ($1, 'connect4', '1+0', 60000, 0, 'seed', 'quick', $2, $3, $4, 60000, 60000)`,
    [id, status, a, b],
  );
}

/** `plies` moves of game `id`; returns the partition each landed in. */
async function addMoves(url: string, id: string, plies: number): Promise<string[]> {
  const rows = await query<{ part: string }>(
    url,
    `INSERT INTO "Move" ("gameId", ply, seat, move, san, "clockMs")
     SELECT $1, p, p % 2, '3', '3', 1000 FROM generate_series(1, $2) AS p RETURNING tableoid::regclass::text AS part`,
    [id, plies],
  );
  return rows.map((r) => r.part);
}

const policy = (over: Partial<PartitionPolicy> = {}): PartitionPolicy => ({
  aheadMonths: 3,
  keepMonths: { Move: 0, AuditEvent: 0 },
  archiveDir,
  ...over,
});

let archiveDir: string;
let url: string;
let pool: pg.Pool;

beforeAll(async () => {
  archiveDir = mkdtempSync(join(tmpdir(), "tabula-archive-"));
  url = await createTestDatabase("parts");
  await migrate(url, migrationsDir, log);
  pool = new pg.Pool({ connectionString: url, max: 3 });
});
afterAll(async () => {
  await pool?.end();
  rmSync(archiveDir, { recursive: true, force: true });
});

describe("after migrate", () => {
  it("Move and AuditEvent are partitioned, this month and 3 ahead, over 3 tablespaces in distinct directories", async () => {
    const keys = await query<{ table: string; key: string }>(
      url,
      `SELECT partrelid::regclass::text AS table, pg_get_partkeydef(partrelid) AS key FROM pg_partitioned_table ORDER BY 1`,
    );
    expect(keys).toEqual([
      { table: '"AuditEvent"', key: "RANGE (at)" },
      { table: '"Move"', key: 'RANGE ("gameId")' },
    ]);
    const [column] = await query<{ collation: string }>(
      url,
      `SELECT collname AS collation FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
       WHERE a.attrelid = '"Move"'::regclass AND a.attname = 'gameId'`,
    );
    expect(column?.collation).toBe("C");

    const parts = await partitions(url);
    for (const table of PARTITIONED_TABLES) {
      const months = [0, 1, 2, 3].map((i) => addMonths(thisMonth, i));
      const mine = parts.filter((p) => p.parent === table && p.name !== MOVE_LEGACY_PARTITION);
      expect(mine.map((p) => p.name)).toEqual(months.map((m) => partitionName(table, m)));
      // The migration's SQL and layout.ts agree on bounds and tablespaces.
      for (const [i, m] of months.entries()) {
        const { from, to } = partitionBounds(table, m);
        expect(mine[i]?.bound).toBe(`FOR VALUES FROM ('${from}') TO ('${to}')`);
        expect(mine[i]?.space).toBe(tablespaceOf(table, m));
      }
    }
    expect(parts.find((p) => p.name === MOVE_LEGACY_PARTITION)?.bound).toBe("FOR VALUES FROM ('2') TO (MAXVALUE)");
    const spaces = new Map(parts.filter((p) => p.space).map((p) => [p.space, p.location]));
    expect([...spaces.keys()].sort()).toEqual([...TABLESPACE_NAMES]);
    expect(new Set(spaces.values()).size).toBe(3);
    for (const dir of spaces.values()) expect(dir).toMatch(/^\//);

    // A partition's indexes are on its tablespace too.
    const misplaced = await query(
      url,
      `SELECT i.relname FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid JOIN pg_index x ON x.indrelid = c.oid
       JOIN pg_class i ON i.oid = x.indexrelid
       WHERE c.relname ~ '_p[0-9]{6}$' AND i.reltablespace <> c.reltablespace`,
    );
    expect(misplaced).toEqual([]);
  });

  it("a new game's moves land in this month's partition; a replay reads one partition; a ply is stored once", async () => {
    const id = newGameId();
    await addGame(url, id);
    expect(new Set(await addMoves(url, id, 5))).toEqual(new Set([`"${partitionName("Move", thisMonth)}"`]));

    const [plan] = await query<{ "QUERY PLAN": unknown }>(
      url,
      `EXPLAIN (FORMAT JSON) SELECT * FROM "Move" WHERE "gameId" = '${id}' ORDER BY ply`,
    );
    const scanned = JSON.stringify(plan?.["QUERY PLAN"]).match(/"Relation Name":"[^"]+"/g);
    expect(scanned).toEqual([`"Relation Name":"${partitionName("Move", thisMonth)}"`]);

    // With a parameter (Prisma's and group commit's statements), pruning happens when the plan runs.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("SET plan_cache_mode = force_generic_plan");
      await client.query(`PREPARE replay(text) AS SELECT * FROM "Move" WHERE "gameId" = $1 ORDER BY ply`);
      const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE replay('${id}')`);
      const text = JSON.stringify(rows[0]["QUERY PLAN"]);
      expect(text.match(/"Relation Name":"[^"]+"/g)).toEqual([`"Relation Name":"${partitionName("Move", thisMonth)}"`]);
      expect(text).toMatch(/"Subplans Removed":[1-9]/);
    } finally {
      await client.end();
    }

    await expect(
      query(url, `INSERT INTO "Move" ("gameId", ply, seat, move, san, "clockMs") VALUES ($1, 3, 0, '4', '4', 1)`, [id]),
    ).rejects.toThrow(/duplicate key value violates unique constraint "Move_p\d{6}_pkey"/);
  });
});

describe("partition maintenance", () => {
  it("makes months ahead, is idempotent, and skips while another node holds the lock", async () => {
    const first = await maintainPartitions(pool, policy(), log);
    expect(first).toMatchObject({ ran: true, created: [], retired: [] });
    const more = await maintainPartitions(pool, policy({ aheadMonths: 5 }), log);
    expect(more.created.sort()).toEqual(
      PARTITIONED_TABLES.flatMap((t) => [4, 5].map((i) => partitionName(t, addMonths(thisMonth, i)))).sort(),
    );
    expect(more.coveredUntil.Move).toBe(monthStart(addMonths(thisMonth, 6)));
    expect((await maintainPartitions(pool, policy({ aheadMonths: 5 }), log)).created).toEqual([]);
    const parts = await partitions(url);
    const far = parts.find((p) => p.name === partitionName("Move", addMonths(thisMonth, 5)));
    expect(far?.space).toBe(tablespaceOf("Move", addMonths(thisMonth, 5)));

    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock($1)", [PARTITION_JOB_LOCK]);
      expect((await maintainPartitions(pool, policy({ aheadMonths: 7 }), log)).ran).toBe(false);
    } finally {
      await other.end();
    }
  });

  it("retires months past retention: detached, archived, dropped; an archive loads back with the same rows", async () => {
    // Three months ago, as the job saw it then: those months' partitions, a finished and an active game, audit events.
    const old = addMonths(thisMonth, -3);
    const then = monthStart(old) + 86_400_000;
    await maintainPartitions(pool, policy({ aheadMonths: 1 }), log, then);
    const finished = newGameId(then);
    const active = newGameId(monthStart(addMonths(old, 1)) + 3_600_000);
    await addGame(url, finished);
    await addGame(url, active, "active");
    await addMoves(url, finished, 7);
    await addMoves(url, active, 2);
    await query(
      url,
      `INSERT INTO "AuditEvent" (at, kind, detail) SELECT $1::timestamptz + p * interval '1 minute', 'test', '{"n":1}' FROM generate_series(1, 4) p`,
      [new Date(then)],
    );
    const before = await query(url, `SELECT * FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [finished]);
    const auditBefore = await query(url, `SELECT * FROM "AuditEvent" WHERE kind = 'test' ORDER BY id`);
    expect(before).toHaveLength(7);

    const report = await maintainPartitions(pool, policy({ keepMonths: { Move: 1, AuditEvent: 1 } }), log);
    const oldMove = partitionName("Move", old);
    const oldAudit = partitionName("AuditEvent", old);
    expect(report.retired.map((r) => [r.partition, r.rows]).sort()).toEqual(
      [
        [oldMove, 7],
        [oldAudit, 4],
        [partitionName("AuditEvent", addMonths(old, 1)), 0],
      ].sort(),
    );
    // The month of the active game stays, and says why.
    expect(report.kept).toEqual([
      { partition: partitionName("Move", addMonths(old, 1)), reason: "1 game(s) of that month still active" },
    ]);
    const names = (await partitions(url)).map((p) => p.name);
    expect(names).not.toContain(oldMove);
    expect(names).toContain(partitionName("Move", thisMonth));
    expect(names).toContain(MOVE_LEGACY_PARTITION);
    expect(await query(url, `SELECT to_regclass('"${oldMove}"') AS t`)).toEqual([{ t: null }]);
    expect(await query(url, `SELECT * FROM "Move" WHERE "gameId" = $1`, [finished])).toEqual([]);
    expect(await query(url, `SELECT id FROM "Game" WHERE id = $1`, [finished])).toEqual([{ id: finished }]);
    expect(readdirSync(archiveDir).sort()).toEqual(report.retired.map((r) => `${r.partition}.csv.gz`).sort());

    const client = await pool.connect();
    try {
      expect(await loadArchive(client, join(archiveDir, `${oldMove}.csv.gz`))).toEqual({ partition: oldMove, rows: 7 });
      expect(await loadArchive(client, join(archiveDir, `${oldAudit}.csv.gz`))).toEqual({ partition: oldAudit, rows: 4 });
    } finally {
      client.release();
    }
    expect(await query(url, `SELECT * FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [finished])).toEqual(before);
    expect(await query(url, `SELECT * FROM "AuditEvent" WHERE kind = 'test' ORDER BY id`)).toEqual(auditBefore);
    const back = (await partitions(url)).find((p) => p.name === oldMove);
    expect(back?.space).toBe(tablespaceOf("Move", old));
  });
});

/** A maintenance pass of our own, once the node's own pass (same advisory lock) lets it run. */
async function passOf(p: PartitionPolicy, nowMs = Date.now()) {
  for (let i = 0; i < 200; i++) {
    const report = await maintainPartitions(pool, p, log, nowMs);
    if (report.ran) return report;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the partition job's lock stayed taken for 10 s");
}

describe("a game whose moves were archived", () => {
  it("keeps its row, and GET /api/games/:id says movesArchived instead of showing an empty game", async () => {
    const node = await startTestNode({ DATABASE_URL: url });
    try {
      const old = addMonths(thisMonth, -5);
      await passOf(policy({ aheadMonths: 0 }), monthStart(old));
      const id = newGameId(monthStart(old) + 3_600_000);
      await addGame(url, id);
      await addMoves(url, id, 4);
      await query(url, `UPDATE "Game" SET ply = 4 WHERE id = $1`, [id]);
      const get = async (q = "") => (await fetch(`${node.url}/api/games/${id}${q}`)).json();
      expect(await get()).toMatchObject({ game: { gameId: id }, moves: [{ ply: 1 }, { ply: 2 }, { ply: 3 }, { ply: 4 }] });
      expect(await get()).not.toHaveProperty("movesArchived");

      const report = await passOf(policy({ keepMonths: { Move: 1, AuditEvent: 0 } }));
      expect(report.retired.map((r) => r.partition)).toContain(partitionName("Move", old));
      expect(await get()).toMatchObject({ game: { gameId: id, status: "finished" }, moves: [], movesArchived: true });
      expect(await get("?positions=1")).not.toHaveProperty("positions");
    } finally {
      await node.stop();
    }
  });
});

describe("a logical dump", () => {
  it("restores rows of months older than the ones its migrations make", async () => {
    // By now the database holds moves of two months ago (the active game's, kept by retention above) and
    // audit events of three months ago (loaded back above).
    const old = partitionName("Move", addMonths(thisMonth, -2));
    const count = async (db: string) =>
      query<{ t: string; n: number }>(
        db,
        `SELECT 'Move' AS t, count(*)::int AS n FROM "Move" UNION ALL SELECT 'AuditEvent', count(*)::int FROM "AuditEvent" ORDER BY 1`,
      );
    expect((await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "${old}"`))[0]?.n).toBeGreaterThan(0);
    const backupDir = mkdtempSync(join(tmpdir(), "tabula-dump-"));
    try {
      const manifest = await takeDump({ databaseUrl: url, backupDir });
      const target = await createTestDatabase("restore");
      await restoreDump({ databaseUrl: target, dumpDir: join(dumpRoot(backupDir), manifest.id), migrationsDir, log });
      expect(await count(target)).toEqual(await count(url));
      expect(await query(target, `SELECT * FROM "${old}" ORDER BY "gameId", ply`)).toEqual(
        await query(url, `SELECT * FROM "${old}" ORDER BY "gameId", ply`),
      );
    } finally {
      rmSync(backupDir, { recursive: true, force: true });
    }
  });
});

describe("upgrading a database of the unpartitioned layout", () => {
  it("keeps every move: old ids in Move_legacy, new games in their month", async () => {
    const db = await createTestDatabase("upgrade");
    const oldDir = mkdtempSync(join(tmpdir(), "tabula-old-migrations-"));
    try {
      for (const name of readdirSync(migrationsDir).filter((n) => n < "20261201200000")) {
        if (existsSync(join(migrationsDir, name, "migration.sql")))
          cpSync(join(migrationsDir, name), join(oldDir, name), { recursive: true });
      }
      await migrate(db, oldDir, log);
      expect(await query(db, `SELECT 1 FROM pg_partitioned_table WHERE partrelid = '"Move"'::regclass`)).toEqual([]);
      // Random ids as the old factory made them (10 characters of the old alphabet), and its extremes.
      const oldIds = Array.from({ length: 40 }, () =>
        Array.from({ length: 10 }, () => OLD_ID_ALPHABET[randomInt(OLD_ID_ALPHABET.length)]).join(""),
      );
      oldIds.push("2222222222", "zzzzzzzzzz");
      for (const id of oldIds) {
        await addGame(db, id);
        await addMoves(db, id, 3);
      }
      const before = await query(db, `SELECT * FROM "Move" ORDER BY "gameId", ply`);
      expect(before).toHaveLength(oldIds.length * 3);

      await migrate(db, migrationsDir, log);
      expect(await query(db, `SELECT * FROM "Move" ORDER BY "gameId", ply`)).toEqual(before);
      const where = await query<{ part: string; n: number }>(
        db,
        `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM "Move" GROUP BY 1`,
      );
      expect(where).toEqual([{ part: `"${MOVE_LEGACY_PARTITION}"`, n: before.length }]);
      const id = newGameId();
      await addGame(db, id);
      expect(await addMoves(db, id, 1)).toEqual([`"${partitionName("Move", thisMonth)}"`]);
      await expect(
        query(db, `INSERT INTO "Move" ("gameId", ply, seat, move, san, "clockMs") VALUES ($1, 1, 0, '4', '4', 1)`, [oldIds[0]]),
      ).rejects.toThrow(/duplicate key/);
      expect(await schemaDrift(db, join(root, "prisma/schema.prisma"))).toEqual([]);
    } finally {
      rmSync(oldDir, { recursive: true, force: true });
    }
  });
});
