import { CLOSE_CODES } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { backoffDelay, rejoinDelay, silentRejoinDelay } from "./backoff.ts";

const mid = () => 0.5; // no jitter

describe("backoffDelay", () => {
  it("doubles from 0.5 s up to 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it("jitters by ±25 % without exceeding 8 s", () => {
    expect(backoffDelay(0, () => 0)).toBe(375);
    expect(backoffDelay(0, () => 0.999)).toBe(625);
    expect(backoffDelay(20, () => 0.999)).toBe(8000);
  });
  it("takes another cap", () => {
    expect([0, 1, 2, 3, 4, 9].map((a) => backoffDelay(a, mid, 4000))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(backoffDelay(20, () => 0.999, 4000)).toBe(4000);
    expect(backoffDelay(20, () => 0, 4000)).toBe(3000);
  });
});

describe("rejoinDelay", () => {
  it("goes at once (within 0.25 s), then doubles from 1 s up to 4 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => rejoinDelay(a, 1006, mid))).toEqual([125, 1000, 2000, 4000, 4000, 4000, 4000]);
    expect([0, 1, 2].map((a) => rejoinDelay(a, null, mid))).toEqual([125, 1000, 2000]);
  });
  it("rejoins at once when the server moved the game (close 4100), then backs off as usual", () => {
    expect(CLOSE_CODES.GAME_MOVED).toBe(4100);
    expect(rejoinDelay(0, CLOSE_CODES.GAME_MOVED, mid)).toBe(0);
    expect(rejoinDelay(1, CLOSE_CODES.GAME_MOVED, mid)).toBe(1000);
    expect(rejoinDelay(3, CLOSE_CODES.GAME_MOVED, mid)).toBe(4000);
  });
  it("jitters: the first within [0, 0.25 s], later ones like backoffDelay, up to 4 s", () => {
    expect(rejoinDelay(0, 1006, () => 0)).toBe(0);
    expect(rejoinDelay(0, 1006, () => 0.999)).toBe(250);
    expect(rejoinDelay(1, 1006, () => 0)).toBe(750);
    expect(rejoinDelay(30, 4003, () => 0.999)).toBe(4000);
  });
});

describe("silentRejoinDelay", () => {
  it("goes at once, then every 375–500 ms without doubling (the new owner appears within the lease)", () => {
    expect(silentRejoinDelay(0, () => 0.99)).toBe(0);
    for (const attempt of [1, 2, 5, 20]) {
      expect(silentRejoinDelay(attempt, () => 0)).toBe(375);
      expect(silentRejoinDelay(attempt, () => 0.5)).toBe(500);
      expect(silentRejoinDelay(attempt, () => 0.999)).toBeLessThanOrEqual(500);
    }
  });
});
