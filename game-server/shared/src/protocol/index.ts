/**
 * Tabula's wire protocol: the closed set of messages in both directions and
 * the HTTP request bodies, as zod schemas (validated at the server's edge) and
 * TypeScript types (for the browser client, the bots and third-party clients).
 * docs/protocol.md is the human-readable version of this file: keep them in step.
 */
import { z } from "zod";
import type { GameKind, GameResult, Seat } from "../rules/types.ts";

/** Colyseus room name that hosts every game. */
export const GAME_ROOM = "game";

// ---------------------------------------------------------------------------
// Client → server room messages. Anything else is answered with UNKNOWN_MESSAGE.

/** Longest move string accepted (chess UCI is at most 5). */
export const MAX_MOVE_LENGTH = 8;

export const ClientMessages = {
  /** Play `move` as the next ply. `ply` is the number of moves the client has seen (the expected ply). */
  move: z.strictObject({
    ply: z.number().int().min(0).max(10_000),
    move: z.string().min(1).max(MAX_MOVE_LENGTH),
  }),
  /** Resign the game. */
  resign: z.strictObject({}),
  /** Offer, accept or decline a draw. */
  draw: z.strictObject({ action: z.enum(["offer", "accept", "decline"]) }),
  /** Abort the game: allowed before the player's first move. */
  abort: z.strictObject({}),
  /** After the game: offer, accept or decline a rematch (colours swapped). */
  rematch: z.strictObject({ action: z.enum(["offer", "accept", "decline"]) }),
  /** Ask for a full snapshot (e.g. after resuming). */
  sync: z.strictObject({}),
} as const;

export type ClientMessageType = keyof typeof ClientMessages;
export type ClientMessage<T extends ClientMessageType> = z.infer<(typeof ClientMessages)[T]>;

// ---------------------------------------------------------------------------
// Server → client room messages.

/** Stable error codes, sent in `error` messages and HTTP error bodies. */
export const ERROR_CODES = [
  "BAD_MESSAGE", // payload does not match the message's schema
  "UNKNOWN_MESSAGE", // no such message type
  "NOT_A_PLAYER", // a spectator tried a player action
  "NOT_YOUR_TURN",
  "STALE_PLY", // `ply` is not the current ply (someone moved, or a resend of an old move)
  "ILLEGAL_MOVE",
  "BAD_MOVE_FORMAT",
  "GAME_OVER",
  "NO_OFFER", // accept/decline with no pending offer
  "CANNOT_ABORT", // abort after your first move
  "BUSY", // another action of this game is being committed; retry
  "UNAVAILABLE", // the database is unavailable; the action was not applied
  "GAME_MOVED", // the game is now hosted by another node: rejoin it by id
  "INTERNAL",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorMessage {
  code: ErrorCode;
  message: string;
  /** The client message type this answers, when there is one. */
  inReplyTo?: string;
}

export interface TimeControlInfo {
  id: string;
  initialMs: number;
  incrementMs: number;
}

export interface PlayerInfo {
  id: string;
  name: string;
  isBot: boolean;
  connected: boolean;
  /** Epoch ms at which a disconnected player loses by abandonment; null while connected. */
  reconnectDeadline: number | null;
}

export interface ClockState {
  /** Remaining time of each seat in ms, as of `serverNow`. */
  remainingMs: [number, number];
  /** The seat whose clock runs, or null (game over, or clocks not started). */
  running: Seat | null;
  /** Server time (epoch ms) when this was computed: tick locally from it. */
  serverNow: number;
  /**
   * Before both sides have moved, clocks do not run; instead the side to move
   * must move before this time (epoch ms) or the game is aborted. Null afterwards.
   */
  firstMoveDeadline: number | null;
}

export interface MoveRecord {
  ply: number;
  seat: Seat;
  move: string;
  /** Human notation: chess SAN ("Nf3"), Connect Four column letter and landing row ("d1"). */
  san: string;
  /** Mover's remaining time after the move (increment included), ms. */
  clockMs: number;
  /** Commit time, epoch ms. */
  at: number;
}

export type GameStatus = "active" | "finished" | "aborted";

/** The full picture of a game, as one participant (`you`) may see it. */
export interface GameSnapshot {
  gameId: string;
  kind: GameKind;
  timeControl: TimeControlInfo;
  mode: "quick" | "invite" | "bot" | "rematch";
  status: GameStatus;
  players: [PlayerInfo, PlayerInfo];
  you: { role: "player"; seat: Seat } | { role: "spectator"; seat: null };
  /** Seed of the rules' RNG: replaying seed + moves with the shared rules reproduces `view`. */
  seed: string;
  moves: MoveRecord[];
  /** Number of moves played; the next move's `ply`. */
  ply: number;
  /** Rules view for `you` (see the rules package for each game's shape). */
  view: unknown;
  clocks: ClockState;
  result: GameResult | null;
  /** Seat that offered a draw and awaits an answer, or null. */
  drawOffer: Seat | null;
  /** Seat that offered a rematch, or null. */
  rematchOffer: Seat | null;
  /** Set once a rematch was agreed: join that game. */
  rematchGameId: string | null;
  spectators: number;
}

/** Sent to everyone after each committed move (instead of a full snapshot). */
export interface MovedMessage {
  gameId: string;
  record: MoveRecord;
  ply: number;
  view: unknown;
  clocks: ClockState;
  status: GameStatus;
  result: GameResult | null;
}

export interface ServerMessages {
  snapshot: GameSnapshot;
  moved: MovedMessage;
  error: ErrorMessage;
}

// ---------------------------------------------------------------------------
// HTTP bodies (prefix /api). Errors answer { error: { code, message } }.

/** Display names: 2–20 letters, digits, spaces, "_" or "-", starting with a letter or digit. */
export const DisplayName = z
  .string()
  .trim()
  .min(2, "at least 2 characters")
  .max(20, "at most 20 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "letters, digits, spaces, '_' and '-' only");

export const GuestRequest = z.strictObject({ name: DisplayName.optional() });
export const GameChoice = z.strictObject({
  game: z.enum(["connect4", "chess"]),
  timeControl: z.string().max(16).optional(),
});

export interface GuestResponse {
  token: string;
  player: { id: string; name: string };
}

export type TicketStatus = "waiting" | "matched" | "cancelled" | "expired";

export interface TicketResponse {
  ticket: string;
  status: TicketStatus;
  /** Set when matched: join this game (room id = game id). */
  gameId?: string;
  game: GameKind;
  timeControl: string;
  /** Set for invite tickets. */
  inviteCode?: string;
}

export interface GameSummary {
  gameId: string;
  kind: GameKind;
  timeControl: string;
  mode: string;
  status: GameStatus;
  players: [{ id: string; name: string; isBot: boolean }, { id: string; name: string; isBot: boolean }];
  ply: number;
  result: GameResult | null;
  createdAt: number;
  endedAt: number | null;
}

// ---------------------------------------------------------------------------
// Close codes used by the server, beyond Colyseus' own.

export const CLOSE_CODES = {
  /** Frame larger than MAX_FRAME_BYTES (WebSocket standard). */
  MESSAGE_TOO_BIG: 1009,
  /** Colyseus: undecodable frame, or too many messages per second. */
  WITH_ERROR: 4002,
  /** The game moved to another node (takeover or shutdown): rejoin with joinById(gameId). */
  GAME_MOVED: 4100,
} as const;
