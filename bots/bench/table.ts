/** The printed results of `npm run bench`: one row per system and level, then the ratios (pure). */
import { isFailure, type Ratio, type RunResult } from "./summary.ts";

export const COLUMNS = [
  "system",
  "players",
  "moves/s",
  "rtt p50",
  "p95",
  "p99 ms",
  "errors",
  "rows",
  "cpu ms/move node",
  "db",
  "driver",
  "other",
  "KB/conn",
] as const;

/** A number for the table: thousands separated, `digits` decimals; "—" for null/undefined. */
export function fmt(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The cells of one result's row. Other groups (redis…) are summed into "other", named in a footnote. */
export function rowCells(r: RunResult): string[] {
  if (isFailure(r)) return [r.system, String(r.players), `failed: ${r.failed}`];
  const others = Object.entries(r.cpuMsPerMove).filter(([g]) => !["server", "database", "driver"].includes(g));
  const other = others.length ? others.reduce((s, [, v]) => s + (v ?? 0), 0) : null;
  return [
    r.system,
    String(r.players),
    fmt(r.movesPerSec),
    fmt(r.rtt.p50, 1),
    fmt(r.rtt.p95, 1),
    fmt(r.rtt.p99, 1),
    fmt(r.errors),
    r.persisted ? fmt(r.rows) : "not kept",
    fmt(r.cpuMsPerMove.server, 3),
    r.persisted ? fmt(r.cpuMsPerMove.database, 3) : "—",
    fmt(r.cpuMsPerMove.driver, 3),
    fmt(other, 3),
    fmt(r.kbPerConnection, 1),
  ];
}

/** Left-align the first column, right-align the rest; a failed row's message runs on unaligned. */
export function formatTable(results: readonly RunResult[], unavailable: readonly { id: string; reason: string }[] = []): string {
  const rows = results.map(rowCells);
  const widths = COLUMNS.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => r.length === COLUMNS.length).map((r) => r[i]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells.length === COLUMNS.length
      ? cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
      : `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]!.padStart(widths[1]!)}  ${cells.slice(2).join(" ")}`;
  const out = [line(COLUMNS), widths.map((w) => "─".repeat(w)).join("  ")];
  let last = "";
  for (const [i, r] of rows.entries()) {
    if (last && results[i]!.system !== last) out.push("");
    last = results[i]!.system;
    out.push(line(r));
  }
  for (const u of unavailable) out.push(`${u.id.padEnd(widths[0]!)}  not available: ${u.reason}`);
  return out.join("\n");
}

/** "62 %" or "3.4×". */
export function formatRatio(r: Pick<Ratio, "value" | "unit">): string {
  return r.unit === "%" ? `${Math.round(r.value * 100)} %` : `${r.value.toFixed(1)}×`;
}

/** One line per ratio: level, comparison, value, target, whether it is met. */
export function formatRatios(list: readonly Ratio[]): string {
  if (!list.length) return "(no comparisons: a system of each pair did not run)";
  const w = Math.max(...list.map((r) => r.name.length));
  return list
    .map(
      (r) =>
        `${String(r.players).padStart(5)} players  ${r.name.padEnd(w)}  ${formatRatio(r).padStart(7)}  target ${r.target}  ${r.met ? "met" : "NOT met"}`,
    )
    .join("\n");
}
