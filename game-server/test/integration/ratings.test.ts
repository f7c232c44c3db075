/**
 * Rated games over real WebSockets and PostgreSQL: two accounts are paired by
 * rated quick play and play to the end — by connect-four and checkmate, by
 * resignation, on time, by agreement — and each ending rates both players
 * exactly once, with Glickman's Glicko-2 values (ratings/glicko.ts), the
 * counts right, and the change shown to both (and to a late joiner). Guests
 * are refused rated play; a casual game and an aborted rated one change no
 * rating. The node runs on a clock the test advances, so a flag falls when
 * the test says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NEW_RATING, type Rating, rateGame, type Score } from "../../src/ratings/glicko.ts";
import { newPlayer, type Player, quickPlay, Seat } from "../support/clients.ts";
import { ManualClock } from "../support/clock.ts";
import { query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";
import { askQuickPlay, changeRows, newAccount, ratedQuickPlay, ratingRows } from "../support/ratedPlay.ts";

const clock = new ManualClock();
let node: TestNode;
beforeAll(async () => {
  node = await startTestNode({ FIRST_MOVE_TIMEOUT_S: "30" }, { clock });
});
afterAll(async () => {
  await node?.stop();
});

/** Two new accounts paired by rated quick play, both joined; ordered by seat. */
async function ratedGame(game: string, timeControl?: string) {
  const a = await newAccount(node.url);
  const b = await newAccount(node.url);
  const [ga, gb] = await Promise.all([ratedQuickPlay(a, game, timeControl), ratedQuickPlay(b, game, timeControl)]);
  expect(ga).toBe(gb);
  const [sa, sb] = await Promise.all([Seat.join(a, ga), Seat.join(b, gb)]);
  return sa.seat === 0
    ? { seats: [sa, sb] as [Seat, Seat], players: [a, b] as [Player, Player], gameId: ga }
    : { seats: [sb, sa] as [Seat, Seat], players: [b, a] as [Player, Player], gameId: ga };
}

