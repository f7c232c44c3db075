/**
 * The chart of docs/benchmarks.md: throughput (moves/s) and move round trip
 * p99 (ms) against concurrency (players), one line per system, as a small
 * self-contained SVG (two panels, axes, ticks, legend; no script, no fonts
 * to load). Pure: the same results always give the same text.
 */
import { isFailure, type RunResult } from "./summary.ts";

export interface Point {
  players: number;
  movesPerSec: number;
  p99: number | null;
}

export interface Series {
  id: string;
  label: string;
  points: Point[];
}

/** A linear map from [d0, d1] onto [r0, r1]. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** A log10 map from [d0, d1] (both > 0) onto [r0, r1]; values at or below 0 land on d0. */
export function logScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (v) => r0 + ((Math.log10(Math.max(v, d0)) - l0) / span) * (r1 - r0);
}

/** The decades (1, 10, 100…) from the one at or below `lo` to the one at or above `hi` (both > 0). */
export function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) out.push(10 ** k);
  return out.length > 1 ? out : [out[0]!, out[0]! * 10];
}

/** The smallest 1, 2 or 5 × 10^k at or above `v` (an axis maximum; 1 for v ≤ 0). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** The runs that succeeded, as one series per system (in the order systems first appear), points by players. */
export function seriesOf(results: readonly RunResult[]): Series[] {
  const out = new Map<string, Series>();
  for (const r of results) {
    if (isFailure(r)) continue;
    let s = out.get(r.system);
    if (!s) {
      s = { id: r.system, label: r.label, points: [] };
      out.set(r.system, s);
    }
    s.points.push({ players: r.players, movesPerSec: r.movesPerSec, p99: r.rtt.p99 });
  }
  for (const s of out.values()) s.points.sort((a, b) => a.players - b.players);
  return [...out.values()];
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export const PANEL = { width: 420, height: 300, left: 64, right: 16, top: 36, bottom: 44 };

interface Panel {
  title: string;
  yLabel: string;
  y: (p: Point) => number | null;
  /** Log scale (decades) instead of linear from 0: for round trips, which span 1 ms to seconds. */
  log?: boolean;
  /** A dashed horizontal line at this value, labelled (a target). */
  mark?: { value: number; label: string };
}

/** One panel at horizontal offset `x0`: frame, ticks, one polyline per series. */
function panel(series: readonly Series[], p: Panel, x0: number, xMax: number): string {
  const { width, height, left, right, top, bottom } = PANEL;
  const values = series.flatMap((s) => s.points.map(p.y).filter((v): v is number => v !== null));
  if (p.mark) values.push(p.mark.value);
  const positive = values.filter((v) => v > 0);
  const ticks = p.log
    ? decades(positive.length ? Math.min(...positive) : 1, positive.length ? Math.max(...positive) : 10)
    : [0, 1, 2, 3, 4].map((i) => (niceMax(Math.max(0, ...values)) * i) / 4);
  const [yMin, yMax] = [ticks[0]!, ticks.at(-1)!];
  const sx = scale(0, xMax, x0 + left, x0 + width - right);
  const sy = (p.log ? logScale : scale)(yMin, yMax, height - bottom, top);
  const parts: string[] = [
    `<text x="${x0 + width / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`,
    `<line x1="${sx(0)}" y1="${sy(yMin)}" x2="${sx(xMax)}" y2="${sy(yMin)}" stroke="#333"/>`,
    `<line x1="${sx(0)}" y1="${sy(yMin)}" x2="${sx(0)}" y2="${sy(yMax)}" stroke="#333"/>`,
    `<text x="${(sx(0) + sx(xMax)) / 2}" y="${height - 8}" text-anchor="middle">players</text>`,
    `<text transform="translate(${x0 + 14} ${(sy(yMin) + sy(yMax)) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`,
  ];
  if (p.mark) {
    const y = sy(p.mark.value).toFixed(1);
    parts.push(
      `<line x1="${sx(0)}" y1="${y}" x2="${sx(xMax)}" y2="${y}" stroke="#888" stroke-dasharray="6 4"/>`,
      `<text x="${sx(xMax) - 4}" y="${Number(y) - 4}" text-anchor="end" fill="#666">${esc(p.mark.label)}</text>`,
    );
  }
  for (const v of ticks) {
    const y = sy(v).toFixed(1);
    parts.push(
      `<line x1="${sx(0)}" y1="${y}" x2="${sx(xMax)}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${sx(0) - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${v.toLocaleString("en-US")}</text>`,
    );
  }
  const xs = [...new Set(series.flatMap((s) => s.points.map((pt) => pt.players)))];
  for (const x of xs) parts.push(`<text x="${sx(x).toFixed(1)}" y="${sy(yMin) + 16}" text-anchor="middle">${x}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.flatMap((pt) => {
      const v = p.y(pt);
      return v === null ? [] : [[sx(pt.players), sy(v)] as const];
    });
    if (!pts.length) return;
    const d = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    parts.push(`<polyline data-series="${esc(s.id)}" points="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of pts) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
  });
  return parts.join("\n");
}

/** The whole SVG: throughput and p99 panels side by side, a legend below, `caption` under it. */
export function renderChart(series: readonly Series[], caption = ""): string {
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.players)));
  const legendY = PANEL.height + 10;
  const width = PANEL.width * 2;
  const height = legendY + 20 * Math.ceil(series.length / 3) + (caption ? 24 : 8);
  const legend = series.map((s, i) => {
    const x = 20 + (i % 3) * 270;
    const y = legendY + 20 * Math.floor(i / 3);
    return `<rect x="${x}" y="${y}" width="14" height="4" fill="${COLORS[i % COLORS.length]}"/><text x="${x + 20}" y="${y + 5}">${esc(s.label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>Moves per second and move round trip p99 against players, per system${caption ? ` (${esc(caption)})` : ""}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    panel(series, { title: "Throughput", yLabel: "acknowledged moves/s", y: (p) => p.movesPerSec }, 0, xMax),
    panel(
      series,
      {
        title: "Move round trip p99",
        yLabel: "ms (log scale)",
        y: (p) => p.p99,
        log: true,
        mark: { value: 50, label: "target 50 ms" },
      },
      PANEL.width,
      xMax,
    ),
    ...legend,
    caption ? `<text x="20" y="${height - 8}" fill="#555">${esc(caption)}</text>` : "",
    "</svg>",
    "",
  ].join("\n");
}
