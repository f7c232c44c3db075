/**
 * The profile's rating-history chart: one line per pool (Chart.js on canvas,
 * only the pieces used registered, as the operator page does in
 * admin/charts.ts; fetched on the first chart, lazyChunks.ts). The x axis is a linear scale of epoch ms labelled as
 * dates, so no date adapter is needed; Chart.js sizes the canvas through
 * CSSOM style properties, which the page's Content-Security-Policy allows.
 */
import type { Chart, ChartDataset } from "chart.js";
import { loadChartEngine } from "./lazyChunks.ts";
import { currentLanguage } from "./i18n/index.ts";
import type { HistorySeries } from "./profileModel.ts";

const TEXT = "#8d9bb0";
const GRID = "rgba(141, 155, 176, 0.15)";

const DAY_MS = 86_400_000;

/** "3 Dec" (UTC, as the server's times), with the time of day when `withTime`. */
function dateText(ms: number, withTime = false): string {
  const d = new Date(ms);
  const locale = currentLanguage() === "en" ? "en-GB" : currentLanguage();
  const date = d.toLocaleDateString(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  return withTime ? `${date} ${d.toISOString().slice(11, 16)}` : date;
}

type Point = { x: number; y: number };

/** The chart on one canvas, replaced when another profile is shown. */
export class RatingChart {
  private chart: Chart<"line", Point[]> | null = null;
  private readonly canvas: HTMLCanvasElement;
  private shown = 0;
  /** Resolves once the last `show` has drawn (Chart.js is fetched on the first chart). */
  drawing: Promise<void> = Promise.resolve();

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
  }

  /** Draw `series` (nothing to draw: the chart is removed); `drawing` says when it is drawn. */
  show(series: HistorySeries[]): void {
    const n = ++this.shown;
    this.chart?.destroy();
    this.chart = null;
    if (series.length === 0) {
      this.drawing = Promise.resolve();
      return;
    }
    this.drawing = loadChartEngine().then(
      (engine) => {
        if (n === this.shown) this.draw(engine.Chart, series);
      },
      (err: unknown) => console.warn("the rating chart's code could not be fetched", err),
    );
  }

  private draw(Chart: typeof import("chart.js").Chart, series: HistorySeries[]): void {
    const xs = series.flatMap((s) => s.points.map((p) => p.x));
    // Games of a few days: the time of day tells the ticks apart; longer: whole days, one tick per day at most.
    const span = Math.max(...xs) - Math.min(...xs);
    const short = span < 3 * DAY_MS;
    const step = Math.ceil(span / DAY_MS / 5) * DAY_MS;
    // One game (or a few within the hour): half a day either side, else the scale would invent its own range.
    const alone = span < DAY_MS / 24 ? { min: Math.min(...xs) - DAY_MS / 2, max: Math.max(...xs) + DAY_MS / 2 } : {};
    const datasets: ChartDataset<"line", Point[]>[] = series.map((s) => ({
      label: s.label,
      data: s.points,
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: 2,
      pointRadius: s.points.length > 60 ? 0 : 2.5,
      pointHitRadius: 6,
      tension: 0.15,
    }));
    this.chart = new Chart<"line", Point[]>(this.canvas, {
      type: "line",
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: {
            type: "linear",
            ...alone,
            ticks: {
              color: TEXT,
              maxTicksLimit: 6,
              maxRotation: 0,
              stepSize: short ? undefined : step,
              callback: (v) => dateText(Number(v), short),
            },
            grid: { color: GRID },
          },
          y: { ticks: { color: TEXT, maxTicksLimit: 6 }, grid: { color: GRID } },
        },
        plugins: {
          legend: { display: series.length > 1, labels: { color: TEXT, boxWidth: 12 } },
          tooltip: { callbacks: { title: (items) => (items[0] ? dateText(items[0].parsed.x ?? 0, true) : "") } },
        },
      },
    });
  }

  /** Points drawn, per line (for the browser test: the chart is there and has data). */
  drawn(): number[] {
    return this.chart?.data.datasets.map((d) => d.data.length) ?? [];
  }
}
