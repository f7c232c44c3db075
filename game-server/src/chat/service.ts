/**
 * Chat's core, shared by the lobby's HTTP routes (http/chat.ts) and the game
 * rooms (chat/gameChat.ts): a message is cleaned (text.ts), counted against
 * the sender's allowance (limit.ts), stored (store.ts) and only then handed
 * back for delivery. A refused message — empty, too long, over the limit —
 * stores nothing.
 */
import type { ChatLine } from "@tabula/shared/protocol";
import type { Redis } from "ioredis";
import type { AuditSink } from "../audit/writer.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { type ChatLimit, createChatLimit } from "./limit.ts";
import { createLobbyRelay, type LobbyRelay } from "./lobby.ts";
import { channelHistory, insertMessage, readersHiding, sendersHidden } from "./store.ts";
import { cleanChatText } from "./text.ts";

export interface ChatSettings {
  /** Longest message, in code points once cleaned (CHAT_MAX_CHARS). */
  maxChars: number;
  /** Messages a late joiner is sent (CHAT_HISTORY). */
  historySize: number;
}

export type ChatRefusal = {
  ok: false;
  code: "CHAT_EMPTY" | "CHAT_TOO_LONG" | "CHAT_RATE_LIMITED";
  message: string;
  retryInS?: number;
};
export type PostResult = { ok: true; line: ChatLine } | ChatRefusal;

export interface Sender {
  playerId: string;
  name: string;
}

export class ChatService {
  readonly settings: ChatSettings;
  readonly lobby: LobbyRelay;
  private readonly db: Db;
  private readonly limit: ChatLimit;
  private readonly audit?: AuditSink;

  constructor(deps: { db: Db; limit: ChatLimit; lobby: LobbyRelay; settings: ChatSettings; audit?: AuditSink }) {
    this.db = deps.db;
    this.limit = deps.limit;
    this.lobby = deps.lobby;
    this.settings = deps.settings;
    this.audit = deps.audit;
  }

  /**
   * Say `raw` on `channel` as `from`: resolves with the stored line once it is committed, or a refusal
   * (nothing stored). Rejects with DbUnavailableError when the database cannot be reached.
   */
  async post(from: Sender, channel: string, raw: string): Promise<PostResult> {
    const cleaned = cleanChatText(raw, this.settings.maxChars);
    if (!cleaned.ok) return cleaned;
    const allowance = await this.limit(from.playerId);
    if (!allowance.ok) {
      this.audit?.record({ kind: "ratelimit.cutoff", playerId: from.playerId, detail: { limiter: "chat" } });
      return {
        ok: false,
        code: "CHAT_RATE_LIMITED",
        message: `too many chat messages: try again in ${allowance.retryInS} s`,
        retryInS: allowance.retryInS,
      };
    }
    const line = await insertMessage(this.db, { channel, playerId: from.playerId, name: from.name, text: cleaned.text });
    return { ok: true, line };
  }

  /** The recent messages of `channel` as `viewerId` may see them, oldest first (CHAT_HISTORY of them). */
  history(channel: string, viewerId: string): Promise<ChatLine[]> {
    return channelHistory(this.db, channel, this.settings.historySize, viewerId);
  }

  /** Which of `readers` muted or blocked `senderId`. */
  readersHiding(senderId: string, readers: string[]): Promise<Set<string>> {
    return readersHiding(this.db, senderId, readers);
  }

  /** `lines` without those whose senders `readerId` muted or blocked. */
  async visibleTo(readerId: string, lines: ChatLine[]): Promise<ChatLine[]> {
    const others = [...new Set(lines.map((l) => l.playerId).filter((id) => id !== readerId))];
    const hidden = await sendersHidden(this.db, readerId, others);
    return hidden.size === 0 ? lines : lines.filter((l) => !hidden.has(l.playerId));
  }
}

/**
 * A node's chat: the limit counted in `redis` (else memory), the lobby relayed through it (else this node
 * only), settings from `config.chat`. Call `lobby.start()` once the node is up and `lobby.close()` at stop.
 */
export function createChatService(deps: {
  config: Pick<Config, "chat" | "redis">;
  db: Db;
  redis?: Redis;
  log: Logger;
  audit?: AuditSink;
}): ChatService {
  const { config, db, redis, log } = deps;
  const limit = createChatLimit({ perMin: config.chat.perMin, redis, log });
  const target = config.redis;
  const lobby = createLobbyRelay({
    db,
    keep: Math.max(100, config.chat.historySize * 2),
    log,
    redis: redis && target ? { target, commands: redis } : undefined,
  });
  return new ChatService({ db, limit, lobby, settings: config.chat, audit: deps.audit });
}
