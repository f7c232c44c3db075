/**
 * Tabula's shared game rules: pure definitions used alike by the server, the
 * browser client and the bots. See types.ts for the contract.
 */
import { chess } from "./chess.ts";
import { connect4 } from "./connect4.ts";
import type { GameDefinition, GameKind, TimeControl } from "./types.ts";

export * from "./types.ts";
export { connect4, c4DropRow, c4WinsAt, C4_COLUMNS, C4_ROWS } from "./connect4.ts";
export type { Connect4State, Connect4View } from "./connect4.ts";
export { chess, chessFromFen } from "./chess.ts";
export type { ChessState, ChessView } from "./chess.ts";
export { createRng } from "./rng.ts";
export type { Rng } from "./rng.ts";
export { chooseBotMove } from "./bot.ts";
export { c4Search, c4LevelMove, C4_LEVELS, C4_WIN, C4_WIN_FLOOR } from "./connect4Solver.ts";
export type { C4SearchOptions, C4SearchResult } from "./connect4Solver.ts";
export { replay } from "./replay.ts";
export { isRatingPool, RATING_POOLS, ratingPool } from "./pools.ts";
export type { RatingPool } from "./pools.ts";
export type { ReplayResult } from "./replay.ts";

/** Every game, by kind. */
export const GAMES: Readonly<Record<GameKind, GameDefinition>> = { connect4, chess };

/** Whether `kind` names a game (guards untrusted input such as URL parameters). */
export function isGameKind(kind: unknown): kind is GameKind {
  return typeof kind === "string" && Object.hasOwn(GAMES, kind);
}

/** The game named `kind`, or undefined for an unknown kind. */
export function getGame(kind: string): GameDefinition | undefined {
  return isGameKind(kind) ? GAMES[kind] : undefined;
}

/** The time control `id` ("3+2") of game `kind`, or undefined if that game does not offer it. */
export function findTimeControl(kind: string, id: string): TimeControl | undefined {
  return getGame(kind)?.timeControls.find((tc) => tc.id === id);
}
