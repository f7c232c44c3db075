/**
 * Rating pools: which rating a game changes. Chess is rated per speed, as
 * lichess does, by the estimated duration of a 40-move game (initial time +
 * 40 × increment): under 3 min bullet, under 8 min blitz, otherwise rapid.
 * Connect Four and Battleship have a single pool each.
 */
import { findTimeControl } from "./index.ts";
import type { GameKind } from "./types.ts";

/** Every rating pool, in display order. */
export const RATING_POOLS = ["chess-bullet", "chess-blitz", "chess-rapid", "connect4", "battleship"] as const;
export type RatingPool = (typeof RATING_POOLS)[number];

/** Whether `pool` names a rating pool (guards URL parameters). */
export function isRatingPool(pool: unknown): pool is RatingPool {
  return typeof pool === "string" && (RATING_POOLS as readonly string[]).includes(pool);
}

/** The pool a game of `kind` at time control `timeControl` ("3+2") is rated in; undefined for an unknown time control. */
export function ratingPool(kind: GameKind, timeControl: string): RatingPool | undefined {
  const tc = findTimeControl(kind, timeControl);
  if (!tc) return undefined;
  if (kind === "connect4" || kind === "battleship") return kind;
  const estimate = tc.initialSeconds + 40 * tc.incrementSeconds;
  if (estimate < 180) return "chess-bullet";
  if (estimate < 480) return "chess-blitz";
  return "chess-rapid";
}
