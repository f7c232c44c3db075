import type { BotLevel } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { botThinkMs, MAX_THINK_MS, MIN_THINK_MS, type ThinkInput } from "./thinkTime.ts";

const base: ThinkInput = {
  legalMoves: 30,
  obvious: false,
  ply: 24,
  remainingMs: 180_000,
  incrementMs: 2_000,
  firstMoveLeftMs: null,
  level: "medium",
  random: 0.5,
  scale: 1,
};
const think = (over: Partial<ThinkInput>) => botThinkMs({ ...base, ...over });
const randoms = Array.from({ length: 21 }, (_, i) => i / 21);

describe("bot think time", () => {
  it("is human: a few seconds for a middle-game chess move at 3+2, never under the minimum, never over the maximum", () => {
    expect(think({})).toBeGreaterThan(3_000);
    expect(think({})).toBeLessThan(10_000);
    for (const random of randoms) {
      for (const legalMoves of [1, 2, 7, 30, 60]) {
        for (const remainingMs of [60_000, 180_000, 600_000, 3_600_000]) {
          const ms = think({ random, legalMoves, remainingMs });
          expect(ms).toBeGreaterThanOrEqual(MIN_THINK_MS);
          expect(ms).toBeLessThanOrEqual(MAX_THINK_MS);
        }
      }
    }
  });

  it("takes longer in complex positions than in simple ones, and least in obvious ones", () => {
    for (const random of randoms) {
      const simple = think({ random, legalMoves: 4 });
      const complex = think({ random, legalMoves: 40 });
      expect(complex).toBeGreaterThan(simple);
      expect(think({ random, obvious: true })).toBeLessThan(simple);
      expect(think({ random, legalMoves: 1 })).toBeLessThanOrEqual(2 * MIN_THINK_MS);
    }
  });

  it("plays the opening faster than the middle game", () => {
    expect(think({ ply: 2 })).toBeLessThan(think({ ply: 20 }));
  });

  it("follows the clock: less time left or no increment, less thought", () => {
    expect(think({ remainingMs: 30_000 })).toBeLessThan(think({ remainingMs: 120_000 }));
    expect(think({ incrementMs: 0 })).toBeLessThan(think({ incrementMs: 5_000 }));
  });

  it("never flags: at most a tenth of the time left (or of the first-move window)", () => {
    for (const random of randoms) {
      for (const remainingMs of [0, 500, 3_000, 9_000, 15_000]) {
        for (const level of ["easy", "medium", "hard"] as BotLevel[]) {
          expect(think({ random, remainingMs, level, incrementMs: 0 })).toBeLessThanOrEqual(remainingMs / 10);
        }
      }
      expect(think({ random, firstMoveLeftMs: 5_000 })).toBeLessThanOrEqual(500);
    }
  });

  it("scales with BOT_THINK_SCALE: 0 moves at once", () => {
    expect(think({ scale: 0 })).toBe(0);
    expect(think({ scale: 0.5 })).toBeCloseTo(think({}) / 2, -1);
  });
});
