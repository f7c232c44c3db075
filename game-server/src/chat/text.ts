/**
 * What a chat message may contain: text only. Pure; used by every channel.
 *
 * The text is NFC-normalised, then characters that display nothing or change
 * how the text around them is laid out are REMOVED (not refused, so a pasted
 * line with a stray zero-width space still goes through):
 * - C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), newlines and
 *   tabs included: a message is one line;
 * - bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 *   U+2066–U+2069) and the marks U+200E, U+200F, U+061C: they can reverse the
 *   text that follows ("Trojan Source") or make one message look like two;
 * - zero-width and invisible characters (U+200B–U+200D, U+2060–U+2064, U+FEFF,
 *   U+00AD, U+180E, U+034F) and the Unicode "tag" characters (U+E0000–U+E007F).
 * What is left is trimmed; empty is refused (CHAT_EMPTY), longer than the cap
 * in code points is refused (CHAT_TOO_LONG) — never cut, so nobody's words
 * are silently changed. The result is stored as it is and always displayed
 * as text (the client sets textContent), never as HTML: markup is harmless
 * characters here and is left alone.
 */

/** Everything removed from a chat message (see the header). */
const STRIPPED =
  /\p{Cc}|[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|\u034f|[\u{e0000}-\u{e007f}]/gu;

export type CleanedText = { ok: true; text: string } | { ok: false; code: "CHAT_EMPTY" | "CHAT_TOO_LONG"; message: string };

/** `raw` made fit to store, or why it cannot be: at most `maxChars` code points once cleaned. */
export function cleanChatText(raw: string, maxChars: number): CleanedText {
  const text = raw.normalize("NFC").replace(STRIPPED, "").trim();
  if (text.length === 0) return { ok: false, code: "CHAT_EMPTY", message: "empty message" };
  const length = [...text].length;
  if (length > maxChars) {
    return { ok: false, code: "CHAT_TOO_LONG", message: `message too long: ${length} characters, at most ${maxChars}` };
  }
  return { ok: true, text };
}
