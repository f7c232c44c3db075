/**
 * Tabula's wire protocol: the closed set of messages in both directions and
 * the HTTP request bodies, as zod schemas (validated at the server's edge) and
 * TypeScript types (for the browser client, the bots and third-party clients).
 * docs/protocol.md is the human-readable version of this file: keep them in step.
 */
import { z } from "zod";
import { BOT_LEVELS, type BotLevel, DEFAULT_BOT_LEVEL, type GameKind, type GameResult, type Seat } from "../rules/types.ts";
import { ChatClientMessages, type ChatHistoryMessage, type ChatLine } from "./chat.ts";
import { singleScript } from "./names.ts";
import type { GameRatings } from "./ratings.ts";

/** Colyseus room name that hosts every game. */
export const GAME_ROOM = "game";

// ---------------------------------------------------------------------------
// Client → server room messages. Anything else is answered with UNKNOWN_MESSAGE.

/** Longest move string accepted (chess UCI is at most 5). */
export const MAX_MOVE_LENGTH = 8;

export const ClientMessages = {
  /**
   * Play `move` as the next ply. `ply` is the number of moves the client has seen (the expected ply).
   * Any non-negative safe integer is well-typed; one that is not the current ply is refused with
   * STALE_PLY (never BAD_MESSAGE), however far off it is.
   */
  move: z.strictObject({
    ply: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
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
  /**
   * Claim a win by abandonment: allowed once the disconnected opponent's reconnection window ran out
   * (`players[opponent].reconnectDeadline` passed) and while they are still away. Before both sides
   * have moved, the game is aborted instead (as an abandonment would).
   */
  claimWin: z.strictObject({}),
  ...ChatClientMessages,
} as const;

export type ClientMessageType = keyof typeof ClientMessages;
export type ClientMessage<T extends ClientMessageType> = z.infer<(typeof ClientMessages)[T]>;

// ---------------------------------------------------------------------------
// Server → client room messages.

/**
 * Every code an `error` room message can carry, with what it means. Closed:
 * the server sends no other, and docs/protocol.md documents exactly these
 * (a test compares the two).
 */
export const ROOM_ERRORS = {
  BAD_MESSAGE: "payload does not match the message's schema (the message names the field)",
  UNKNOWN_MESSAGE: "no such message type",
  NOT_A_PLAYER: "a spectator tried a player action",
  NOT_YOUR_TURN: "it is the other seat's turn",
  STALE_PLY: "`ply` is not the current ply: someone moved, or this is a resend of a committed move",
  ILLEGAL_MOVE: "well-formed but illegal in this position",
  BAD_MOVE_FORMAT: "not a move in this game's notation",
  GAME_OVER: "the game has ended (or your flag fell)",
  GAME_NOT_OVER: "a rematch can only be offered or answered once the game has ended",
  NO_OFFER: "accept/decline without a pending offer",
  CANNOT_ABORT: "abort after your first move",
  OPPONENT_CONNECTED: "claimWin while the opponent is connected (or came back): nothing to claim",
  CLAIM_TOO_EARLY: "claimWin before the opponent's reconnection window ran out (`reconnectDeadline`)",
  UNAVAILABLE: "the database is unavailable: **nothing was applied**, try again",
  GAME_MOVED: "the game is now hosted by another node: rejoin it by id (the socket then closes with 4100)",
  INTERNAL: "unexpected server error: nothing was applied",
  CHAT_RATE_LIMITED: "more than CHAT_PER_MIN chat messages in a minute: nothing was stored; `retryInS` says when to try again",
  CHAT_TOO_LONG: "the chat message is longer than CHAT_MAX_CHARS characters: nothing was stored",
  CHAT_EMPTY: "the chat message is empty once cleaned (control, bidi and zero-width characters removed): nothing was stored",
} as const;
export type ErrorCode = keyof typeof ROOM_ERRORS;
/** The room error codes, as a list. */
export const ERROR_CODES = Object.keys(ROOM_ERRORS) as ErrorCode[];

export interface ErrorMessage {
  code: ErrorCode;
  message: string;
  /** The client message type this answers, when there is one. */
  inReplyTo?: string;
  /** CHAT_RATE_LIMITED: seconds until a message will be accepted again. */
  retryInS?: number;
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
  /**
   * While disconnected: epoch ms at which the reconnection window runs out, from when the opponent may claim
   * the win (`claimWin`; the server ends the game by itself one more window later). Null while connected.
   */
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
  /** How to tell a silent server from a quiet one (see Heartbeat). */
  heartbeat: Heartbeat;
  /** A rated game changes both players' ratings when it ends (ratings.ts). */
  rated: boolean;
  /** A rated game's pool and each seat's rating (and, once over, its change); null for a casual game. */
  ratings: GameRatings | null;
  /** A bot game's level (the bot's seat is the player with `isBot`); null when no bot plays. */
  botLevel: BotLevel | null;
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

/** The snapshot `s` brought up to date by `m` (what a client that keeps the last snapshot does with a `moved`). */
export function snapshotAfterMove(s: GameSnapshot, m: MovedMessage): GameSnapshot {
  return { ...s, moves: [...s.moves, m.record], ply: m.ply, view: m.view, clocks: m.clocks, status: m.status, result: m.result };
}

/** To the sockets of the seat whose offer the opponent just declined (a bot declines a draw at once). */
export interface OfferDeclinedMessage {
  gameId: string;
  offer: "draw" | "rematch";
}

export interface ServerMessages {
  snapshot: GameSnapshot;
  moved: MovedMessage;
  error: ErrorMessage;
  offerDeclined: OfferDeclinedMessage;
  chat: ChatLine;
  chatHistory: ChatHistoryMessage;
}
export type ServerMessageType = keyof ServerMessages;
/** The server → client message types, as a list (closed: `satisfies` keeps it equal to ServerMessages). */
export const SERVER_MESSAGE_TYPES = Object.keys({
  snapshot: true,
  moved: true,
  error: true,
  offerDeclined: true,
  chat: true,
  chatHistory: true,
} satisfies Record<ServerMessageType, true>) as ServerMessageType[];

// ---------------------------------------------------------------------------
// HTTP bodies (prefix /api). Errors answer { error: { code, message } }.

/**
 * Display names: 2–20 letters, digits, spaces, "_" or "-", starting with a letter or digit, in compatibility
 * form (NFKC: fullwidth and other variants folded), the letters of one script (names.ts: no Cyrillic "А"
 * inside a Latin name). Uniqueness goes further: look-alike names share a key (names.ts `nameSkeleton`).
 */
export const DisplayName = z
  .string()
  .normalize("NFKC")
  .trim()
  .min(2, "at least 2 characters")
  .max(20, "at most 20 characters")
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, "letters, digits, spaces, '_' and '-' only")
  .refine(singleScript, "letters of one script only (no mixing e.g. Latin and Cyrillic)");

/**
 * POST /api/guest. A taken `name` gets a suffix ("alice-2"), or with `ifTaken: "suggest"` is refused
 * with NAME_TAKEN and a free `suggestion` (what a person choosing a name should be offered).
 */
export const GuestRequest = z.strictObject({
  name: DisplayName.optional(),
  ifTaken: z.enum(["suffix", "suggest"]).optional(),
});
export const GameChoice = z.strictObject({
  game: z.enum(["connect4", "chess"]),
  timeControl: z.string().max(16).optional(),
});
/** POST /api/bot-games: a game and, optionally, its time control and the bot's level (default medium). */
export const BotGameRequest = GameChoice.extend({
  level: z.enum(BOT_LEVELS).default(DEFAULT_BOT_LEVEL),
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
  /** Set (true) for a rated quick-play ticket. */
  rated?: boolean;
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
// HTTP errors: every code an `{ error: { code, message } }` body can carry, with its status
// (the nodes' API, and nginx's own answers on /node/<id>/…: nginx/tabula.conf).

export const HTTP_ERRORS = {
  BAD_REQUEST: { status: 400, meaning: "invalid body, parameter or query (the message says which)" },
  UNAUTHENTICATED: { status: 401, meaning: "missing or invalid token, or unknown player" },
  BAD_CREDENTIALS: { status: 401, meaning: "wrong name or password (the same answer for a name that has no account)" },
  BAD_REFRESH_TOKEN: { status: 401, meaning: "the refresh token is unknown, expired, revoked or was already used: log in again" },
  ACCOUNT_REQUIRED: { status: 403, meaning: "only a registered account may do this (a guest has no password)" },
  ORIGIN_NOT_ALLOWED: { status: 403, meaning: "the request came from a web page whose origin is not allowed (ALLOWED_ORIGINS)" },
  FORBIDDEN: { status: 403, meaning: "a valid identity that is not an operator (ADMIN_PLAYER_IDS) asked for /api/admin" },
  NOT_FOUND: { status: 404, meaning: "no such route" },
  NO_TICKET: { status: 404, meaning: "no such matchmaking ticket (or not yours)" },
  NO_INVITE: { status: 404, meaning: "no such invite code (or it was used or cancelled)" },
  NO_GAME: { status: 404, meaning: "no such game" },
  OWN_INVITE: { status: 409, meaning: "accepting your own invite" },
  PASSWORD_REQUIRED: { status: 403, meaning: "a private game: the invite needs its password; live moves are its players'" },
  WRONG_PASSWORD: { status: 403, meaning: "wrong password for this invite: nothing changed, it stays open" },
  PASSWORD_THROTTLED: { status: 429, meaning: "too many wrong passwords for this invite: wait `retryAfterS` s, then retry" },
  NAME_TAKEN: {
    status: 409,
    meaning: "another player has this name (names are unique regardless of case); `suggestion` names a free one",
  },
  ALREADY_REGISTERED: { status: 409, meaning: "the caller's Bearer token is already an account's: it cannot register again" },
  NO_MESSAGE: { status: 404, meaning: "no such chat message (reports)" },
  NO_PLAYER: { status: 404, meaning: "no such player (mute, block; a profile by name or id)" },
  CHAT_TOO_LONG: { status: 400, meaning: "the chat message is longer than CHAT_MAX_CHARS characters: nothing was stored" },
  CHAT_EMPTY: { status: 400, meaning: "the chat message is empty once cleaned: nothing was stored" },
  CHAT_RATE_LIMITED: {
    status: 429,
    meaning: "more than CHAT_PER_MIN chat messages in a minute: nothing was stored; Retry-After says when to try again",
  },
  TOO_LARGE: { status: 413, meaning: "body over 4 KB" },
  RATE_LIMITED: { status: 429, meaning: "too many requests from this address: wait and retry" },
  LOGIN_THROTTLED: {
    status: 429,
    meaning: "too many failed logins for a name or an address: retry after retryAfterS seconds",
  },
  INTERNAL: { status: 500, meaning: "unexpected server error: nothing was applied" },
  UNAVAILABLE: { status: 503, meaning: "the database or Redis is unavailable: nothing was applied, try again" },
  UNKNOWN_NODE: { status: 404, meaning: "(nginx) `/node/<id>/…` names no node behind this entry point" },
  NODE_UNAVAILABLE: { status: 502, meaning: "(nginx) the node in `/node/<id>/…` is not answering: rejoin the game by id" },
} as const;
export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** The body of every HTTP error answer. */
export interface HttpErrorBody {
  error: {
    code: HttpErrorCode;
    message: string;
    /** LOGIN_THROTTLED and PASSWORD_THROTTLED: seconds until it may be tried again (also the Retry-After header). */
    retryAfterS?: number;
    /** NAME_TAKEN: a free name close to the one asked for, to offer instead (not reserved: it may be taken meanwhile). */
    suggestion?: string;
  };
}

// ---------------------------------------------------------------------------
// WebSocket close codes the server uses (Colyseus' own 4000 and 4003 included), with when.
// A refused join always closes with its own code (4400, 4401, 4403), never with 4002.

export const CLOSE_CODES = {
  /** The room closed normally (the game is over and the room is disposed). */
  CONSENTED: 4000,
  /** Frame larger than MAX_FRAME_BYTES (WebSocket standard). */
  MESSAGE_TOO_BIG: 1009,
  /** An undecodable frame, or more than MAX_MESSAGES_PER_SECOND messages in a second (flood). */
  WITH_ERROR: 4002,
  /** The SDK's automatic reconnection was refused (the seat's hold ended, or the room is gone): rejoin with joinById. */
  RECONNECT_FAILED: 4003,
  /** The game moved to another node (takeover or shutdown): rejoin with joinById(gameId). */
  GAME_MOVED: 4100,
  /**
   * Join refused for another reason: the seat reservation is unknown here or expired (the socket came
   * too late, or to a node that no longer hosts the room), or the join options are invalid. Join again.
   */
  JOIN_REFUSED: 4400,
  /** Join refused: the identity token was in the socket URL (it goes only in the seat reservation's header). */
  UNAUTHORIZED: 4401,
  /** Join refused: the game already has MAX_SPECTATORS spectators. */
  SPECTATORS_FULL: 4403,
} as const;
export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

// ---------------------------------------------------------------------------
// Liveness: how a client tells a silent (stalled, partitioned) server from a
// quiet one. The server answers the SDK's ping (`room.ping()`) at once; a
// client pings every `intervalMs` and, with no answer for `timeoutMs`, drops
// the socket and rejoins by game id. `timeoutMs` is tied to the ownership
// lease, so a client gives up on a stalled node about when another node may
// take its games over. Sent in every snapshot.

export interface Heartbeat {
  /** How often to ping, ms. */
  intervalMs: number;
  /** Silence (no pong, no message) after which the server counts as gone, ms. */
  timeoutMs: number;
}

// Chat: chat.ts. Names that cannot pass for another's: names.ts.
export * from "./chat.ts";
export { nameSkeleton, singleScript } from "./names.ts";

// The operator API's answers (operators only): admin.ts.
export type { AdminFigures, AdminNode, AdminOverview, AuditEntry, AuditPage, FigurePoint } from "./admin.ts";

// Private games with a password: privateGames.ts.
export * from "./privateGames.ts";
// Accounts and sessions: register, log in, refresh, log out, password change (accounts.ts).
export * from "./accounts.ts";

// Ratings: a rated game's seats' ratings and changes, rated quick play (ratings.ts).
export * from "./ratings.ts";

// Leaderboards and profiles: leaderboard.ts.
export * from "./leaderboard.ts";
