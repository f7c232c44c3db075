/**
 * Chat: the lobby channel (HTTP, /api/chat/lobby) and a game's two channels
 * (the room's `chat` message): players talk among players, spectators among
 * spectators, as on lichess. docs/protocol.md ("Chat") documents it.
 */
import { z } from "zod";

/** The lobby's channel name. */
export const LOBBY_CHANNEL = "lobby";

/** A game's players' channel and its spectators' channel. */
export function gameChannel(gameId: string, who: "players" | "spectators"): string {
  return `g:${gameId}:${who === "players" ? "p" : "s"}`;
}

/**
 * Longest `text` the schema lets through to the server's checks (characters as JavaScript counts them).
 * The real cap is the server's CHAT_MAX_CHARS (code points, after cleaning), refused with CHAT_TOO_LONG;
 * this only bounds what is read at all.
 */
export const CHAT_WIRE_MAX = 2000;

const ChatText = z.string().max(CHAT_WIRE_MAX);

/**
 * Room messages: `chat` says `text` in your game channel (players' or spectators', by your role);
 * `chatHistory` asks for the channel's recent messages (answered with `chatHistory`: a client that
 * shows chat asks on every join, so one that does not is never sent history it has no handler for).
 */
export const ChatClientMessages = {
  chat: z.strictObject({ text: ChatText }),
  chatHistory: z.strictObject({}),
} as const;

/** POST /api/chat/lobby. */
export const LobbyPost = z.strictObject({ text: ChatText });

/** POST /api/chat/reports: report message `messageId` (a ChatLine's id) for `reason`. */
export const ChatReport = z.strictObject({
  messageId: z.string().regex(/^[1-9][0-9]{0,17}$/, "a message id"),
  reason: z.string().trim().min(1).max(200),
});

/** Kinds of what a player may do about another: mute (hide their chat) or block (mute, and never be paired). */
export const RELATION_KINDS = ["mute", "block"] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** One chat message as delivered (room message `chat`, the history, the lobby's answers). */
export interface ChatLine {
  /** Its id (a decimal string: a 64-bit number), for reports and the lobby's `after`. */
  id: string;
  channel: string;
  playerId: string;
  /** The sender's name when sent. */
  name: string;
  /** The text as stored (cleaned: see docs/protocol.md). Display it as text, never as HTML. */
  text: string;
  /** When it was stored, epoch ms. */
  at: number;
}

/** Room message `chatHistory`: the recent messages of your game channel, oldest first (sent on joining). */
export interface ChatHistoryMessage {
  channel: string;
  messages: ChatLine[];
}

/** GET /api/chat/lobby answers. */
export interface LobbyChatResponse {
  messages: ChatLine[];
}

/** GET /api/chat/relations answers: whom you muted and blocked. */
export interface RelationsResponse {
  mute: Array<{ id: string; name: string }>;
  block: Array<{ id: string; name: string }>;
}
