/**
 * The printed results of `npm run bench:load` (pure): the built client's
 * files with their raw, gzip and brotli sizes and what loads them, and the
 * cold loads' times per way in.
 */
import { fmt } from "./table.ts";

/** Who fetches a built file: the lobby page at once, a lazy chunk later, the operator page, or nobody named. */
export type AssetRole = "lobby" | "lazy" | "admin" | "other";

export interface AssetSizes {
  /** Path under client/dist, e.g. "assets/main-AbC1.js". */
  file: string;
  role: AssetRole;
  raw: number;
  /** Bytes of the .gz / .br beside it; null when the build made none (under 1 KB). */
  gzip: number | null;
  br: number | null;
}

/** The files index.html loads at once (its script, module preloads and stylesheets) and the lazy chunks it names. */
export function pageAssets(html: string): { lobby: string[]; lazy: string[] } {
  const lobby = [...html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const meta = /<meta name="tabula-lazy-chunks" content="([^"]*)"/.exec(html)?.[1] ?? "";
  const lazy = meta
    .split(/\s+/)
    .filter(Boolean)
    .map((p) => p.replace(/^\//, ""));
  return { lobby, lazy };
}

/** Percentile `q` (0–1) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const kb = (b: number | null) => (b === null ? "—" : fmt(b / 1000, 1));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The asset table, lobby files first, with the lobby's JavaScript and CSS totals. */
export function formatAssets(assets: readonly AssetSizes[]): string {
  const order: AssetRole[] = ["lobby", "lazy", "admin", "other"];
  const sorted = [...assets].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || b.raw - a.raw);
  const rows = sorted.map((a) => [a.file, a.role, kb(a.raw), kb(a.gzip), kb(a.br)]);
  const lobbyJs = assets.filter((a) => a.role === "lobby" && a.file.endsWith(".js"));
  const sum = (f: (a: AssetSizes) => number | null) => lobbyJs.reduce((n, a) => n + (f(a) ?? a.raw), 0);
  rows.push(["lobby JavaScript, total", "", kb(sum((a) => a.raw)), kb(sum((a) => a.gzip)), kb(sum((a) => a.br))]);
  return table(["file", "loaded by", "raw KB", "gzip KB", "br KB"], rows);
}

/** One way in (nginx or the node), its cold loads' figures in ms from navigation start. */
export interface LoadSeries {
  via: string;
  usableMs: number[];
  namedMs: number[];
  domContentLoadedMs: number[];
  /** JavaScript fetched before the lobby was usable, bytes on the wire (one figure per load). */
  jsBytes: number[];
}

/** The cold-load table: p50, p95, min and max of each figure, per way in. */
export function formatLoads(series: readonly LoadSeries[]): string {
  const stats = (v: number[]) => `${fmt(percentile(v, 0.5))} / ${fmt(percentile(v, 0.95))}`;
  const range = (v: number[]) => `${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`;
  return table(
    ["via", "loads", "usable p50 / p95", "min–max", "name shown p50 / p95", "DOMContentLoaded p50", "JS before usable KB"],
    series.map((s) => [
      s.via,
      String(s.usableMs.length),
      stats(s.usableMs),
      range(s.usableMs),
      stats(s.namedMs),
      fmt(percentile(s.domContentLoadedMs, 0.5)),
      kb(percentile(s.jsBytes, 0.5)),
    ]),
  );
}
