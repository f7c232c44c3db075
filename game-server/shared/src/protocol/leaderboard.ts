/**
 * Leaderboards and player profiles (GET /api/leaderboard/<pool>, GET /api/players/<name>): the answers the
 * server builds (game-server/src/http/leaderboard.ts) and the client's pages read. docs/protocol.md,
 * "Leaderboards and profiles", is the human-readable version.
 */
import type { RatingPool } from "../rules/pools.ts";
import type { GameKind } from "../rules/types.ts";
import type { GameSummary } from "./index.ts";

/** Most rows of a leaderboard answer. */
export const LEADERBOARD_SIZE = 100;
/** Most games in a profile's recent games. */
export const PROFILE_RECENT_GAMES = 20;
/** Most points of one pool's rating history in a profile (the newest). */
export const PROFILE_HISTORY_POINTS = 500;

/** One ranked player of a pool, as of the board's last refresh. */
export interface LeaderboardEntry {
  /** 1 for the best; equal ratings share a rank and the next rank skips ("1, 2, 2, 4"). */
  rank: number;
  playerId: string;
  name: string;
  rating: number;
  /** Rating deviation (at most 110 on the board: provisional ratings are not ranked). */
  rd: number;
  games: number;
  wins: number;
  losses: number;
  draws: number;
}

/**
 * The caller's standing in the pool. `rank` null: not on the board — no rated game yet (`rating` null),
 * a provisional rating, or an established rating newer than the board's last refresh.
 */
export interface LeaderboardStanding {
  rank: number | null;
  rating: number | null;
  rd: number | null;
  games: number;
  provisional: boolean;
}

/** GET /api/leaderboard/<pool>. */
export interface LeaderboardResponse {
  pool: RatingPool;
  /** When the board was computed (epoch ms); it is recomputed every LEADERBOARD_REFRESH_S. */
  refreshedAt: number;
  /** The top of the pool, best first (ties by name), at most LEADERBOARD_SIZE. */
  entries: LeaderboardEntry[];
  /** The caller's standing when the request carries a token; null without one. */
  you: LeaderboardStanding | null;
}

/** A player's rating in one pool. */
export interface ProfileRating {
  pool: RatingPool;
  rating: number;
  rd: number;
  /** RD above 110: too few games to be sure of the rating (shown with a "?"). */
  provisional: boolean;
  games: number;
  wins: number;
  losses: number;
  draws: number;
  /** Rank on the pool's board as of its last refresh; null when not on it. */
  rank: number | null;
}

/** One rated game's effect on a rating. */
export interface RatingPoint {
  /** When the game ended, epoch ms. */
  at: number;
  /** The rating after the game. */
  rating: number;
  gameId: string;
}

/** Finished games of one kind (rated or casual), from the player's side. */
export interface ProfileResults {
  kind: GameKind;
  wins: number;
  losses: number;
  draws: number;
}

/** GET /api/players/<name or id>. */
export interface ProfileResponse {
  player: {
    id: string;
    name: string;
    isBot: boolean;
    /** A registered account (false: a guest). */
    account: boolean;
    /** When the player was created, epoch ms. */
    since: number;
  };
  /** One per pool the player has a rating in, in RATING_POOLS order. */
  ratings: ProfileRating[];
  /** Per rated pool, the rating after each rated game, oldest first (the newest PROFILE_HISTORY_POINTS). */
  history: Array<{ pool: RatingPool; points: RatingPoint[] }>;
  /** Per game kind the player has finished a game of. */
  results: ProfileResults[];
  /** The newest finished games, newest first (at most PROFILE_RECENT_GAMES): open each in the replay. */
  recentGames: GameSummary[];
}
