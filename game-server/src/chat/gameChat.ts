/**
 * A game's chat, for its room (rooms/GameRoom.ts calls `say` and `sendHistory`
 * and nothing else). Two channels, kept apart as lichess keeps them: the
 * players' (`g:<gameId>:p`) and the spectators' (`g:<gameId>:s`); a socket's
 * channel follows its role in the room. A message is stored (chat/service.ts)
 * before it is sent to anyone, then sent to every socket of its channel except
 * those of readers who muted or blocked the sender. The history comes from the
 * table, so a room rebuilt on another node after a takeover serves the same.
 */
import { type ChatLine, gameChannel, type ServerMessages } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { DbUnavailableError } from "../db/errors.ts";
import type { Logger } from "../log.ts";
import type { ChatService } from "./service.ts";

/** What the chat needs of a room's socket. */
export interface ChatSocket {
  userData?: { identity: { playerId: string; name: string }; seat: Seat | null };
  send<T extends "chat" | "chatHistory" | "error">(type: T, body: ServerMessages[T]): void;
}

/** Shortest time between two history reads of one socket, ms: a client asks once per (re)join. */
export const HISTORY_EVERY_MS = 1000;

export class GameChat<C extends ChatSocket> {
  /** When each socket last read the history (a flood of `chatHistory` would be a query each). */
  private readonly historyAt = new WeakMap<C, number>();
  private readonly gameId: string;
  private readonly chat: ChatService | undefined;
  private readonly sockets: () => Iterable<C>;
  private readonly log: Logger;

  /** `chat` unset (a node without chat): every message is answered UNAVAILABLE. */
  constructor(gameId: string, chat: ChatService | undefined, sockets: () => Iterable<C>, log: Logger) {
    this.gameId = gameId;
    this.chat = chat;
    this.sockets = sockets;
    this.log = log;
  }

  /** The channel `socket` reads and writes: the players' when it holds a seat, else the spectators'. */
  channelOf(socket: C): string {
    return gameChannel(this.gameId, socket.userData?.seat == null ? "spectators" : "players");
  }

  /** `socket` says `text`: stored, then delivered to its channel; a refusal goes back to it as an `error`. */
  async say(socket: C, text: string): Promise<void> {
    const me = socket.userData?.identity;
    if (!me) return;
    const channel = this.channelOf(socket);
    await this.run(socket, async (chat) => {
      const r = await chat.post(me, channel, text);
      if (!r.ok) {
        const retry = r.retryInS === undefined ? {} : { retryInS: r.retryInS };
        return socket.send("error", { code: r.code, message: r.message, inReplyTo: "chat", ...retry });
      }
      await this.deliver(chat, r.line);
    });
  }

  /** Send `socket` its channel's recent messages (`chatHistory`), leaving out senders it muted or blocked. */
  async sendHistory(socket: C): Promise<void> {
    const me = socket.userData?.identity;
    if (!me) return;
    const now = Date.now();
    if (now - (this.historyAt.get(socket) ?? Number.NEGATIVE_INFINITY) < HISTORY_EVERY_MS) {
      const message = "chat history asked again too soon: try again in 1 s";
      return socket.send("error", { code: "CHAT_RATE_LIMITED", message, inReplyTo: "chatHistory", retryInS: 1 });
    }
    this.historyAt.set(socket, now);
    const channel = this.channelOf(socket);
    await this.run(socket, async (chat) => {
      socket.send("chatHistory", { channel, messages: await chat.history(channel, me.playerId) });
    });
  }

  private async deliver(chat: ChatService, line: ChatLine): Promise<void> {
    const readers = [...this.sockets()].filter((s) => s.userData && this.channelOf(s) === line.channel);
    const others = readers.map((s) => s.userData?.identity.playerId as string).filter((id) => id !== line.playerId);
    // Stored already: a failure to read the relations must not keep the message from its channel.
    const hiding = await chat.readersHiding(line.playerId, [...new Set(others)]).catch((err) => {
      this.log.warn({ err: (err as Error).message }, "chat: mutes not read; delivering to everyone");
      return new Set<string>();
    });
    for (const s of readers) if (!hiding.has(s.userData?.identity.playerId as string)) s.send("chat", line);
  }

  /** Run `fn`; a database outage answers UNAVAILABLE, anything else INTERNAL (logged): never thrown at the room. */
  private async run(socket: C, fn: (chat: ChatService) => Promise<void>): Promise<void> {
    const chat = this.chat;
    if (!chat) return socket.send("error", { code: "UNAVAILABLE", message: "chat is not available", inReplyTo: "chat" });
    try {
      await fn(chat);
    } catch (err) {
      if (err instanceof DbUnavailableError) {
        socket.send("error", {
          code: "UNAVAILABLE",
          message: "the database is unavailable: nothing was stored",
          inReplyTo: "chat",
        });
      } else {
        this.log.error({ err }, "chat failed");
        socket.send("error", { code: "INTERNAL", message: "internal error: nothing was stored", inReplyTo: "chat" });
      }
    }
  }
}
