/**
 * Chat's view model (no DOM): the lines of one channel in id order, without
 * duplicates and without the senders the player muted or blocked here, the
 * cursor for the lobby's polls, and what an error says to the player. The
 * panel (chatPanel.ts) draws it, always as text.
 */
import type { ChatLine } from "@tabula/shared/protocol";

/** Lines kept on screen per channel (older ones scroll away). */
export const CHAT_KEEP = 100;

/** The server's default cap (CHAT_MAX_CHARS); the server's check is the one that counts. */
export const CHAT_MAX_CHARS = 280;

export class ChatModel {
  private list: ChatLine[] = [];
  private readonly hidden = new Set<string>();

  get lines(): readonly ChatLine[] {
    return this.list;
  }

  /** The newest id held (the lobby's `after`), or null before any line. */
  get lastId(): string | null {
    return this.list.at(-1)?.id ?? null;
  }

  /** Replace everything with `lines` (a history answer). */
  reset(lines: readonly ChatLine[]): void {
    this.list = [];
    this.add(lines);
  }

  /** Add `lines` (live or polled): duplicates ignored, kept in id order, at most CHAT_KEEP. Returns how many were new. */
  add(lines: readonly ChatLine[]): number {
    let added = 0;
    for (const l of lines) {
      if (this.hidden.has(l.playerId) || this.list.some((x) => x.id === l.id)) continue;
      const id = BigInt(l.id);
      let i = this.list.length;
      while (i > 0 && BigInt(this.list[i - 1].id) > id) i--;
      this.list.splice(i, 0, l);
      added++;
    }
    if (this.list.length > CHAT_KEEP) this.list = this.list.slice(this.list.length - CHAT_KEEP);
    return added;
  }

  /** Stop showing `playerId`'s lines (muted or blocked here; the server stops sending them too). */
  hide(playerId: string): void {
    this.hidden.add(playerId);
    this.list = this.list.filter((l) => l.playerId !== playerId);
  }
}

/** What is wrong with `text` before sending it (null: send it). The server checks again, after cleaning. */
export function draftProblem(text: string, maxChars = CHAT_MAX_CHARS): string | null {
  const t = text.trim();
  if (t.length === 0) return "Type a message first.";
  const n = [...t].length;
  if (n > maxChars) return `Too long: ${n} characters, at most ${maxChars}.`;
  return null;
}

/** What a refusal (room `error` or HTTP error code) says to the player. */
export function chatErrorText(code: string, message: string, retryInS?: number): string {
  const wait = retryInS ?? Number(/try again in (\d+) s/.exec(message)?.[1] ?? Number.NaN);
  switch (code) {
    case "CHAT_RATE_LIMITED":
      return Number.isFinite(wait) ? `Too many messages: try again in ${wait} s.` : "Too many messages: wait a little.";
    case "CHAT_TOO_LONG":
      return `Message too long${/at most (\d+)/.test(message) ? ` (at most ${/at most (\d+)/.exec(message)?.[1]} characters)` : ""}.`;
    case "CHAT_EMPTY":
      return "Nothing to send: the message is empty.";
    case "UNAVAILABLE":
      return "Chat is unavailable right now: nothing was sent. Try again.";
    default:
      return message || code;
  }
}

/** "12:04" for a line's time, in the page's time zone. */
export function chatTime(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}
