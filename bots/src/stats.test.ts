import { describe, expect, it } from "vitest";
import { addCounts, concatSamples, LiveHistogram, percentileSorted, Samples, sortedCounts, summarize, totalOf } from "./stats.ts";

describe("percentileSorted (nearest rank)", () => {
  const oneToHundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it("gives the smallest value with at least p % of the samples at or below it", () => {
    expect(percentileSorted(oneToHundred, 50)).toBe(50);
    expect(percentileSorted(oneToHundred, 95)).toBe(95);
    expect(percentileSorted(oneToHundred, 99)).toBe(99);
    expect(percentileSorted(oneToHundred, 100)).toBe(100);
    expect(percentileSorted(oneToHundred, 0)).toBe(1);
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2);
    expect(percentileSorted([1, 2, 3, 4], 51)).toBe(3);
  });

  it("handles tiny and empty inputs", () => {
    expect(percentileSorted([], 50)).toBeNull();
    expect(percentileSorted([7], 1)).toBe(7);
    expect(percentileSorted([7], 99)).toBe(7);
  });
});

describe("summarize", () => {
  it("sorts a copy and reports count, p50/p95/p99, max and mean", () => {
    const values = [5, 1, 4, 2, 3];
    expect(summarize(values)).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5, mean: 3 });
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });

  it("sorts numerically, not as strings", () => {
    expect(summarize([10, 9, 100, 2]).p50).toBe(9);
  });

  it("is all nulls when empty", () => {
    expect(summarize([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null, mean: null });
  });

  it("rounds to 0.01 ms", () => {
    expect(summarize([1.23456]).p50).toBe(1.23);
  });

  it("copes with a million samples quickly", () => {
    const s = new Samples();
    for (let i = 1_000_000; i > 0; i--) s.push(i / 1000);
    const t0 = performance.now();
    const r = summarize(s.slice());
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ count: 1_000_000, p50: 500, p99: 990, max: 1000 });
  });
});

describe("Samples", () => {
  it("grows, skips non-finite values and slices from an offset", () => {
    const s = new Samples(16);
    for (let i = 0; i < 100; i++) s.push(i);
    s.push(Number.NaN);
    s.push(Number.POSITIVE_INFINITY);
    expect(s.length).toBe(100);
    expect(Array.from(s.slice(97))).toEqual([97, 98, 99]);
    expect(s.slice().length).toBe(100);
    s.pushAll([1, 2]);
    expect(s.length).toBe(102);
  });

  it("concatenates several arrays (workers)", () => {
    expect(Array.from(concatSamples([Float64Array.of(1, 2), new Float64Array(0), Float64Array.of(3)]))).toEqual([1, 2, 3]);
  });
});

describe("LiveHistogram", () => {
  it("is within about 1 % of the exact percentiles", () => {
    const h = new LiveHistogram();
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const v = 0.5 + (x / 2147483648) * 200; // 0.5 .. 200.5 ms
      values.push(v);
      h.record(v);
    }
    const exact = summarize(values);
    for (const [p, e] of [
      [50, exact.p50],
      [95, exact.p95],
      [99, exact.p99],
    ] as const) {
      const approx = h.percentile(p)!;
      expect(Math.abs(approx - e!) / e!, `p${p}`).toBeLessThan(0.011);
    }
    expect(h.count).toBe(20_000);
    expect(h.percentile(100)).toBeCloseTo(exact.max!, 1);
  });

  it("handles empty, zero and tiny values", () => {
    const h = new LiveHistogram();
    expect(h.percentile(50)).toBeNull();
    h.record(0);
    h.record(0.001);
    h.record(-1); // ignored
    expect(h.count).toBe(2);
    expect(h.percentile(99)).toBeLessThanOrEqual(0.01 * 1.01);
  });
});

describe("count maps", () => {
  it("adds, totals and sorts", () => {
    const into = { a: 1 };
    addCounts(into, { a: 2, b: 5 });
    expect(into).toEqual({ a: 3, b: 5 });
    expect(totalOf(into)).toBe(8);
    expect(Object.keys(sortedCounts({ x: 1, y: 3, a: 1 }))).toEqual(["y", "a", "x"]);
  });
});
