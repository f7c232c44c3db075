/**
 * A rated game's ending on real PostgreSQL (db/ratedEnding.ts): the ending and
 * both rating updates are one transaction — all or nothing — guarded like
 * every write, so the same ending written twice (a resend, a second node
 * after a takeover) rates once; and a load (the rebuild of a room) reads the
 * ratings and the changes back.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { MoveRecord } from "@tabula/shared/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createGameRepository, type GameRepository, type NewGame } from "../../src/db/games.ts";
import { GroupCommit } from "../../src/db/groupCommit.ts";
import { migrate } from "../../src/db/migrate.ts";
import type { RatedEndingWrite } from "../../src/db/ratedEnding.ts";
import { newGameId } from "../../src/game/gameId.ts";
import { NEW_RATING, rateGame } from "../../src/ratings/glicko.ts";
import { createTestDatabase, query } from "../support/db.ts";

const T0 = 1_764_597_679_457;
let url: string;
let database: Database;
let games: GameRepository;

beforeAll(async () => {
  url = await createTestDatabase("ratedend");
  await migrate(url, resolve(import.meta.dirname, "../../../prisma/migrations"), pino({ level: "silent" }));
  database = openDatabase(url, 4);
  games = createGameRepository(database.db, database.pool, new GroupCommit(database.pool));
});
afterAll(async () => {
  await database?.close();
});

/** A live rated Connect Four game between two new players, owned with fence 1, at ply 0. */
async function ratedGame(): Promise<{ id: string; players: [string, string] }> {
  const players: [string, string] = [randomUUID(), randomUUID()];
  for (const id of players) await database.db.player.create({ data: { id, name: id.slice(0, 8), nameKey: id.slice(0, 8) } });
  const id = newGameId();
  const game: NewGame = {
    ...{ id, kind: "connect4", timeControl: "1+5", initialMs: 60_000, incrementMs: 5_000, seed: "s", mode: "quick" },
    ...{ seat0Id: players[0], seat1Id: players[1], clock0Ms: 60_000, clock1Ms: 60_000, turnStartedAt: null, deadlineAt: null },
    ...{ ownerNode: "n1", rematchOfId: null, rated: true, ratingPool: "connect4" },
  };
  await games.insertGame(game);
  await games.takeOwnership(id, "n1"); // fence 1
  return { id, players };
}

const move: MoveRecord = { ply: 0, seat: 0, move: "3", san: "d1", clockMs: 60_000, at: T0 };
const ending = { status: "finished" as const, result: { winner: 0 as const, reason: "resign" as const }, endedAt: T0 + 1 };
const clocks = { clock0Ms: 60_000, clock1Ms: 60_000, turnStartedAt: null, deadlineAt: null };

function write(g: { id: string; players: [string, string] }, over: Partial<RatedEndingWrite> = {}): RatedEndingWrite {
  return { fence: 1n, gameId: g.id, ply: 0, move: null, clocks, ending, pool: "connect4", playerIds: g.players, ...over };
}

const ratings = (ids: string[]) =>
  query<{ games: number; rating: number }>(url, `SELECT games, rating FROM "Rating" WHERE "playerId" = ANY($1::uuid[])`, [ids]);
const changes = (gameId: string) => query(url, `SELECT * FROM "RatingChange" WHERE "gameId" = $1`, [gameId]);

describe("a rated ending", () => {
  it("writes the result, both ratings (with counts) and both changes; the load reads them back", async () => {
    const g = await ratedGame();
    const out = await games.endRated(write(g));
    const [a, b] = rateGame(NEW_RATING, NEW_RATING, 1);
    expect(out?.[0]).toMatchObject({ before: 1500, rdBefore: 350 });
    expect(out?.[0].after).toBeCloseTo(a.rating, 9);
    expect(out?.[1].after).toBeCloseTo(b.rating, 9);
    expect((await ratings(g.players)).map((r) => r.games)).toEqual([1, 1]);
    expect(await changes(g.id)).toHaveLength(2);
    const loaded = await games.load(g.id);
    expect(loaded?.status).toBe("finished");
    expect(loaded?.ratings?.pool).toBe("connect4");
    expect(loaded?.ratings?.seats[0].change?.after).toBeCloseTo(a.rating, 9);
    expect(loaded?.ratings?.seats[1].rating).toBeCloseTo(b.rating, 9);
  });

  it("with its final move: the move is in the log, and the game over, in the same transaction", async () => {
    const g = await ratedGame();
    expect(await games.endRated(write(g, { move }))).not.toBeNull();
    const rows = await query<{ ply: number; status: string }>(url, `SELECT ply, status FROM "Game" WHERE id = $1`, [g.id]);
    expect(rows).toEqual([{ ply: 1, status: "finished" }]);
    expect(await query(url, `SELECT ply FROM "Move" WHERE "gameId" = $1`, [g.id])).toEqual([{ ply: 0 }]);
  });

  it("is all or nothing: a rating write that fails leaves the game live and its final move unwritten", async () => {
    const g = await ratedGame();
    // A pool name too long for its column: the game row and the move are written first, then the Rating insert fails.
    await expect(games.endRated(write(g, { move, pool: "x".repeat(40) }))).rejects.toThrow();
    const rows = await query<{ ply: number; status: string }>(url, `SELECT ply, status FROM "Game" WHERE id = $1`, [g.id]);
    expect(rows).toEqual([{ ply: 0, status: "active" }]);
    expect(await query(url, `SELECT ply FROM "Move" WHERE "gameId" = $1`, [g.id])).toEqual([]);
    expect(await ratings(g.players)).toEqual([]);
    // …and the same ending then goes through, once.
    expect(await games.endRated(write(g, { move }))).not.toBeNull();
    expect((await ratings(g.players)).map((r) => r.games)).toEqual([1, 1]);
  });

  it("rates once when written twice, even at the same moment, and never for a fenced-out writer", async () => {
    const g = await ratedGame();
    const outs = await Promise.all([games.endRated(write(g, { move })), games.endRated(write(g, { move }))]);
    expect(outs.filter((o) => o !== null)).toHaveLength(1);
    expect(await games.endRated(write(g))).toBeNull(); // a resignation after the end
    expect((await ratings(g.players)).map((r) => r.games)).toEqual([1, 1]);
    expect(await changes(g.id)).toHaveLength(2);

    const h = await ratedGame();
    await games.takeOwnership(h.id, "n2"); // fence 2: the old owner's ending must change nothing
    expect(await games.endRated(write(h, { move }))).toBeNull();
    expect(await ratings(h.players)).toEqual([]);
    expect(await games.endRated(write(h, { move, fence: 2n }))).not.toBeNull();
  });

  it("two games of one player ending at once both count, in either order", async () => {
    const g = await ratedGame();
    const h = await ratedGame();
    // The same player in both games: seat 0 of g plays seat 1 of h.
    await query(url, `UPDATE "Game" SET "seat1Id" = $1 WHERE id = $2`, [g.players[0], h.id]);
    const hw = write(h, { playerIds: [h.players[0], g.players[0]] });
    await Promise.all([games.endRated(write(g)), games.endRated(hw)]);
    expect((await ratings([g.players[0]])).map((r) => r.games)).toEqual([2]);
  });
});
