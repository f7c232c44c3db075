/**
 * A live game's statements on the pg pool (db/liveGames.ts) on real
 * PostgreSQL: what load() returns is what was written, field by field and as
 * Prisma reads the same row; every write is guarded by ply, status and fence.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { createGameRepository, type GameRepository, moveRecordOf, type NewGame } from "../../src/db/games.ts";
import { GroupCommit } from "../../src/db/groupCommit.ts";
import { migrate } from "../../src/db/migrate.ts";
import { newGameId } from "../../src/game/gameId.ts";
import type { ClockFields } from "../../src/game/record.ts";
import { createTestDatabase } from "../support/db.ts";

const T0 = 1_764_597_679_457;
let database: Database;
let games: GameRepository;
const players = [
  { id: randomUUID(), name: "Ada", isBot: false },
  { id: randomUUID(), name: "Bot", isBot: true },
] as const;

beforeAll(async () => {
  const url = await createTestDatabase("livegames");
  await migrate(url, resolve(import.meta.dirname, "../../../prisma/migrations"), pino({ level: "silent" }));
  database = openDatabase(url, 3);
  games = createGameRepository(database.db, database.pool, new GroupCommit(database.pool));
  for (const p of players) await database.db.player.create({ data: { ...p, nameKey: p.name.toLowerCase() } });
});

afterAll(async () => {
  await database?.close();
});

function newGame(over: Partial<NewGame> = {}): NewGame {
  return {
    id: newGameId(),
    kind: "chess",
    timeControl: "3+2",
    initialMs: 180_000,
    incrementMs: 2_000,
    seed: "seed-1",
    mode: "rematch",
    seat0Id: players[0].id,
    seat1Id: players[1].id,
    clock0Ms: 180_000,
    clock1Ms: 179_000,
    turnStartedAt: new Date(T0),
    deadlineAt: new Date(T0 + 30_000),
    ownerNode: "n1",
    rematchOfId: "abc",
    rated: false,
    ratingPool: null,
    ...over,
  };
}

const clocks: ClockFields = { clock0Ms: 170_001, clock1Ms: 160_002, turnStartedAt: T0 + 5, deadlineAt: T0 + 99 };

describe("a live game's statements", () => {
  it("load returns the game as written: fields, players, fence, offers and the move log", async () => {
    const g = newGame();
    await games.insertGame(g);
    expect(await games.load(g.id)).toMatchObject({ leaseToken: 0n, moves: [], ply: 0, offers: { drawOffer: null } });
    // Taking the game loads it too (one statement), with the new fence.
    const taken = await games.takeOwnership(g.id, "n2");
    expect(taken).toEqual({ ...(await games.load(g.id)), leaseToken: 1n });
    expect((await games.loadGame(g.id))?.game.ownerNode).toBe("n2");
    const e2e4 = { ply: 0, seat: 0 as const, move: "e2e4", san: "e4", clockMs: 181_000, at: T0 + 1 };
    const e7e5 = { ply: 1, seat: 1 as const, move: "e7e5", san: "e5", clockMs: 180_500, at: T0 + 2 };
    expect(await games.commitMove(1n, g.id, e2e4, clocks, null)).toBe(true);
    expect(await games.commitMove(1n, g.id, e7e5, clocks, null)).toBe(true);
    expect(
      await games.saveOffers(1n, g.id, { ply: 2, status: "active" }, { drawOffer: 1, rematchOffer: null, rematchGameId: null }),
    ).toBe(true);

    const record = await games.load(g.id);
    expect(record).toEqual({
      id: g.id,
      kind: "chess",
      timeControl: { id: "3+2", initialMs: 180_000, incrementMs: 2_000 },
      mode: "rematch",
      seed: "seed-1",
      status: "active",
      ply: 2,
      clocks,
      result: null,
      offers: { drawOffer: 1, rematchOffer: null, rematchGameId: null },
      leaseToken: 1n,
      players: [
        { id: players[0].id, name: "Ada", isBot: false },
        { id: players[1].id, name: "Bot", isBot: true },
      ],
      moves: [e2e4, e7e5],
      ratings: null, // casual (a rated game's: ratedEnding.test.ts)
    });
    // The same rows as Prisma reads them (the API's history path).
    const prisma = await games.loadGame(g.id);
    expect(prisma?.moves.map(moveRecordOf)).toEqual(record?.moves);
    expect(prisma?.game.turnStartedAt?.getTime()).toBe(record?.clocks.turnStartedAt);
  });

  it("an unknown game loads as null and has no fence", async () => {
    expect(await games.load("nosuchgame")).toBeNull();
    expect(await games.fenceOf("nosuchgame")).toBeNull();
    expect(await games.takeOwnership("nosuchgame", "n1")).toBeNull();
  });

  it("each takeover bumps the fence, and only the newest fence may write", async () => {
    const g = newGame();
    await games.insertGame(g);
    expect((await games.takeOwnership(g.id, "n1"))?.leaseToken).toBe(1n);
    expect((await games.takeOwnership(g.id, "n2"))?.leaseToken).toBe(2n);
    expect(await games.fenceOf(g.id)).toBe(2n);
    const none = { drawOffer: null, rematchOffer: null, rematchGameId: null };
    expect(await games.saveOffers(1n, g.id, { ply: 0, status: "active" }, none)).toBe(false);
    expect(await games.resumeGame(1n, g.id, 0, clocks)).toBe(false);
    expect(await games.resumeGame(2n, g.id, 1, clocks)).toBe(false); // wrong ply
    expect(await games.resumeGame(2n, g.id, 0, clocks)).toBe(true);
    expect((await games.load(g.id))?.clocks).toEqual(clocks);
  });

  it("finishing is guarded, stores the result, and a finished game can no longer be taken", async () => {
    const g = newGame();
    await games.insertGame(g);
    await games.takeOwnership(g.id, "n1");
    const ending = {
      status: "finished" as const,
      result: { winner: 1 as const, reason: "resign" as const },
      endedAt: T0 + 7,
    };
    expect(await games.finishGame(0n, g.id, 0, clocks, ending)).toBe(false);
    expect(await games.finishGame(1n, g.id, 3, clocks, ending)).toBe(false);
    expect(await games.finishGame(1n, g.id, 0, clocks, ending)).toBe(true);
    expect(await games.finishGame(1n, g.id, 0, clocks, ending)).toBe(false); // already over
    const record = await games.load(g.id);
    expect(record).toMatchObject({ status: "finished", result: { winner: 1, reason: "resign" }, clocks });
    expect((await games.loadGame(g.id))?.game.endedAt?.getTime()).toBe(T0 + 7);
    expect(await games.takeOwnership(g.id, "n2")).toBeNull();
    // After the game, the rematch offer is still writable at the final status.
    const offer = { drawOffer: null, rematchOffer: 0 as const, rematchGameId: null };
    expect(await games.saveOffers(1n, g.id, { ply: 0, status: "finished" }, offer)).toBe(true);
  });

  it("a rematch is created and recorded in one statement: both or neither, guarded and only once", async () => {
    const c4 = { kind: "connect4", timeControl: "1+5", initialMs: 60_000, incrementMs: 5_000 };
    const g = newGame(c4);
    await games.insertGame(g);
    await games.takeOwnership(g.id, "n1");
    const ending = { status: "finished" as const, result: { winner: 0 as const, reason: "resign" as const }, endedAt: T0 + 9 };
    expect(await games.finishGame(1n, g.id, 0, clocks, ending)).toBe(true);
    const finished = { ply: 0, status: "finished" as const };
    const rematch = newGame({ ...c4, mode: "rematch", rematchOfId: g.id });
    rematch.seat0Id = players[1].id;
    rematch.seat1Id = players[0].id;
    const offers = { drawOffer: null, rematchOffer: null, rematchGameId: rematch.id };

    // A stale fence or an unexpected ply changes nothing, and inserts nothing.
    expect(await games.createRematch(0n, g.id, finished, offers, rematch)).toBe(false);
    expect(await games.createRematch(1n, g.id, { ...finished, ply: 3 }, offers, rematch)).toBe(false);
    expect(await games.load(rematch.id)).toBeNull();
    expect((await games.load(g.id))?.offers.rematchGameId).toBeNull();

    expect(await games.createRematch(1n, g.id, finished, offers, rematch)).toBe(true);
    expect((await games.load(g.id))?.offers).toEqual(offers);
    const row = await games.load(rematch.id);
    expect(row).toMatchObject({
      id: rematch.id,
      kind: "connect4",
      status: "active",
      ply: 0,
      mode: "rematch",
      seed: rematch.seed,
      leaseToken: 0n,
      timeControl: { id: "1+5", initialMs: 60_000, incrementMs: 5_000 },
      clocks: { clock0Ms: 180_000, clock1Ms: 179_000, turnStartedAt: T0, deadlineAt: T0 + 30_000 },
      players: [{ id: players[1].id }, { id: players[0].id }],
      moves: [],
    });
    expect((await games.loadGame(rematch.id))?.game).toMatchObject({ rematchOfId: g.id, ownerNode: "n1" });

    // Once a rematch exists, a second one is refused.
    const again = newGame({ rematchOfId: g.id });
    expect(await games.createRematch(1n, g.id, finished, { ...offers, rematchGameId: again.id }, again)).toBe(false);
    expect(await games.load(again.id)).toBeNull();
    // Mismatched ids are a bug, caught before any write.
    expect(() => games.createRematch(1n, g.id, finished, offers, { ...rematch, id: "other" })).toThrow(/do not match/);
  });

  it("a second game with the same id is refused as a bug, not as 'unavailable'", async () => {
    const g = newGame();
    await games.insertGame(g);
    await expect(games.insertGame(g)).rejects.toMatchObject({ code: "23505" });
  });
});
