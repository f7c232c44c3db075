/**
 * A rated game's seats' ratings as the server keeps them (exact Glicko-2
 * values, from the Rating and RatingChange rows) and as a snapshot shows them
 * (rounded, provisional flagged, the change once the game is over). Pure.
 */
import type { GameRatings, SeatRating } from "@tabula/shared/protocol";
import { isProvisional, NEW_RATING } from "./glicko.ts";

/** One player's change from one rated game (a RatingChange row). */
export interface StoredChange {
  before: number;
  after: number;
  rdBefore: number;
  rdAfter: number;
}

/** One seat's rating: the Rating row as loaded (NEW_RATING when it has none), and the game's change once rated. */
export interface StoredSeatRating {
  rating: number;
  rd: number;
  change: StoredChange | null;
}

/** A rated game's pool and seats' ratings (index = seat). */
export interface GameRatingsRecord {
  pool: string;
  seats: [StoredSeatRating, StoredSeatRating];
}

/** The rows a load returns for a rated game: the players' Rating rows in its pool and the game's RatingChange rows. */
export interface RatingRows {
  pool: string;
  current: Array<{ playerId: string; rating: number; rd: number }>;
  changes: Array<{ playerId: string } & StoredChange>;
}

/** The seats' ratings of a rated game between `seatIds` from its rows (a player with no Rating row is new: 1500, RD 350). */
export function ratingsOfRows(rows: RatingRows, seatIds: readonly [string, string]): GameRatingsRecord {
  const seat = (id: string): StoredSeatRating => {
    const r = rows.current.find((x) => x.playerId === id);
    const c = rows.changes.find((x) => x.playerId === id);
    const { playerId: _, ...change } = c ?? { playerId: "" };
    return { rating: r?.rating ?? NEW_RATING.rating, rd: r?.rd ?? NEW_RATING.rd, change: c ? (change as StoredChange) : null };
  };
  return { pool: rows.pool, seats: [seat(seatIds[0]), seat(seatIds[1])] };
}

/** `r` with the game's changes recorded (index = seat). */
export function withChanges(r: GameRatingsRecord, changes: readonly [StoredChange, StoredChange]): GameRatingsRecord {
  return {
    pool: r.pool,
    seats: [
      { rating: changes[0].after, rd: changes[0].rdAfter, change: changes[0] },
      { rating: changes[1].after, rd: changes[1].rdAfter, change: changes[1] },
    ],
  };
}

function seatView(s: StoredSeatRating): SeatRating {
  if (!s.change) return { rating: Math.round(s.rating), provisional: isProvisional({ ...NEW_RATING, rd: s.rd }), change: null };
  const before = Math.round(s.change.before);
  const after = Math.round(s.change.after);
  return {
    rating: after,
    provisional: isProvisional({ ...NEW_RATING, rd: s.change.rdAfter }),
    change: { before, after, delta: after - before },
  };
}

/** What a snapshot shows of a game's ratings: rounded, provisional flagged; null for a casual game. */
export function ratingsView(r: GameRatingsRecord | null): GameRatings | null {
  return r ? { pool: r.pool, seats: [seatView(r.seats[0]), seatView(r.seats[1])] } : null;
}
