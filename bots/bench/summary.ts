/**
 * From a driver's raw result and the runner's /proc and database readings to
 * the figures of one row of the table (pure: unit-tested), and the ratios the
 * issue's targets name.
 */
import { summarize } from "../src/stats.ts";
import type { DriverResult } from "./types.ts";

export interface RunBase {
  system: string;
  label: string;
  players: number;
  persisted: boolean;
}

export interface RunFigures extends RunBase {
  failed?: undefined;
  /** Acknowledged moves per second of the measured window. */
  movesPerSec: number;
  moves: number;
  /** Games that ended in the window (null when the driver does not say). */
  games: number | null;
  errors: number;
  /** Round trip, ms (nearest-rank percentiles). */
  rtt: { p50: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null };
  /** Rows added to the move log during the window (counted in the database); null when not persisted. */
  rows: number | null;
  /** CPU per acknowledged move, ms, by group: server (nodes, nginx), database, driver, and others (redis…). */
  cpuMsPerMove: Record<string, number | null>;
  /** CPU of each group over the window, ms. */
  cpuMs: Record<string, number>;
  /** Server memory growth from before the driver started to the window's close, per connected player, KB. */
  kbPerConnection: number | null;
  connected: number;
  windowMs: number;
  /** "markers": the driver marked its window; "timed": the last durationMs before it exited. */
  window: "markers" | "timed";
}

export interface RunFailure extends RunBase {
  failed: string;
}

export type RunResult = RunFigures | RunFailure;

/** Whether `r` is a run that failed (no figures). */
export function isFailure(r: RunResult): r is RunFailure {
  return typeof r.failed === "string";
}

export interface Readings {
  windowMs: number;
  window: "markers" | "timed";
  cpuMs: Record<string, number>;
  rows: number | null;
  serverRssDeltaBytes: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** The figures of one run from the driver's result and the runner's readings. */
export function summarizeRun(base: RunBase, d: DriverResult, r: Readings): RunFigures {
  const s = summarize(d.rttMs);
  const cpuMsPerMove: Record<string, number | null> = {};
  for (const g of ["server", "database", "driver", ...Object.keys(r.cpuMs)]) {
    const ms = r.cpuMs[g];
    cpuMsPerMove[g] = ms === undefined || d.moves === 0 ? null : Math.round((ms / d.moves) * 1000) / 1000;
  }
  return {
    ...base,
    movesPerSec: r.windowMs > 0 ? Math.round((d.moves / r.windowMs) * 1000) : 0,
    moves: d.moves,
    games: d.games ?? null,
    errors: d.errors,
    rtt: { p50: s.p50, p95: s.p95, p99: s.p99, max: s.max, mean: s.mean },
    rows: base.persisted ? r.rows : null,
    cpuMsPerMove,
    cpuMs: Object.fromEntries(Object.entries(r.cpuMs).map(([k, v]) => [k, Math.round(v)])),
    kbPerConnection: d.connected > 0 ? r2(r.serverRssDeltaBytes / 1024 / d.connected) : null,
    connected: d.connected,
    windowMs: r.windowMs,
    window: r.window,
  };
}

export interface Ratio {
  players: number;
  /** What is compared, e.g. "tabula-1 / colyseus". */
  name: string;
  /** moves/s of the first over the second. */
  value: number;
  /** The target for it, as text (e.g. "≥ 60 %"). */
  target: string;
  /** How to print it. */
  unit: "%" | "×";
  met: boolean;
}

/** The comparisons the targets name, at each level where both sides ran. */
export const COMPARISONS: { a: string; b: string; unit: "%" | "×"; min: number; target: string }[] = [
  { a: "tabula-1", b: "colyseus", unit: "%", min: 0.6, target: "≥ 60 %" },
  { a: "tabula-1", b: "colyseus-rooms", unit: "%", min: 0.6, target: "≥ 60 %" },
  { a: "tabula-1", b: "bgio-memory", unit: "×", min: 2, target: "≥ 2×" },
  { a: "tabula-1", b: "bgio-postgres", unit: "×", min: 15, target: "≥ 15×" },
  { a: "tabula-2", b: "tabula-1", unit: "%", min: 1, target: "≥ 100 %" },
];

/** The ratios of moves/s for COMPARISONS, per level, where both runs succeeded with moves. */
export function ratios(results: readonly RunResult[]): Ratio[] {
  const ok = (id: string, players: number) =>
    results.find((r): r is RunFigures => r.system === id && r.players === players && !isFailure(r));
  const levels = [...new Set(results.map((r) => r.players))].sort((x, y) => x - y);
  const out: Ratio[] = [];
  for (const players of levels) {
    for (const c of COMPARISONS) {
      const a = ok(c.a, players);
      const b = ok(c.b, players);
      if (!a || !b || b.movesPerSec === 0) continue;
      const value = a.movesPerSec / b.movesPerSec;
      out.push({ players, name: `${c.a} / ${c.b}`, value, target: c.target, unit: c.unit, met: value >= c.min });
    }
  }
  return out;
}
