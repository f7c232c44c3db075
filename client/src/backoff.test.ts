import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";

describe("backoffDelay", () => {
  it("doubles from 0.5 s up to 8 s", () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it("jitters by ±25 % without exceeding 8 s", () => {
    expect(backoffDelay(0, () => 0)).toBe(375);
    expect(backoffDelay(0, () => 0.999)).toBe(625);
    expect(backoffDelay(20, () => 0.999)).toBe(8000);
  });
});
