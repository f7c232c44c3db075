/**
 * A live game as the table sees it: the table's own domain types. The
 * repository (db/games.ts) maps database rows to and from these; nothing here
 * knows about rows, Prisma or SQL. Times are epoch milliseconds.
 */
import type { GameStatus, MoveRecord, TimeControlInfo } from "@tabula/shared/protocol";
import type { BotLevel, GameKind, GameResult, Seat } from "@tabula/shared/rules";
import type { GameRatingsRecord } from "../ratings/seats.ts";

export interface TablePlayer {
  id: string;
  name: string;
  isBot: boolean;
}

export type GameMode = "quick" | "invite" | "bot" | "rematch";

/** Clock fields written with every move or result. */
export interface ClockFields {
  /** Remaining ms of each seat as of `turnStartedAt`. */
  clock0Ms: number;
  clock1Ms: number;
  /** When the side to move started thinking (epoch ms); null once the game is over. */
  turnStartedAt: number | null;
  /** When the side to move flags or, before both sides moved, the game is aborted (epoch ms). */
  deadlineAt: number | null;
}

/** How a game ended. */
export interface Ending {
  status: "finished" | "aborted";
  result: GameResult;
  /** Epoch ms. */
  endedAt: number;
}

/** The offers on the table. Persisted with the game, like its moves. */
export interface Offers {
  /** Seat that offered a draw and awaits an answer. */
  drawOffer: Seat | null;
  /** Seat that offered a rematch (after the game). */
  rematchOffer: Seat | null;
  /** The agreed rematch's game id. */
  rematchGameId: string | null;
}

export const NO_OFFERS: Offers = { drawOffer: null, rematchOffer: null, rematchGameId: null };

/** Everything stored about one game: the table is rebuilt from this. */
export interface GameRecord {
  id: string;
  kind: GameKind;
  timeControl: TimeControlInfo;
  mode: GameMode;
  /** Seed of the rules' RNG. */
  seed: string;
  status: GameStatus;
  /** Number of committed moves (must equal `moves.length`). */
  ply: number;
  clocks: ClockFields;
  result: GameResult | null;
  offers: Offers;
  /** Fencing token of the current owner (every write must carry it). */
  leaseToken: bigint;
  /** A private game (it has a password): spectators must give it, and the Watch list shows a lock. */
  private?: boolean;
  /** A bot game's level; unset without a bot (or for a bot game older than levels: it plays at DEFAULT_BOT_LEVEL). */
  botLevel?: BotLevel;
  players: [TablePlayer, TablePlayer];
  /** The move log, ply 0 first. */
  moves: MoveRecord[];
  /** A rated game's pool and its players' ratings (with the game's changes once rated); null for a casual game. */
  ratings: GameRatingsRecord | null;
}

/** A new game's row, as created (a quick play, an invite, a bot game, a rematch). Times are Dates: they go to the database as they are. */
export interface NewGame {
  id: string;
  kind: string;
  timeControl: string;
  initialMs: number;
  incrementMs: number;
  seed: string;
  mode: string;
  seat0Id: string;
  seat1Id: string;
  clock0Ms: number;
  clock1Ms: number;
  turnStartedAt: Date | null;
  deadlineAt: Date | null;
  ownerNode: string | null;
  rematchOfId: string | null;
  /** Rated games change both players' ratings in `ratingPool` when they end (db/ratedEnding.ts). */
  rated: boolean;
  /** The game's rating pool (rules' ratingPool); set when rated. */
  ratingPool: string | null;
  /** A private game's password as an Argon2id hash (never the password); unset: not private. */
  passwordHash?: string | null;
  /** A bot game's level; unset or null without a bot. */
  botLevel?: BotLevel | null;
}

/** Where a write is expected to land: the game must still be at this ply and status. */
export interface Expected {
  ply: number;
  status: GameStatus;
}
