import { afterEach, describe, expect, it } from "vitest";
import { ago, describeResult, GAME_NAMES, moveListText, moveRows, SEAT_NAMES, shortResult, timeControlLabel } from "./format.ts";
import { setLanguage } from "./i18n/index.ts";

const moves = ["e4", "e5", "Nf3"].map((san, ply) => ({ ply, san }));

describe("moveRows", () => {
  it("pairs moves into numbered rows", () => {
    expect(moveRows(moves)).toEqual([
      { number: 1, first: { ply: 0, san: "e4" }, second: { ply: 1, san: "e5" } },
      { number: 2, first: { ply: 2, san: "Nf3" }, second: null },
    ]);
    expect(moveListText(moves)).toBe("1. e4 e5 2. Nf3");
    expect(moveRows([])).toEqual([]);
  });
});

describe("timeControlLabel", () => {
  it("reads naturally", () => {
    expect(timeControlLabel({ initialSeconds: 180, incrementSeconds: 2 })).toBe("3 min + 2 s");
    expect(timeControlLabel({ initialSeconds: 600, incrementSeconds: 0 })).toBe("10 min");
    expect(timeControlLabel({ initialSeconds: 30, incrementSeconds: 5 })).toBe("30 s + 5 s");
  });
});

describe("describeResult", () => {
  const ctx = { kind: "chess" as const, names: ["alice", "bob"] as const };
  it("speaks to the player", () => {
    expect(describeResult({ winner: 0, reason: "checkmate" }, { ...ctx, you: 0 })).toMatchObject({
      title: "You won!",
      outcome: "win",
    });
    const lost = describeResult({ winner: 0, reason: "resign" }, { ...ctx, you: 1 });
    expect(lost).toMatchObject({ title: "You lost", outcome: "loss", detail: "You resigned." });
    expect(describeResult({ winner: 1, reason: "timeout" }, { ...ctx, you: 1 }).detail).toBe("alice (White) ran out of time.");
  });
  it("speaks to spectators", () => {
    expect(describeResult({ winner: 1, reason: "abandon" }, { ...ctx, you: null })).toMatchObject({
      title: "bob wins",
      detail: "alice (White) left the game and did not come back in time.",
    });
    expect(
      describeResult({ winner: 0, reason: "connect-four" }, { kind: "connect4", names: ["Alice", "Bob"], you: null }),
    ).toEqual({ title: "Alice wins", detail: "Alice (Red) connected four in a row.", outcome: "win" });
    expect(describeResult({ winner: null, reason: "agreement" }, { ...ctx, you: null }).title).toBe("Draw");
  });
  it("covers draws and aborts", () => {
    expect(describeResult({ winner: null, reason: "agreement" }, { ...ctx, you: 0 }).title).toBe("Draw");
    expect(describeResult({ winner: null, reason: "stalemate" }, { ...ctx, you: 0 }).detail).toMatch(/Stalemate/);
    expect(describeResult({ winner: null, reason: "aborted" }, { ...ctx, you: 0 }).outcome).toBe("aborted");
    expect(
      describeResult({ winner: null, reason: "board-full" }, { kind: "connect4", names: ["a", "b"], you: 1 }).detail,
    ).toMatch(/full/);
  });
  it("has words for every reason", () => {
    const reasons = [
      "connect-four",
      "board-full",
      "checkmate",
      "stalemate",
      "threefold-repetition",
      "fifty-move-rule",
      "insufficient-material",
      "timeout",
      "timeout-vs-insufficient-material",
      "resign",
      "abandon",
      "agreement",
      "aborted",
    ] as const;
    for (const reason of reasons) {
      const r = describeResult(
        { winner: reason.includes("timeout-vs") || reason === "agreement" ? null : 0, reason },
        { ...ctx, you: 0 },
      );
      expect(r.detail.length).toBeGreaterThan(3);
    }
  });
});

describe("shortResult", () => {
  it("summarises for lists", () => {
    expect(shortResult({ winner: 0, reason: "connect-four" }, 0, "finished")).toBe("Won · four in a row");
    expect(shortResult(null, 0, "active")).toBe("In progress");
    expect(shortResult({ winner: null, reason: "aborted" }, 1, "aborted")).toBe("Aborted");
  });
});

describe("format in French", () => {
  afterEach(() => setLanguage("en"));

  it("names games, seats, time controls, results and times in French, following the language switch", async () => {
    await setLanguage("fr");
    expect(GAME_NAMES.connect4).toBe("Puissance 4");
    expect(SEAT_NAMES.chess).toEqual(["Blancs", "Noirs"]);
    expect(timeControlLabel({ initialSeconds: 90, incrementSeconds: 2 })).toBe("1,5 min + 2 s");
    const ctx = { kind: "chess" as const, names: ["alice", "bob"] as const, you: 0 as const };
    expect(describeResult({ winner: 0, reason: "checkmate" }, ctx)).toMatchObject({
      title: "Vous avez gagné\u202f!",
      detail: "Vous avez fait échec et mat.",
    });
    expect(describeResult({ winner: 0, reason: "resign" }, { ...ctx, you: null }).detail).toBe("bob (Noirs) a abandonné.");
    expect(shortResult({ winner: null, reason: "agreement" }, 0, "finished")).toBe("Nulle · accord mutuel");
    expect(ago(120_000)).toBe("il y a 2 minutes");
    await setLanguage("en");
    expect(GAME_NAMES.connect4).toBe("Connect Four");
    expect(ago(120_000)).toBe("2 minutes ago");
  });
});
