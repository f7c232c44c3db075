/**
 * `npm run bench:load`: how fast the browser client loads. Reads the built
 * client (client/dist: `npm run build` first) and prints every file's raw,
 * gzip and brotli size and what loads it (the lobby at once, a lazy chunk
 * later, the operator page); then starts one embedded PostgreSQL, one node
 * serving that build and nginx in front of it (compose/'s functions, on
 * loopback, in a temporary folder), and makes N cold loads through each way
 * in, in headless Chromium: each in a fresh browser context (empty cache),
 * timed to the lobby being usable and to the player's name being shown
 * (client/e2e/coldLoad.ts). Prints p50/p95 per way in, the machine and its
 * load, and writes JSON. Reports only: it never fails on timing.
 *
 *   npm run bench:load                     # 20 cold loads through nginx and 20 from the node
 *   npm run bench:load -- --runs 50 --via nginx
 *   npm run bench:load -- --sizes-only     # the asset table, no browser
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Browser } from "playwright-core";
import { launchChromium } from "../../client/e2e/browser.ts";
import { coldLoad } from "../../client/e2e/coldLoad.ts";
import {
  type ManagedProcess,
  REPO_ROOT,
  startEmbeddedPostgresProcess,
  startGameNode,
  startNginx,
} from "../../compose/processes.ts";
import { type AssetRole, type AssetSizes, formatAssets, formatLoads, type LoadSeries, pageAssets } from "./loadReport.ts";

const USAGE = `Usage: npm run bench:load -- [options]
  --runs N        cold loads per way in (default 20)
  --via LIST      nginx,node (default both): through nginx in front of the node, or straight from it
  --accept ENC    the browser's Accept-Encoding instead of its own (e.g. "gzip, deflate": a browser without brotli)
  --dist DIR      the built client to serve (default client/dist; e.g. an older build, to compare)
  --sizes-only    print the asset table and stop (no servers, no browser)
  --out FILE      JSON report (default .artifacts/bench/load-<time>.json)
Needs the built client (npm run build), Debian's chromium and nginx.`;

/** Every file of the build in DIST with its sizes, and who loads it. */
function assetSizes(DIST: string): AssetSizes[] {
  const index = readFileSync(join(DIST, "index.html"), "utf8");
  const admin = pageAssets(readFileSync(join(DIST, "admin.html"), "utf8"));
  const page = pageAssets(index);
  const roleOf = (file: string): AssetRole =>
    file === "index.html" || page.lobby.includes(file)
      ? "lobby"
      : page.lazy.includes(file)
        ? "lazy"
        : file === "admin.html" || admin.lobby.includes(file)
          ? "admin"
          : "other";
  const size = (f: string) => (existsSync(join(DIST, f)) ? statSync(join(DIST, f)).size : null);
  const files = ["index.html", "admin.html", ...readdirSync(join(DIST, "assets")).map((f) => `assets/${f}`)];
  return files
    .filter((f) => !f.endsWith(".gz") && !f.endsWith(".br"))
    .map((file) => ({ file, role: roleOf(file), raw: size(file)!, gzip: size(`${file}.gz`), br: size(`${file}.br`) }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "20" },
      via: { type: "string", default: "nginx,node" },
      accept: { type: "string" },
      dist: { type: "string", default: "client/dist" },
      "sizes-only": { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a whole number ≥ 1, got ${values.runs}`);
  const via = values.via.split(",").map((v) => v.trim());
  for (const v of via) if (v !== "nginx" && v !== "node") throw new Error(`--via: nginx or node, got ${v}`);
  const DIST = resolve(REPO_ROOT, values.dist);
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`${DIST} has no index.html: run \`npm run build\` first`);

  const say = (line: string) => console.error(`[bench:load] ${line}`);
  const assets = assetSizes(DIST);
  console.log(`Built client (${DIST}):\n\n${formatAssets(assets)}\n`);
  if (values["sizes-only"]) return;

  const machine = {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "?",
    memGB: Math.round(totalmem() / 2 ** 30),
    loadBefore: loadavg()[0]!,
    loadAfter: 0,
  };
  const dir = mkdtempSync(join(tmpdir(), "tabula-bench-load-"));
  chmodSync(dir, 0o755); // the embedded PostgreSQL runs as its own user when we are root
  const procs: ManagedProcess[] = [];
  const track = (p: ManagedProcess) => void procs.push(p);
  let browser: Browser | undefined;
  const series: LoadSeries[] = [];
  try {
    say("starting PostgreSQL (embedded, fresh), a node serving client/dist and nginx…");
    const [pg, nginx] = await Promise.all([
      startEmbeddedPostgresProcess({ dataDir: join(dir, "pg"), output: () => {}, onSpawn: track }),
      startNginx({ prefix: join(dir, "nginx"), nodes: [], output: () => {}, onSpawn: track }),
    ]);
    const node = await startGameNode({
      id: "n1",
      onSpawn: track,
      output: () => {},
      env: {
        NODE_ENV: "production",
        TOKEN_SECRET: "bench-load-secret-0123456789abcdef0123456789",
        DATABASE_URL: pg.url,
        PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}`,
        CLIENT_DIST: DIST,
        // Every cold load is a new guest from one address.
        API_RATE_PER_MIN: "100000000",
        GUEST_RATE_PER_MIN: "100000000",
        LOG_JSON: "true",
        LOG_LEVEL: "warn",
      },
    });
    await nginx.reload([node]);
    browser = await launchChromium();
    // The browser's own start-up, on a page of nothing (a visitor's browser is already running).
    const warm = await browser.newContext();
    await (await warm.newPage()).goto("about:blank");
    await warm.close();
    for (const v of via) {
      const url = v === "nginx" ? nginx.url : node.url;
      const s: LoadSeries = { via: v, usableMs: [], namedMs: [], domContentLoadedMs: [], jsBytes: [] };
      for (let i = 0; i < runs; i++) {
        const l = await coldLoad(browser, url, { acceptEncoding: values.accept });
        await l.page.context().close();
        s.usableMs.push(l.lobbyUsableMs);
        s.namedMs.push(l.namedMs);
        s.domContentLoadedMs.push(l.domContentLoadedMs);
        s.jsBytes.push(
          l.resources
            .filter((r) => r.startMs < l.lobbyUsableMs && /\.js(\?|$)/.test(r.path))
            .reduce((n, r) => n + r.encodedBytes, 0),
        );
        if ((i + 1) % 5 === 0 || i + 1 === runs) say(`${v}: ${i + 1}/${runs} cold loads`);
      }
      series.push(s);
    }
  } finally {
    await browser?.close();
    for (const p of procs.reverse()) await p.stop(10_000).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  machine.loadAfter = loadavg()[0]!;
  console.log(
    `Cold loads in headless Chromium, loopback, a fresh context each (ms from navigation start; ` +
      `Accept-Encoding: ${values.accept ?? "the browser's own"}; ${DIST}):\n\n${formatLoads(series)}\n`,
  );
  console.log(
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memGB} GB; load average ` +
      `${machine.loadBefore.toFixed(2)} before, ${machine.loadAfter.toFixed(2)} after.`,
  );
  const out = resolve(REPO_ROOT, values.out ?? `.artifacts/bench/load-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ runs, dist: DIST, accept: values.accept ?? null, machine, assets, series }, null, 2)}\n`,
  );
  say(`wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
