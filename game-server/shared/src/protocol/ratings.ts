/**
 * Ratings in the protocol: what a rated game's snapshot says about each
 * seat's Glicko-2 rating and, once the game is over, its change; and the
 * quick-play request that asks for a rated game. docs/protocol.md
 * ("Ratings") is the human-readable version.
 */
import { z } from "zod";

/** One seat's rating change from a rated game, in whole rating points (rounded). */
export interface RatingDelta {
  /** The rating before the game. */
  before: number;
  /** The rating after it. */
  after: number;
  /** `after - before` (of the rounded values, so the three always agree on screen). */
  delta: number;
}

/** One seat's rating in a rated game's pool. */
export interface SeatRating {
  /** The rating (rounded): before the game while it is on, after it once it is over. */
  rating: number;
  /** Provisional (show it as "1500?"): the rating deviation is still above 110, too few games to be sure. */
  provisional: boolean;
  /** Set once the game is over and rated: the change it made. Null while it is on (or when it ended without a result). */
  change: RatingDelta | null;
}

/** The ratings of a rated game: its pool and each seat's rating (index = seat). */
export interface GameRatings {
  /** The rating pool (rules' ratingPool): "chess-bullet" | "chess-blitz" | "chess-rapid" | "connect4". */
  pool: string;
  seats: [SeatRating, SeatRating];
}

/** `POST /api/matchmaking/quick` body: a game choice, rated or casual (default casual). */
export const QuickPlayRequest = z.strictObject({
  game: z.enum(["connect4", "chess", "battleship"]),
  timeControl: z.string().max(16).optional(),
  /** Rated quick play (registered accounts only): paired by rating within a widening window. */
  rated: z.boolean().optional(),
});

/** A rating shown to people: "1512", or "1500?" while provisional. */
export function formatRating(r: Pick<SeatRating, "rating" | "provisional">): string {
  return r.provisional ? `${r.rating}?` : String(r.rating);
}

/** A change shown to people: "1500 → 1512 (+12)". */
export function formatRatingChange(c: RatingDelta): string {
  const sign = c.delta > 0 ? "+" : c.delta < 0 ? "−" : "±";
  return `${c.before} → ${c.after} (${sign}${Math.abs(c.delta)})`;
}
