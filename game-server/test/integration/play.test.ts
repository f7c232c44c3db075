/**
 * Two players on the official @colyseus/sdk play whole games over real
 * WebSockets against a real node and PostgreSQL; the move log in the database
 * must match what was played and acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../support/db.ts";
import { http, newPlayer, quickPlay, Seat, type Player } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.stop();
});

/** Pair two new players by quick play and join both; returns them ordered by seat. */
async function pairedGame(
  game: string,
  timeControl?: string,
): Promise<{ seats: [Seat, Seat]; players: [Player, Player]; gameId: string }> {
  const a = await newPlayer(node.url, "Alice");
  const b = await newPlayer(node.url, "Bob");
  const [ga, gb] = await Promise.all([quickPlay(a, game, timeControl), quickPlay(b, game, timeControl)]);
  expect(ga).toBe(gb);
  const [sa, sb] = await Promise.all([Seat.join(a, ga), Seat.join(b, gb)]);
  return sa.seat === 0 ? { seats: [sa, sb], players: [a, b], gameId: ga } : { seats: [sb, sa], players: [b, a], gameId: ga };
}

async function moveLog(gameId: string) {
  return query<{ ply: number; seat: number; move: string }>(
    node.databaseUrl,
    `SELECT ply, seat, move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`,
    [gameId],
  );
}

describe("a whole game", () => {
  it("Connect Four is played to a win and every move is in the log", async () => {
    const { seats, gameId } = await pairedGame("connect4");
    expect(seats[0].snapshot?.kind).toBe("connect4");
    const script: Array<[0 | 1, string]> = [
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
      [1, "4"],
      [0, "3"],
    ];
    for (const [seat, move] of script) await seats[seat].play(move);
    for (const s of seats) await s.until((x) => x.snapshot?.status === "finished", "result");
    expect(seats[1].snapshot?.result).toEqual({ winner: 0, reason: "connect-four" });
    // Both players saw every move, in order.
    expect(seats[1].moved.map((m) => m.record.move)).toEqual(script.map(([, m]) => m));
    const log = await moveLog(gameId);
    expect(log.map((r) => [r.seat, r.move])).toEqual(script);
    expect(log.map((r) => r.ply)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const [row] = await query<{ status: string; winner: number; resultReason: string; ply: number }>(
      node.databaseUrl,
      `SELECT status, winner, "resultReason", ply FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ status: "finished", winner: 0, resultReason: "connect-four", ply: 7 });
  });

  it("chess is played to checkmate and every move is in the log", async () => {
    const { seats, gameId } = await pairedGame("chess", "5+3");
    const script: Array<[0 | 1, string]> = [
      [0, "e2e4"],
      [1, "e7e5"],
      [0, "f1c4"],
      [1, "b8c6"],
      [0, "d1h5"],
      [1, "g8f6"],
      [0, "h5f7"],
    ];
    for (const [seat, move] of script) await seats[seat].play(move);
    for (const s of seats) await s.until((x) => x.snapshot?.status === "finished", "result");
    expect(seats[0].snapshot?.result).toEqual({ winner: 0, reason: "checkmate" });
    expect(seats[0].snapshot?.moves.map((m) => m.san)).toEqual(["e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#"]);
    expect((await moveLog(gameId)).map((r) => [r.seat, r.move])).toEqual(script);
  });

  it("a finished game can be replayed from the API, position by position", async () => {
    const { seats, gameId, players } = await pairedGame("connect4");
    await seats[0].play("0");
    await seats[1].room.send("resign", {});
    await seats[0].until((s) => s.snapshot?.status === "finished", "resignation");
    const r = await http<{ game: { status: string; result: unknown }; moves: Array<{ move: string }>; positions: unknown[] }>(
      node.url,
      "GET",
      `/api/games/${gameId}?positions=1`,
    );
    expect(r.status).toBe(200);
    expect(r.body.game.result).toEqual({ winner: 0, reason: "resign" });
    expect(r.body.moves.map((m) => m.move)).toEqual(["0"]);
    expect(r.body.positions).toHaveLength(2);
    const mine = await http<{ games: Array<{ gameId: string }> }>(node.url, "GET", "/api/games", players[0].token);
    expect(mine.body.games.map((g) => g.gameId)).toContain(gameId);
  });

  it("draw by agreement, and a rematch with colours swapped", async () => {
    const { seats, players } = await pairedGame("chess", "10+0");
    await seats[0].play("e2e4");
    await seats[1].play("e7e5");
    seats[0].room.send("draw", { action: "offer" });
    await seats[1].until((s) => s.snapshot?.drawOffer === 0, "draw offer");
    seats[1].room.send("draw", { action: "accept" });
    await seats[0].until((s) => s.snapshot?.status === "finished", "draw");
    expect(seats[0].snapshot?.result).toEqual({ winner: null, reason: "agreement" });

    seats[1].room.send("rematch", { action: "offer" });
    await seats[0].until((s) => s.snapshot?.rematchOffer === 1, "rematch offer");
    seats[0].room.send("rematch", { action: "accept" });
    await seats[0].until((s) => !!s.snapshot?.rematchGameId, "rematch game");
    const next = seats[0].snapshot!.rematchGameId!;
    const again = await Seat.join(players[0], next);
    expect(again.seat).toBe(1); // white last time, black now
  });

  it("a game against the built-in bot is played by the bot", async () => {
    const p = await newPlayer(node.url);
    const r = await http<{ gameId: string }>(node.url, "POST", "/api/bot-games", p.token, { game: "connect4" });
    expect(r.status).toBe(200);
    const s = await Seat.join(p, r.body.gameId);
    const botSeat = s.seat === 0 ? 1 : 0;
    if (s.seat === 0) await s.play("3");
    await s.until((x) => x.moved.some((m) => m.record.seat === botSeat), "the bot's move", 15_000);
    expect(s.snapshot?.players[botSeat].isBot).toBe(true);
    const stats = await http<{ playersOnline: number; gamesLive: number }>(node.url, "GET", "/api/stats");
    expect(stats.body.gamesLive).toBeGreaterThanOrEqual(1);
    expect(stats.body.playersOnline).toBeGreaterThanOrEqual(1);
  });
});
