import type { ChatLine } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { CHAT_KEEP, ChatModel, chatErrorText, draftProblem } from "./chat.ts";

const line = (id: number, playerId = "p1", text = `m${id}`): ChatLine => ({
  id: String(id),
  channel: "lobby",
  playerId,
  name: playerId.toUpperCase(),
  text,
  at: 0,
});

describe("ChatModel", () => {
  it("keeps lines in id order without duplicates, and says which id is newest", () => {
    const m = new ChatModel();
    expect(m.lastId).toBeNull();
    expect(m.add([line(3), line(1)])).toBe(2);
    expect(m.add([line(2), line(3), line(10)])).toBe(2);
    expect(m.lines.map((l) => l.id)).toEqual(["1", "2", "3", "10"]); // numeric order, not string order
    expect(m.lastId).toBe("10");
  });
  it("a history replaces what was there", () => {
    const m = new ChatModel();
    m.add([line(1), line(2)]);
    m.reset([line(5)]);
    expect(m.lines.map((l) => l.id)).toEqual(["5"]);
  });
  it("keeps at most CHAT_KEEP lines, the newest", () => {
    const m = new ChatModel();
    m.add(Array.from({ length: CHAT_KEEP + 5 }, (_, i) => line(i + 1)));
    expect(m.lines).toHaveLength(CHAT_KEEP);
    expect(m.lines[0].id).toBe("6");
  });
  it("hides a muted sender's lines, now and later", () => {
    const m = new ChatModel();
    m.add([line(1, "a"), line(2, "b")]);
    m.hide("a");
    expect(m.lines.map((l) => l.playerId)).toEqual(["b"]);
    expect(m.add([line(3, "a")])).toBe(0);
    expect(m.lines.map((l) => l.id)).toEqual(["2"]);
  });
  it("keeps the text exactly as sent (drawing it as text is the panel's job)", () => {
    const m = new ChatModel();
    m.add([line(1, "a", "<img src=x onerror=alert(1)>")]);
    expect(m.lines[0].text).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("chat texts", () => {
  it("a draft: empty and too long are caught before sending", () => {
    expect(draftProblem("  ")).toMatch(/Type a message/);
    expect(draftProblem("x".repeat(281))).toMatch(/Too long: 281 characters, at most 280/);
    expect(draftProblem("😀".repeat(280))).toBeNull();
    expect(draftProblem("hi")).toBeNull();
  });
  it("refusals say what to do: the wait for the rate limit, from retryInS or the message", () => {
    expect(chatErrorText("CHAT_RATE_LIMITED", "x", 12)).toBe("Too many messages: try again in 12 s.");
    expect(chatErrorText("CHAT_RATE_LIMITED", "too many chat messages: try again in 7 s")).toBe(
      "Too many messages: try again in 7 s.",
    );
    expect(chatErrorText("CHAT_TOO_LONG", "message too long: 300 characters, at most 280")).toBe(
      "Message too long (at most 280 characters).",
    );
    expect(chatErrorText("CHAT_EMPTY", "empty")).toMatch(/empty/);
    expect(chatErrorText("BAD_MESSAGE", "invalid chat: text")).toBe("The server did not understand that request.");
  });
});
