/**
 * What the leaderboard page shows (no DOM): pool names, the board's rows, the
 * caller's standing line and how old the board is. Names stay plain strings:
 * the page puts them in the DOM as text, never as HTML.
 */
import type { LeaderboardResponse, LeaderboardStanding } from "@tabula/shared/protocol";
import { RATING_POOLS, type RatingPool } from "@tabula/shared/rules";
import { ago } from "./format.ts";
import { t } from "./i18n/index.ts";

/** Tab titles of the pools, in RATING_POOLS order (read at each use: the current language's). */
export const POOL_NAMES: Record<RatingPool, string> = Object.defineProperties({} as Record<RatingPool, string>, {
  "chess-bullet": { enumerable: true, get: () => t("leaderboard:pool.chess-bullet") },
  "chess-blitz": { enumerable: true, get: () => t("leaderboard:pool.chess-blitz") },
  "chess-rapid": { enumerable: true, get: () => t("leaderboard:pool.chess-rapid") },
  connect4: { enumerable: true, get: () => t("leaderboard:pool.connect4") },
});

/** A pool's name, also for a pool this file does not list (its id then). */
export function poolName(pool: string): string {
  return Object.hasOwn(POOL_NAMES, pool) ? POOL_NAMES[pool as RatingPool] : pool;
}

/** The pools as tabs, in display order (`title` in the current language at each read). */
export const POOL_TABS: readonly { pool: RatingPool; readonly title: string }[] = RATING_POOLS.map((pool) => ({
  pool,
  get title() {
    return poolName(pool);
  },
}));

/** A rating as shown: rounded, with "?" while provisional (as lichess does). */
export function ratingText(rating: number, provisional = false): string {
  return `${Math.round(rating)}${provisional ? "?" : ""}`;
}

/** "12 W · 3 L · 1 D". */
export function recordText(r: { wins: number; losses: number; draws: number }): string {
  return t("leaderboard:recordText", { w: r.wins, l: r.losses, d: r.draws });
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
  if (you.rank !== null && you.rating !== null) {
    return t("leaderboard:yourRank", { rank: you.rank, rating: ratingText(you.rating) });
  }
  if (you.rating === null) return t("leaderboard:noRating", { pool: poolName(pool) });
  if (you.provisional) return t("leaderboard:provisional", { rating: ratingText(you.rating, true), games: you.games });
  return t("leaderboard:notYet", { rating: ratingText(you.rating) });
}

/** "Updated 12 s ago" for a board computed at `refreshedAt` (epoch ms), as of `now`. */
export function refreshedText(refreshedAt: number, now: number): string {
  return t("leaderboard:updated", { ago: ago(now - refreshedAt) });
}
