import { describe, expect, it } from "vitest";
import { cleanChatText } from "./text.ts";

describe("cleanChatText", () => {
  it("keeps ordinary text, markup included (it is displayed as text, never as HTML)", () => {
    expect(cleanChatText("gg <b>wp</b> é ♞", 280)).toEqual({ ok: true, text: "gg <b>wp</b> é ♞" });
  });
  it("NFC-normalises: a decomposed é is stored composed", () => {
    expect(cleanChatText("e\u0301", 280)).toEqual({ ok: true, text: "\u00e9" });
  });
  it("removes C0/C1 controls, bidi overrides and isolates, zero-width and tag characters", () => {
    const raw = "a\u0000b\u0007c\n\td\u0085e\u202ef\u2066g\u2069h\u200bi\u200dj\ufeffk\u00adl\u{e0041}m\u200fn";
    expect(cleanChatText(raw, 280)).toEqual({ ok: true, text: "abcdefghijklmn" });
  });
  it("refuses what is empty once cleaned", () => {
    for (const raw of ["", "   ", "\u202e\u200b\u0000", "\n\t"])
      expect(cleanChatText(raw, 280)).toMatchObject({ ok: false, code: "CHAT_EMPTY" });
  });
  it("caps the length in code points after cleaning, refusing (never cutting) a longer one", () => {
    expect(cleanChatText("x".repeat(280), 280).ok).toBe(true);
    expect(cleanChatText("x".repeat(281), 280)).toMatchObject({ ok: false, code: "CHAT_TOO_LONG" });
    // An emoji is one code point (two UTF-16 units): 280 of them fit.
    expect(cleanChatText("😀".repeat(280), 280).ok).toBe(true);
    // Removed characters do not count.
    expect(cleanChatText(`${"x".repeat(280)}\u200b\u200b`, 280).ok).toBe(true);
  });
});
