/** Stored games for the table's and the host's unit tests (imported by tests only). */
import type { MoveRecord } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";
import type { MoveWrite } from "../../src/db/groupCommit.ts";
import { NO_OFFERS, type GameRecord } from "../../src/game/record.ts";

/** A fixed epoch for tests, ms. */
export const T0 = 1_700_000_000_000;

/** A fresh live game between humans "a" (seat 0) and "b" (seat 1), created at T0 with a 30 s first-move deadline. */
export function newRecord(kind: GameKind = "connect4", over: Partial<GameRecord> = {}): GameRecord {
  const initialMs = 60_000;
  return {
    id: "g1",
    kind,
    timeControl: { id: "1+5", initialMs, incrementMs: 5_000 },
    mode: "quick",
    seed: "seed",
    status: "active",
    ply: 0,
    clocks: { clock0Ms: initialMs, clock1Ms: initialMs, turnStartedAt: T0, deadlineAt: T0 + 30_000 },
    result: null,
    offers: { ...NO_OFFERS },
    leaseToken: 1n,
    players: [
      { id: "a", name: "A", isBot: false },
      { id: "b", name: "B", isBot: false },
    ],
    moves: [],
    ratings: null,
    ...over,
  };
}

/** One move of game `gameId` at `ply` as group commit takes it (seats alternate, seat 0 first). */
export function moveWrite(gameId: string, ply = 0): MoveWrite {
  const move: MoveRecord = { ply, seat: ply % 2 === 0 ? 0 : 1, move: "3", san: "d1", clockMs: 1000, at: T0 };
  return {
    fence: 1n,
    gameId,
    move,
    clocks: { clock0Ms: 1000, clock1Ms: 900, turnStartedAt: T0, deadlineAt: null },
    ending: null,
  };
}
