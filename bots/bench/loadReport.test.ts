import { describe, expect, it } from "vitest";
import { formatAssets, formatLoads, pageAssets, percentile } from "./loadReport.ts";

describe("bench:load report", () => {
  it("tells the files a page loads at once from the lazy chunks it names", () => {
    const html = `<head>
      <meta name="tabula-lazy-chunks" content="/assets/colyseus-A.js /assets/engine-B.js">
      <script type="module" crossorigin src="/assets/main-C.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/poller-D.js">
      <link rel="stylesheet" crossorigin href="/assets/poller-E.css">
      <link rel="icon" href="data:image/svg+xml,x">
    </head>`;
    expect(pageAssets(html)).toEqual({
      lobby: ["assets/main-C.js", "assets/poller-D.js", "assets/poller-E.css"],
      lazy: ["assets/colyseus-A.js", "assets/engine-B.js"],
    });
    expect(pageAssets("<html></html>")).toEqual({ lobby: [], lazy: [] });
  });

  it("percentiles by nearest rank", () => {
    const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(percentile(v, 0.5)).toBe(5);
    expect(percentile(v, 0.95)).toBe(10);
    expect(percentile([42], 0.95)).toBe(42);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it("prints the assets, lobby first, with the lobby's JavaScript totals (a file without a copy counts raw)", () => {
    const text = formatAssets([
      { file: "assets/engine-B.js", role: "lazy", raw: 1_380_000, gzip: 361_000, br: 286_000 },
      { file: "assets/main-C.js", role: "lobby", raw: 255_600, gzip: 80_300, br: 69_700 },
      { file: "assets/tiny-F.js", role: "lobby", raw: 400, gzip: null, br: null },
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^file\s+loaded by\s+raw KB\s+gzip KB\s+br KB$/);
    expect(lines[2]).toMatch(/^assets\/main-C\.js\s+lobby\s+255\.6\s+80\.3\s+69\.7$/);
    expect(lines[3]).toMatch(/^assets\/tiny-F\.js\s+lobby\s+0\.4\s+—\s+—$/);
    expect(lines[4]).toMatch(/^assets\/engine-B\.js\s+lazy\s+1,380\.0\s+361\.0\s+286\.0$/);
    expect(lines[5]).toMatch(/^lobby JavaScript, total\s+256\.0\s+80\.7\s+70\.1$/);
  });

  it("prints p50 / p95 and the range of each way in", () => {
    const text = formatLoads([
      {
        via: "nginx",
        usableMs: [500, 600, 700, 800],
        namedMs: [900, 950, 1000, 1100],
        domContentLoadedMs: [480, 590, 690, 790],
        jsBytes: [74_500, 74_500, 74_500, 74_500],
      },
    ]);
    const row = text.split("\n")[2]!;
    expect(row).toMatch(/^nginx\s+4\s+600 \/ 800\s+500–800\s+950 \/ 1,100\s+590\s+74\.5$/);
  });
});
