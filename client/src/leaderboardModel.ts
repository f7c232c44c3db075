/**
 * What the leaderboard page shows (no DOM): pool names, the board's rows, the
 * caller's standing line and how old the board is. Names stay plain strings:
 * the page puts them in the DOM as text, never as HTML.
 */
import type { LeaderboardResponse, LeaderboardStanding } from "@tabula/shared/protocol";
import { RATING_POOLS, type RatingPool } from "@tabula/shared/rules";
import { ago } from "./format.ts";

/** Tab titles of the pools, in RATING_POOLS order. */
export const POOL_NAMES: Record<RatingPool, string> = {
  "chess-bullet": "Chess · Bullet",
  "chess-blitz": "Chess · Blitz",
  "chess-rapid": "Chess · Rapid",
  connect4: "Connect Four",
  battleship: "Battleship",
};

/** The pools as tabs, in display order. */
export const POOL_TABS: readonly { pool: RatingPool; title: string }[] = RATING_POOLS.map((pool) => ({
  pool,
  title: POOL_NAMES[pool],
}));

/** A rating as shown: rounded, with "?" while provisional (as lichess does). */
export function ratingText(rating: number, provisional = false): string {
  return `${Math.round(rating)}${provisional ? "?" : ""}`;
}

/** "12 W · 3 L · 1 D". */
export function recordText(r: { wins: number; losses: number; draws: number }): string {
  return `${r.wins} W · ${r.losses} L · ${r.draws} D`;
}

export interface BoardRow {
  rank: string;
  playerId: string;
  name: string;
  rating: string;
  games: string;
  record: string;
  /** The caller's own row. */
  you: boolean;
}

/** The board's rows, best first; `myId` marks the caller's own row. */
export function boardRows(res: LeaderboardResponse, myId: string | null): BoardRow[] {
  return res.entries.map((e) => ({
    rank: String(e.rank),
    playerId: e.playerId,
    name: e.name,
    rating: ratingText(e.rating),
    games: String(e.games),
    record: recordText(e),
    you: e.playerId === myId,
  }));
}

/** The "your rank" line for `you` in `pool` ("" without a token). */
export function standingText(you: LeaderboardStanding | null, pool: RatingPool): string {
  if (!you) return "";
  const where = POOL_NAMES[pool];
  if (you.rank !== null && you.rating !== null) return `Your rank: #${you.rank} · ${ratingText(you.rating)}`;
  if (you.rating === null) return `You have no rating in ${where} yet: play rated games to get one.`;
  if (you.provisional)
    return `Your rating ${ratingText(you.rating, true)} is provisional (${you.games} games): play more rated games to be ranked.`;
  return `Your rating ${ratingText(you.rating)} is not on the board yet: it is updated every minute or so.`;
}

/** "Updated 12 s ago" for a board computed at `refreshedAt` (epoch ms), as of `now`. */
export function refreshedText(refreshedAt: number, now: number): string {
  return `Updated ${ago(now - refreshedAt)}`;
}
