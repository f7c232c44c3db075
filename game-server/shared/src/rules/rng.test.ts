import { describe, expect, it } from "vitest";
import { createRng } from "./rng.ts";

describe("createRng", () => {
  it("repeats the same sequence for the same seed and differs across seeds", () => {
    const a = createRng("seed");
    const b = createRng("seed");
    const xs = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xs);
    const c = createRng("seed2");
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(xs);
    expect(createRng("").next()).toBe(createRng("").next());
  });

  it("gives floats in [0, 1) and fair-looking integers in [0, n)", () => {
    const rng = createRng("spread");
    const counts = [0, 0, 0, 0, 0, 0];
    let min = 1;
    let max = 0;
    for (let i = 0; i < 60_000; i++) {
      const x = rng.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      counts[rng.int(6)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(createRng("one").int(1)).toBe(0);
  });

  it("splits seeds that differ in one character roughly evenly on int(2)", () => {
    let ones = 0;
    for (let i = 0; i < 1000; i++) ones += createRng(`game-${i}`).int(2);
    expect(ones).toBeGreaterThan(430);
    expect(ones).toBeLessThan(570);
  });

  it("rejects a non-positive or fractional bound", () => {
    const rng = createRng("x");
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(-3)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });
});
