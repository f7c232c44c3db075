/**
 * Test fixtures (unit tests only): snapshots and `moved` messages of real
 * games, built with the shared rules so that they are consistent.
 */
import type { GameSnapshot, MovedMessage, MoveRecord } from "@tabula/shared/protocol";
import { type GameKind, getGame, replay, type Seat } from "@tabula/shared/rules";
import type { GameRecord } from "../api.ts";

/** The move records of `moves` played from the start of `kind` with seed "s". */
export function records(kind: GameKind, moves: readonly string[], at = 1000): MoveRecord[] {
  const def = getGame(kind)!;
  const seats: Seat[] = [];
  const r = replay(def, "s", moves, (state, ply) => {
    if (ply < moves.length) seats.push(def.toMove(state)!);
  });
  if (!r.ok) throw new Error(`fixture move ${r.move}: ${r.error.message}`);
  return moves.map((move, ply) => ({
    ply,
    seat: seats[ply]!,
    move,
    san: r.notations[ply]!,
    clockMs: 60_000 - ply,
    at: at + ply,
  }));
}

/** The stored record of finished game "g1" (Alice v Bob, seed "s") after `moves`, as `/api/games/g1` gives it. */
export function gameRecord(moves: readonly string[], over: Partial<GameRecord["game"]> = {}): GameRecord {
  return {
    game: {
      gameId: "g1",
      kind: "connect4",
      timeControl: "1+5",
      mode: "quick",
      status: "finished",
      players: [
        { id: "a", name: "Alice", isBot: false },
        { id: "b", name: "Bob", isBot: false },
      ],
      ply: moves.length,
      result: { winner: 0, reason: "resign" },
      createdAt: 0,
      endedAt: 1,
      seed: "s",
      ...over,
    },
    moves: records(over.kind ?? "connect4", moves),
  };
}

export const CLOCKS = {
  remainingMs: [60_000, 60_000] as [number, number],
  running: null,
  serverNow: 1000,
  firstMoveDeadline: 31_000,
};

/** A snapshot of game "g1" after `moves`, seen by seat 0 unless `over` says otherwise. */
export function snapshot(moves: readonly string[] = [], over: Partial<GameSnapshot> = {}): GameSnapshot {
  const kind = over.kind ?? "connect4";
  const log = records(kind, moves);
  return {
    gameId: "g1",
    kind,
    timeControl: { id: kind === "chess" ? "3+2" : "1+5", initialMs: 60_000, incrementMs: 5_000 },
    mode: "quick",
    status: "active",
    players: [
      { id: "a", name: "Alice", isBot: false, connected: true, reconnectDeadline: null },
      { id: "b", name: "Bob", isBot: false, connected: true, reconnectDeadline: null },
    ],
    you: { role: "player", seat: 0 },
    seed: "s",
    moves: log,
    ply: log.length,
    view: null,
    clocks: CLOCKS,
    result: null,
    drawOffer: null,
    rematchOffer: null,
    rematchGameId: null,
    spectators: 0,
    heartbeat: { intervalMs: 500, timeoutMs: 1500 },
    rated: false,
    ratings: null,
    botLevel: null,
    ...over,
  };
}

/** The `moved` message of the move after `before` (the whole log so far) in game "g1". */
export function moved(
  before: readonly string[],
  move: string,
  over: Partial<MovedMessage> = {},
  kind: GameKind = "connect4",
): MovedMessage {
  const record = records(kind, [...before, move]).at(-1)!;
  return {
    gameId: "g1",
    record,
    ply: before.length + 1,
    view: null,
    clocks: { ...CLOCKS, running: (1 - record.seat) as Seat, firstMoveDeadline: null, serverNow: 2000 + before.length },
    status: "active",
    result: null,
    ...over,
  };
}
