/**
 * Matchmaking: quick-play queues per (game, time control) and private games by
 * invite code. This interface is what the HTTP API talks to; the in-memory
 * implementation serves a single node, and a Redis one (shared by every node)
 * can take its place without the API noticing.
 */
import { ClientError } from "../errors.ts";
import type { GameKind } from "@tabula/shared/rules";
import type { TicketResponse } from "@tabula/shared/protocol";

export interface InviteInfo {
  code: string;
  game: GameKind;
  timeControl: string;
  host: { name: string };
  /** A private game: accepting (and watching) needs its password. */
  passwordRequired: boolean;
}

/** What a rated quick-play ticket carries (read when it is made): the player's rating in the pool, and whom to avoid. */
export interface RatedSeek {
  /** The player's rating in the game's pool (1500 for a player without one). */
  rating: number;
  /** Players never to be paired with: those they blocked and those who blocked them (PlayerRelation kind "block"). */
  avoid: string[];
}

/**
 * Asked with the invite's stored password hash (null: none) before the invite is taken; rejects to
 * refuse the acceptance, which then changes nothing (privateGames/passwordGate.ts).
 */
export type InviteUnlock = (passwordHash: string | null) => Promise<void>;

export interface Matchmaker {
  /**
   * Queue `playerId` for a quick game; pairs at once when someone compatible waits. One ticket per player: a new one
   * cancels the old. With `rated`, the ticket waits in the game's rated queue and is paired within the rating window
   * (ratingWindow.ts), re-checked as the window widens; the game is rated.
   */
  quickPlay(playerId: string, game: GameKind, timeControl: string, rated?: RatedSeek): Promise<TicketResponse>;
  /**
   * Open a private game; the returned ticket carries the invite code. With `passwordHash` (Argon2id,
   * never the password) accepting needs the password, and the game's row gets the hash.
   */
  createInvite(playerId: string, game: GameKind, timeControl: string, passwordHash?: string): Promise<TicketResponse>;
  inviteInfo(code: string): Promise<InviteInfo | null>;
  /** Join the invite `code` once `unlock` passed (a private invite); resolves with the new game's id. */
  acceptInvite(playerId: string, code: string, unlock?: InviteUnlock): Promise<{ gameId: string }>;
  /** A ticket's status, waiting up to `waitMs` for it to change from "waiting". */
  poll(ticketId: string, playerId: string, waitMs: number): Promise<TicketResponse>;
  cancel(ticketId: string, playerId: string): Promise<TicketResponse>;
  /** Quick-play tickets waiting, per queue (for the metrics; cluster-wide with Redis). */
  queued(): Promise<Array<{ game: GameKind; timeControl: string; waiting: number }>>;
  /** Stop timers and release waiters (shutdown). */
  close(): void;
}

/** Creates a game between two players and its room; returns the game id. */
export type PairingHandler = (args: {
  game: GameKind;
  timeControl: string;
  mode: "quick" | "invite";
  playerIds: [string, string];
  /** A rated game (rated quick play). */
  rated?: boolean;
  /** A private game's password hash, for the game's row. */
  passwordHash?: string;
}) => Promise<string>;

/** A matchmaking refusal (NO_TICKET, NO_INVITE, OWN_INVITE, UNAVAILABLE…): the API answers it as is. */
export class MatchmakingError extends ClientError {}