/** Set a player's stored rating in `pool` (as if they had played before). */
async function seedRating(playerId: string, pool: string, r: Rating, games = 10) {
  await query(
    node.databaseUrl,
    `INSERT INTO "Rating" ("playerId", pool, rating, rd, volatility, games, wins) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [playerId, pool, r.rating, r.rd, r.vol, games],
  );
}

/**
 * The game's ratings are as Glicko-2 computes from `before` and seat 0's `score`: the Rating rows
 * (value and counts, `games` already played), the two RatingChange rows, and both seats' snapshots.
 */
async function expectRated(
  g: { seats: [Seat, Seat]; players: [Player, Player]; gameId: string },
  pool: string,
  before: [Rating, Rating],
  score: Score,
  games: [number, number] = [0, 0],
) {
  const after = rateGame(before[0], before[1], score);
  for (const s of g.seats) await s.until((x) => x.snapshot?.ratings?.seats[0].change != null, "the rating change");
  const rows = await ratingRows(node.databaseUrl, [g.players[0].id, g.players[1].id]);
  expect(rows).toHaveLength(2);
  const outcome = (seat: 0 | 1) => {
    const mine = seat === 0 ? score : 1 - score;
    return { wins: mine === 1 ? 1 : 0, losses: mine === 0 ? 1 : 0, draws: mine === 0.5 ? 1 : 0 };
  };
  for (const seat of [0, 1] as const) {
    const row = rows[seat]!;
    expect(row.pool).toBe(pool);
    expect(row.rating).toBeCloseTo(after[seat].rating, 6);
    expect(row.rd).toBeCloseTo(after[seat].rd, 6);
    expect(row.volatility).toBeCloseTo(after[seat].vol, 9);
    const o = outcome(seat);
    expect(row.games).toBe(games[seat] + 1);
    expect(row.losses).toBe(o.losses);
    expect(row.draws).toBe(o.draws);
  }
  const changes = await changeRows(node.databaseUrl, g.gameId);
  expect(changes).toHaveLength(2);
  for (const seat of [0, 1] as const) {
    const c = changes.find((x) => x.playerId === g.players[seat].id)!;
    expect(c.pool).toBe(pool);
    expect(c.before).toBeCloseTo(before[seat].rating, 6);
    expect(c.after).toBeCloseTo(after[seat].rating, 6);
    // Both players are told both changes, rounded.
    const shown = { before: Math.round(before[seat].rating), after: Math.round(after[seat].rating) };
    for (const s of g.seats) {
      expect(s.snapshot?.ratings?.seats[seat].change).toEqual({ ...shown, delta: shown.after - shown.before });
      expect(s.snapshot?.ratings?.seats[seat].rating).toBe(shown.after);
    }
  }
  return after;
}

const NEW: [Rating, Rating] = [NEW_RATING, NEW_RATING];

describe("rated games", () => {
  it("Connect Four to a connect-four win: both rated once, the change shown to both and to a late joiner", async () => {
    const g = await ratedGame("connect4", "1+5");
    expect(g.seats[0].snapshot).toMatchObject({ rated: true, ratings: { pool: "connect4" } });
    expect(g.seats[1].snapshot?.ratings?.seats).toEqual([
      { rating: 1500, provisional: true, change: null },
      { rating: 1500, provisional: true, change: null },
    ]);
    for (const [seat, move] of [
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
    ] as const)
      await g.seats[seat].play(move);
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "finished", "result");
    expect(g.seats[1].snapshot?.result).toEqual({ winner: 0, reason: "connect-four" });
    await expectRated(g, "connect4", NEW, 1);
    // The final move sent again changes nothing (refused: the game is over).
    const errors = g.seats[0].errors.length;
    g.seats[0].room.send("move", { ply: 6, move: "3" });
    await g.seats[0].until((s) => s.errors.length > errors, "the resend refused");
    expect((await ratingRows(node.databaseUrl, [g.players[0].id])).map((r) => r.games)).toEqual([1]);
    expect(await changeRows(node.databaseUrl, g.gameId)).toHaveLength(2);
    // Someone joining after the end sees the same changes (read back from the RatingChange rows on a rebuild).
    const watcher = await Seat.join(await newPlayer(node.url), g.gameId, { spectate: true });
    expect(watcher.snapshot?.ratings).toEqual(g.seats[0].snapshot?.ratings);
  });

  it("chess by checkmate, between players rated before: the Glicko-2 update from their stored ratings", async () => {
    const a = await newAccount(node.url);
    const b = await newAccount(node.url);
    const before: Record<string, Rating> = {
      [a.id]: { rating: 1700, rd: 80, vol: 0.06 },
      [b.id]: { rating: 1640, rd: 150, vol: 0.059 },
    };
    for (const p of [a, b]) await seedRating(p.id, "chess-blitz", before[p.id]!);
    const [gameId] = await Promise.all([ratedQuickPlay(a, "chess", "3+2"), ratedQuickPlay(b, "chess", "3+2")]);
    const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
    const g =
      sa.seat === 0
        ? { seats: [sa, sb] as [Seat, Seat], players: [a, b] as [Player, Player], gameId }
        : { seats: [sb, sa] as [Seat, Seat], players: [b, a] as [Player, Player], gameId };
    expect(g.seats[0].snapshot?.ratings?.seats[g.players[0] === a ? 0 : 1]).toEqual({
      rating: 1700,
      provisional: false,
      change: null,
    });
    for (const [seat, move] of [
      [0, "f2f3"],
      [1, "e7e5"],
      [0, "g2g4"],
      [1, "d8h4"],
    ] as const)
      await g.seats[seat].play(move);
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "finished", "mate");
    expect(g.seats[0].snapshot?.result).toEqual({ winner: 1, reason: "checkmate" });
    await expectRated(g, "chess-blitz", [before[g.players[0].id]!, before[g.players[1].id]!], 0, [10, 10]);
  });

  it("by resignation", async () => {
    const g = await ratedGame("chess", "5+3");
    await g.seats[0].play("e2e4");
    g.seats[0].room.send("resign", {});
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "finished", "resignation");
    expect(g.seats[1].snapshot?.result).toEqual({ winner: 1, reason: "resign" });
    await expectRated(g, "chess-blitz", NEW, 0);
  });

  it("on time", async () => {
    const g = await ratedGame("connect4", "1+5");
    await g.seats[0].play("3");
    await g.seats[1].play("4");
    await g.seats[0].until((s) => s.snapshot?.ply === 2, "seat 0 sees the reply");
    await clock.advance(60_000); // seat 0's minute runs out
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "finished", "flag fall");
    expect(g.seats[0].snapshot?.result).toEqual({ winner: 1, reason: "timeout" });
    await expectRated(g, "connect4", NEW, 0);
  });

  it("a draw by agreement", async () => {
    const g = await ratedGame("chess", "10+0");
    await g.seats[0].play("e2e4");
    await g.seats[1].play("e7e5");
    g.seats[0].room.send("draw", { action: "offer" });
    await g.seats[1].until((s) => s.snapshot?.drawOffer === 0, "draw offer");
    g.seats[1].room.send("draw", { action: "accept" });
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "finished", "draw");
    expect(g.seats[0].snapshot?.result).toEqual({ winner: null, reason: "agreement" });
    await expectRated(g, "chess-rapid", NEW, 0.5);
  });

  it("an aborted rated game changes no rating", async () => {
    const g = await ratedGame("connect4", "1+5");
    g.seats[0].room.send("abort", {});
    for (const s of g.seats) await s.until((x) => x.snapshot?.status === "aborted", "abort");
    expect(g.seats[1].snapshot?.ratings?.seats[0].change).toBeNull();
    expect(await ratingRows(node.databaseUrl, [g.players[0].id, g.players[1].id])).toEqual([]);
    expect(await changeRows(node.databaseUrl, g.gameId)).toEqual([]);
  });
});

describe("who plays rated", () => {
  it("a guest is refused rated play (403 ACCOUNT_REQUIRED) and nothing is queued", async () => {
    const guest = await newPlayer(node.url);
    const r = await askQuickPlay(guest, "connect4");
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe("ACCOUNT_REQUIRED");
  });

  it("a casual game between accounts changes no rating, and rated and casual seekers are never paired", async () => {
    const [a, b, c] = await Promise.all([newAccount(node.url), newAccount(node.url), newAccount(node.url)]);
    const rated = await askQuickPlay(c, "connect4", "3+5");
    expect(rated.body).toMatchObject({ status: "waiting", rated: true });
    const [ga, gb] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
    expect(ga).toBe(gb);
    const [sa, sb] = await Promise.all([Seat.join(a, ga), Seat.join(b, ga)]);
    const seats = sa.seat === 0 ? [sa, sb] : [sb, sa];
    expect(seats[0]!.snapshot).toMatchObject({ rated: false, ratings: null });
    for (const [seat, move] of [
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
    ] as const)
      await seats[seat]!.play(move);
    for (const s of seats) await s.until((x) => x.snapshot?.status === "finished", "result");
    expect(await ratingRows(node.databaseUrl, [a.id, b.id])).toEqual([]);
    expect(await changeRows(node.databaseUrl, ga)).toEqual([]);
    const [row] = await query<{ rated: boolean; ratingPool: string | null }>(
      node.databaseUrl,
      `SELECT rated, "ratingPool" FROM "Game" WHERE id = $1`,
      [ga],
    );
    expect(row).toEqual({ rated: false, ratingPool: null });
  });
});
