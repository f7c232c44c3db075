/**
 * `npm run backup` (a logical dump) and `npm run restore -- --dump`: games
 * played through the public API, dumped table by table with COPY, restored
 * into an empty database (migrated by the repository's migrations), and the
 * two databases compared table by table. A non-empty target is refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { takeDump } from "../../src/ops/backup/dump.ts";
import { restoreDump } from "../../src/ops/backup/dumpRestore.ts";
import { dumpRoot } from "../../src/ops/backup/layout.ts";
import { RestoreRefused } from "../../src/ops/backup/restore.ts";
import { REPO_ROOT } from "../../src/server.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const backupDir = mkdtempSync(join(tmpdir(), "tabula-dump-"));
const log = createLogger({ level: "silent", json: true, nodeId: "t" });
const migrationsDir = join(REPO_ROOT, "prisma/migrations");
let node: TestNode | undefined;
afterAll(async () => {
  await node?.stop();
  rmSync(backupDir, { recursive: true, force: true });
});

/** Every row of every table of Tabula's schema, as sorted JSON lines per table (the migrations table left out). */
async function contents(url: string): Promise<Record<string, string[]>> {
  const tables = await query<{ name: string }>(
    url,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await query(url, `SELECT * FROM "${name}"`);
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

describe("logical dump", () => {
  it("round-trips every table into an empty database", async () => {
    node = await startTestNode();
    const [a, b] = await Promise.all([newPlayer(node.url, "Dumpy"), newPlayer(node.url, "Restora")]);
    const [gameId] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
    const seats = await Promise.all([Seat.join(a, gameId as string), Seat.join(b, gameId as string)]);
    const first = seats.find((s) => s.seat === 0)!;
    const second = seats.find((s) => s.seat === 1)!;
    for (const [seat, move] of [
      [first, "3"],
      [second, "3"],
      [first, "4"],
      [second, "2"],
    ] as const)
      await seat.play(move);
    for (const s of seats) await s.room.leave(true);
    // The node writes audit events in the background (audit/writer.ts): stopped, it has written them all, and
    // the database holds still while it is dumped and compared.
    await node.stop();

    const manifest = await takeDump({ databaseUrl: node.databaseUrl, backupDir });
    expect(manifest.tables.find((t) => t.name === "Move")?.rows).toBe(4);
    expect(manifest.tables.find((t) => t.name === "Player")?.rows).toBeGreaterThanOrEqual(2);
    expect(manifest.migration).toMatch(/^\d{14}_/);

    const target = await createTestDatabase("restore");
    await restoreDump({ databaseUrl: target, dumpDir: join(dumpRoot(backupDir), manifest.id), migrationsDir, log });
    const [before, after] = [await contents(node.databaseUrl), await contents(target)];
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const t of Object.keys(before)) expect(after[t], t).toEqual(before[t]);
    const migrated = await query<{ n: number }>(target, `SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(migrated[0]?.n).toBeGreaterThan(0);

    // The restored database is not empty any more: a second restore into it is refused and changes nothing.
    await expect(
      restoreDump({ databaseUrl: target, dumpDir: join(dumpRoot(backupDir), manifest.id), migrationsDir, log }),
    ).rejects.toBeInstanceOf(RestoreRefused);
    expect(await contents(target)).toEqual(after);
  });
});
