import { describe, expect, it } from "vitest";
import { decades, logScale, niceMax, PANEL, renderChart, scale, seriesOf } from "./chart.ts";
import type { RunResult } from "./summary.ts";

describe("scale and niceMax", () => {
  it("maps a domain linearly onto a range, inverted ranges included", () => {
    const s = scale(0, 200, 64, 404);
    expect(s(0)).toBe(64);
    expect(s(100)).toBe(234);
    expect(s(200)).toBe(404);
    const y = scale(0, 5000, 256, 36);
    expect(y(0)).toBe(256);
    expect(y(5000)).toBe(36);
    expect(y(2500)).toBe(146);
  });

  it("maps decades evenly on a log scale, clamping what is not positive", () => {
    const s = logScale(1, 1000, 256, 36);
    expect(s(1)).toBe(256);
    expect(s(10)).toBeCloseTo(256 - 220 / 3, 9);
    expect(s(1000)).toBe(36);
    expect(s(0)).toBe(256);
    expect(decades(0.6, 35)).toEqual([0.1, 1, 10, 100]);
    expect(decades(10, 10)).toEqual([10, 100]);
  });

  it("rounds an axis maximum up to 1, 2 or 5 × 10^k", () => {
    expect([0, 0.3, 1, 7, 12, 4800, 5000, 5001, 21000].map(niceMax)).toEqual([1, 0.5, 1, 10, 20, 5000, 5000, 10000, 50000]);
  });
});

const r = (system: string, players: number, movesPerSec: number, p99: number | null): RunResult =>
  ({
    system,
    label: `${system} label`,
    players,
    persisted: false,
    movesPerSec,
    rtt: { p50: 1, p95: 1, p99, max: 1, mean: 1 },
  }) as RunResult;

describe("seriesOf", () => {
  it("one series per system, points ascending by players, failed runs left out", () => {
    const s = seriesOf([
      r("a", 100, 10, 5),
      r("b", 20, 3, 1),
      r("a", 20, 20, 2),
      { system: "a", label: "", players: 200, persisted: false, failed: "x" },
    ]);
    expect(s.map((x) => [x.id, x.points.map((p) => p.players)])).toEqual([
      ["a", [20, 100]],
      ["b", [20]],
    ]);
  });
});

describe("renderChart", () => {
  const svg = renderChart(
    seriesOf([r("colyseus", 100, 5000, 30), r("colyseus", 200, 4000, 50), r("tabula-1", 100, 2500, null)]),
    "2 cores <noisy>",
  );
  const polylines = [...svg.matchAll(/<polyline data-series="([^"]+)" points="([^"]+)"/g)].map((m) => ({
    id: m[1],
    points: m[2]!.split(" ").map((p) => p.split(",").map(Number)),
  }));

  it("draws each series in both panels, a point where it has a value", () => {
    expect(polylines.map((p) => p.id)).toEqual(["colyseus", "tabula-1", "colyseus"]); // tabula-1 has no p99
  });

  it("puts points where the scales say: x by players (0…max players), y by value (0…nice max)", () => {
    const { width, height, left, right, top, bottom } = PANEL;
    const x = scale(0, 200, left, width - right);
    const y = scale(0, 5000, height - bottom, top);
    expect(polylines[0]!.points).toEqual([
      [Number(x(100).toFixed(1)), Number(y(5000).toFixed(1))],
      [Number(x(200).toFixed(1)), Number(y(4000).toFixed(1))],
    ]);
    expect(polylines[1]!.points).toEqual([[Number(x(100).toFixed(1)), Number(y(2500).toFixed(1))]]);
    // The p99 panel is the right half: the same x scale shifted by one panel width, y on decades 10…100 (30, 50 and the 50 ms mark).
    const y99 = logScale(10, 100, height - bottom, top);
    expect(polylines[2]!.points).toEqual([
      [Number((x(100) + width).toFixed(1)), Number(y99(30).toFixed(1))],
      [Number((x(200) + width).toFixed(1)), Number(y99(50).toFixed(1))],
    ]);
    expect(svg).toContain("target 50 ms");
  });

  it("is a standalone SVG with escaped text", () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain("2 cores &lt;noisy&gt;");
    expect(svg).toContain("colyseus label");
    // Titled, for screen readers (and biome's a11y rule on the committed chart).
    expect(svg).toMatch(
      /^<svg [^>]*role="img">\n<title>Moves per second and move round trip p99 against players, per system \(.*&lt;noisy&gt;.*\)<\/title>/,
    );
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});
