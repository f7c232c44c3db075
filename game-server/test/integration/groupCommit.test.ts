/**
 * Group commit's statement on real PostgreSQL: many games' moves in one
 * transaction, each row guarded on its own, a failed statement writing
 * nothing, and the stored rows exactly what the host handed in.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { MoveRecord } from "@tabula/shared/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { DbUnavailableError } from "../../src/db/errors.ts";
import { createGameRepository, type GameRepository } from "../../src/db/games.ts";
import { GroupCommit, type MoveWrite } from "../../src/db/groupCommit.ts";
import { migrate } from "../../src/db/migrate.ts";
import { newGameId } from "../../src/game/gameId.ts";
import { createTestDatabase, query } from "../support/db.ts";

const T0 = 1_764_597_679_123; // odd milliseconds on purpose: timestamps must round-trip exactly

let url: string;
let database: Database;
let moves: GroupCommit;
let games: GameRepository;
let players: [string, string];

beforeAll(async () => {
  url = await createTestDatabase("groupcommit");
  await migrate(url, resolve(import.meta.dirname, "../../../prisma/migrations"), pino({ level: "silent" }));
  database = openDatabase(url, 4);
  moves = new GroupCommit(database.pool, { concurrency: 1 });
  games = createGameRepository(database.db, database.pool, moves);
  players = [randomUUID(), randomUUID()];
  for (const [i, id] of players.entries()) {
    await database.db.player.create({ data: { id, name: `gc${i}-${id.slice(0, 6)}`, nameKey: `gc${i}-${id.slice(0, 6)}` } });
  }
});

afterAll(async () => {
  await database?.close();
});

/** A new active game owned with fencing token 1; returns its id. */
async function newGame(): Promise<string> {
  const id = newGameId();
  await games.insertGame({
    id,
    kind: "connect4",
    timeControl: "5+0",
    initialMs: 300_000,
    incrementMs: 0,
    seed: id,
    mode: "casual",
    seat0Id: players[0],
    seat1Id: players[1],
    clock0Ms: 300_000,
    clock1Ms: 300_000,
    turnStartedAt: null,
    deadlineAt: null,
    ownerNode: "gc",
    rated: false,
    ratingPool: null,
    rematchOfId: null,
  });
  expect((await games.takeOwnership(id, "gc"))?.leaseToken).toBe(1n);
  return id;
}

function write(gameId: string, ply: number, over: Partial<MoveWrite> = {}, san = "d1"): MoveWrite {
  const move: MoveRecord = { ply, seat: ply % 2 === 0 ? 0 : 1, move: "3", san, clockMs: 299_000 - ply, at: T0 + ply };
  return {
    fence: 1n,
    gameId,
    move,
    clocks: { clock0Ms: 299_000, clock1Ms: 298_500, turnStartedAt: T0 + ply, deadlineAt: T0 + 30_000 },
    ending: null,
    ...over,
  };
}

const stored = (ids: string[]) =>
  query<{ gameId: string; ply: number; xmin: string }>(
    url,
    `SELECT "gameId", ply, xmin::text FROM "Move" WHERE "gameId" = ANY($1) ORDER BY "gameId", ply`,
    [ids],
  );

describe("group commit on PostgreSQL", () => {
  it("writes fifty games' moves in one transaction, each game advanced by one ply", async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, newGame));
    const before = moves.stats.batches;
    const results = await Promise.all(ids.map((id) => moves.commit(write(id, 0))));
    expect(results.every(Boolean)).toBe(true);
    expect(moves.stats.batches - before).toBe(1);
    const rows = await stored(ids);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1); // one transaction wrote them all
    const plies = await query<{ ply: number }>(url, `SELECT ply FROM "Game" WHERE id = ANY($1)`, [ids]);
    expect(plies.every((g) => g.ply === 1)).toBe(true);
  });

  it("stores each move and its game row exactly as handed in", async () => {
    const id = await newGame();
    const ending = {
      status: "finished" as const,
      result: { winner: 0 as const, reason: "connect-four" as const },
      endedAt: T0 + 9,
    };
    expect(await games.commitMove(1n, id, write(id, 0).move, write(id, 0).clocks, ending)).toBe(true);
    const record = await games.load(id);
    expect(record?.moves).toEqual([{ ply: 0, seat: 0, move: "3", san: "d1", clockMs: 299_000, at: T0 }]);
    expect(record).toMatchObject({
      status: "finished",
      ply: 1,
      result: { winner: 0, reason: "connect-four" },
      clocks: { clock0Ms: 299_000, clock1Ms: 298_500, turnStartedAt: T0, deadlineAt: T0 + 30_000 },
    });
    const [row] = await query<{ endedAt: Date }>(url, `SELECT "endedAt" FROM "Game" WHERE id = $1`, [id]);
    expect(row.endedAt.getTime()).toBe(T0 + 9);
  });

  it("refuses only the rows whose guard fails: stale ply, old fence, finished game", async () => {
    const [good1, stale, fenced, over, good2] = await Promise.all(Array.from({ length: 5 }, newGame));
    await moves.commit(write(over, 0, { ending: finished() }));
    const results = await Promise.all([
      moves.commit(write(good1, 0)),
      moves.commit(write(stale, 3)), // the game is at ply 0
      moves.commit(write(fenced, 0, { fence: 0n })), // token 1 is the owner's
      moves.commit(write(over, 1)),
      moves.commit(write(good2, 0)),
    ]);
    expect(results).toEqual([true, false, false, false, true]);
    expect((await stored([good1, stale, fenced, good2])).map((r) => r.gameId).sort()).toEqual([good1, good2].sort());
  });

  it("a statement that fails writes none of its moves and acknowledges none", async () => {
    const ids = await Promise.all(Array.from({ length: 3 }, newGame));
    const results = await Promise.allSettled([
      moves.commit(write(ids[0], 0)),
      moves.commit(write(ids[1], 0, {}, "x".repeat(40))), // longer than the column: the statement fails
      moves.commit(write(ids[2], 0)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(await stored(ids)).toEqual([]);
    // The batcher goes on: the next moves of the same games commit.
    expect(await Promise.all([moves.commit(write(ids[0], 0)), moves.commit(write(ids[2], 0))])).toEqual([true, true]);
  });

  it("reports an unreachable database as unavailable", async () => {
    const dead = openDatabase("postgresql://nobody@127.0.0.1:1/none", 1);
    try {
      await expect(new GroupCommit(dead.pool).commit(write("g", 0))).rejects.toBeInstanceOf(DbUnavailableError);
    } finally {
      await dead.close();
    }
  });
});

function finished() {
  return { status: "finished" as const, result: { winner: 1 as const, reason: "connect-four" as const }, endedAt: T0 };
}
