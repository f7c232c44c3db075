/**
 * The operator page's line charts (Chart.js on canvas). Only the pieces used
 * are registered, so the bundle carries no other chart type. Chart.js draws
 * on the canvas and sizes it through the element's style properties (CSSOM),
 * which the page's Content-Security-Policy (no inline styles) allows: it
 * injects no <style> element. The x axis is a linear scale of epoch ms
 * labelled as clock times, so no date adapter is needed.
 */
import { Chart, type ChartDataset, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import type { FigurePoint } from "@tabula/shared/protocol";
import { clockText } from "./adminFormat.ts";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

type Series = { label: string; color: string; value: (p: FigurePoint) => number | null };

/** What each chart plots (the canvas ids in admin.html). */
export const CHARTS: Record<string, Series[]> = {
  "chart-moves": [{ label: "moves/s", color: "#4c7dff", value: (p) => p.movesPerS }],
  "chart-commit": [
    { label: "p50", color: "#3ecf8e", value: (p) => p.commitP50Ms },
    { label: "p99", color: "#f5c542", value: (p) => p.commitP99Ms },
  ],
  "chart-pairing": [
    { label: "p50", color: "#3ecf8e", value: (p) => p.pairingP50Ms },
    { label: "p99", color: "#f5c542", value: (p) => p.pairingP99Ms },
  ],
  "chart-connections": [
    { label: "players", color: "#4c7dff", value: (p) => p.players },
    { label: "spectators", color: "#e8484f", value: (p) => p.spectators },
  ],
};

type Point = { x: number; y: number | null };

const TEXT = "#8d9bb0";
const GRID = "rgba(141, 155, 176, 0.15)";

function makeChart(canvas: HTMLCanvasElement, series: Series[]): Chart<"line", Point[]> {
  const datasets: ChartDataset<"line", Point[]>[] = series.map((s) => ({
    label: s.label,
    data: [],
    borderColor: s.color,
    backgroundColor: s.color,
    borderWidth: 2,
    // Small dots: a latency measured in one interval only (between gaps) must still show.
    pointRadius: 1.5,
    pointHitRadius: 6,
    spanGaps: false,
    tension: 0.2,
  }));
  return new Chart<"line", Point[]>(canvas, {
    type: "line",
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: {
          type: "linear",
          ticks: { color: TEXT, maxTicksLimit: 6, maxRotation: 0, callback: (v) => clockText(Number(v)) },
          grid: { color: GRID },
        },
        y: { beginAtZero: true, ticks: { color: TEXT, maxTicksLimit: 5 }, grid: { color: GRID } },
      },
      plugins: {
        legend: { display: series.length > 1, labels: { color: TEXT, boxWidth: 12 } },
        tooltip: { callbacks: { title: (items) => (items[0] ? clockText(items[0].parsed.x ?? 0) : "") } },
      },
    },
  });
}

/** The page's charts, made on first use and updated in place. */
export class FigureCharts {
  private readonly charts = new Map<string, Chart<"line", Point[]>>();

  /** Plot `points` on every chart. Each canvas' `data-points` says how many points carry a value (tests, screen readers' labels). */
  update(points: FigurePoint[]): void {
    for (const [id, series] of Object.entries(CHARTS)) {
      const canvas = document.getElementById(id) as HTMLCanvasElement | null;
      if (!canvas) continue;
      let chart = this.charts.get(id);
      if (!chart) {
        chart = makeChart(canvas, series);
        this.charts.set(id, chart);
      }
      let withValue = 0;
      series.forEach((s, i) => {
        const data = points.map((p) => ({ x: p.at, y: s.value(p) }));
        withValue = Math.max(withValue, data.filter((d) => d.y !== null).length);
        const dataset = chart.data.datasets[i];
        if (dataset) dataset.data = data;
      });
      canvas.dataset.points = String(withValue);
      chart.update("none");
    }
  }

  destroy(): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
  }
}
