import { describe, expect, it } from "vitest";
import { bucketDelta, type FigureSample, mergeFigures, quantileMs } from "./figuresMerge.ts";

const BOUNDS = [0.001, 0.01, 0.1];
const sample = (at: number, moves: number, commit: number[], players = 0): FigureSample => ({
  at,
  spanMs: 1000,
  moves,
  commit,
  pairing: [0, 0, 0, 0],
  games: 1,
  players,
  spectators: 0,
});
const opts = { slotMs: 1000, windowMs: 10_000, now: 20_500, commitBounds: BOUNDS, pairingBounds: BOUNDS };

describe("quantileMs", () => {
  it("interpolates inside the bucket as Prometheus' histogram_quantile does", () => {
    // 10 observations ≤ 1 ms, 10 more ≤ 10 ms: the median is the top of the first bucket, p75 half-way up the second.
    expect(quantileMs(BOUNDS, [10, 20, 20, 20], 0.5)).toBe(1);
    expect(quantileMs(BOUNDS, [10, 20, 20, 20], 0.75)).toBe(5.5);
    expect(quantileMs(BOUNDS, [0, 0, 0, 4], 0.5)).toBe(100); // all past the last bound: the last bound
    expect(quantileMs(BOUNDS, [0, 0, 0, 0], 0.5)).toBeNull();
  });

  it("bucketDelta is the growth since the earlier reading (a first reading is its own delta)", () => {
    expect(bucketDelta([3, 5, 9], [1, 5, 4])).toEqual([2, 0, 5]);
    expect(bucketDelta([3, 5], undefined)).toEqual([3, 5]);
  });
});

describe("mergeFigures", () => {
  it("sums nodes per slot, leaves out the slot still filling and what is older than the window", () => {
    const n1 = [sample(5_000, 99, [1, 1, 1, 1]), sample(18_200, 10, [10, 10, 10, 10], 2), sample(20_100, 7, [1, 1, 1, 1])];
    const n2 = [sample(18_900, 30, [0, 0, 30, 30], 4)];
    const points = mergeFigures([n1, n2], opts);
    expect(points).toEqual([
      expect.objectContaining({ at: 18_000, nodes: 2, movesPerS: 40, games: 2, players: 6, commitP50Ms: expect.any(Number) }),
    ]);
    // 40 commits: 10 ≤ 1 ms, 30 in (10, 100] ms: the cluster median is in the slow bucket.
    expect(points[0].commitP50Ms).toBeGreaterThan(10);
  });
});
