/**
 * Chat's view model (no DOM): the lines of one channel in id order, without
 * duplicates and without the senders the player muted or blocked here, the
 * cursor for the lobby's polls, and what an error says to the player. The
 * panel (chatPanel.ts) draws it, always as text.
 */
import type { ChatLine } from "@tabula/shared/protocol";
import { codeText } from "./errorCodes.ts";
import { currentLanguage, t } from "./i18n/index.ts";

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
  const trimmed = text.trim();
  if (trimmed.length === 0) return t("chat:typeFirst");
  const n = [...trimmed].length;
  if (n > maxChars) return t("chat:tooLongDraft", { n, max: maxChars });
  return null;
}

/**
 * What a refusal (room `error` or HTTP error code) says to the player, in the current language. The
 * server's English `message` is never shown: only the numbers in it are used when the code's fields lack
 * them (the wait of an HTTP CHAT_RATE_LIMITED without `retryAfterS`, the limit of CHAT_TOO_LONG).
 */
export function chatErrorText(code: string, message: string, retryInS?: number): string {
  const wait = retryInS ?? Number(/try again in (\d+) s/.exec(message)?.[1] ?? Number.NaN);
  switch (code) {
    case "CHAT_RATE_LIMITED":
      return Number.isFinite(wait) ? t("chat:rateLimited", { n: wait }) : t("chat:rateLimitedNoWait");
    case "CHAT_TOO_LONG": {
      const max = /at most (\d+)/.exec(message)?.[1];
      return max ? t("chat:tooLongMax", { max: Number(max) }) : t("chat:tooLong");
    }
    case "CHAT_EMPTY":
      return t("chat:empty");
    case "UNAVAILABLE":
      return t("chat:unavailable");
    default:
      return codeText(code || "INTERNAL");
  }
}

/** "12:04" for a line's time, in the page's time zone and the current language's convention. */
export function chatTime(at: number): string {
  return new Date(at).toLocaleTimeString(currentLanguage(), { hour: "2-digit", minute: "2-digit", hour12: false });
}
