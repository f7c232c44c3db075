/**
 * Test fixtures (unit tests only): snapshots and `moved` messages of real
 * games, built with the shared rules so that they are consistent.
 */
import type { GameSnapshot, MovedMessage, MoveRecord } from "@tabula/shared/protocol";
import { type GameKind, getGame, type Seat } from "@tabula/shared/rules";

/** The move records of `moves` played from the start of `kind` with seed "s". */
export function records(kind: GameKind, moves: readonly string[], at = 1000): MoveRecord[] {
  const def = getGame(kind)!;
  let state = def.setup("s");
  return moves.map((move, ply) => {
    const seat = def.toMove(state)!;
    const r = def.apply(state, move, seat);
    if (!r.ok) throw new Error(`fixture move ${move}: ${r.error.message}`);
    state = r.state;
    return { ply, seat, move, san: r.notation, clockMs: 60_000 - ply, at: at + ply };
  });
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
