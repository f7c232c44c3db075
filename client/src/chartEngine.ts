/**
 * The entry of the lazily loaded Chart.js chunk (lazyChunks.ts
 * `loadChartEngine`): Chart.js with only the pieces the profile's rating
 * chart uses registered. Nothing in the lobby imports this file statically.
 */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export { Chart };
