/**
 * `npm run bench`: the side-by-side benchmark. Each system (plain Colyseus,
 * boardgame.io in memory and with PostgreSQL, Tabula on one node and on two
 * behind nginx) is started, loaded at each concurrency level by the same
 * light driver (think time 0, Connect Four), measured, and stopped; then one
 * table, the ratios the targets name, a JSON file and an SVG chart.
 * Loopback only; bounded (~5 minutes, `--quick` under one). Timings never
 * fail the run. See docs/benchmarks.md; `npm run bench -- --help`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { REPO_ROOT } from "../../compose/processes.ts";
import { type BenchOptions, parseBenchArgs, USAGE, UsageError } from "./args.ts";
import { renderChart, seriesOf } from "./chart.ts";
import { measure } from "./measure.ts";
import { type RunResult, ratios } from "./summary.ts";
import { catalogue } from "./systems/index.ts";
import { formatRatios, formatTable, rowCells } from "./table.ts";
import type { RunningSystem } from "./types.ts";

const t0 = performance.now();
const say = (line: string) => console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${line}`);

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}

const { systems, unavailable } = await catalogue();
const explicit = process.argv.some((a) => a === "--systems" || a.startsWith("--systems="));
const missing = opts.systems.filter((id) => unavailable.has(id));
if (explicit && missing.length) {
  for (const id of missing) console.error(`${id}: not available: ${unavailable.get(id)}`);
  process.exit(2);
}

/**
 * Share of the last minute in which some runnable task waited for a CPU (Linux PSI,
 * /proc/pressure/cpu "some avg60"), %: how shared the machine was. null where PSI is off.
 */
function cpuPressure(): number | null {
  try {
    const m = /^some avg10=[\d.]+ avg60=([\d.]+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? "?",
  loadBefore: loadavg().map((l) => Number(l.toFixed(2))),
  cpuPressureBefore: cpuPressure(),
  node: process.version,
};
const pressureText = (p: number | null) => (p === null ? "" : `, CPU pressure ${p} %`);
say(
  `machine: ${machine.cores} cores, ${machine.cpu}, load ${machine.loadBefore.join(" ")}${pressureText(machine.cpuPressureBefore)}`,
);
say(
  `systems ${opts.systems.join(", ")} · players ${opts.players.join(", ")} · ` +
    `${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s measured each`,
);

let current: RunningSystem | undefined;
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${sig}: stopping the running system…`);
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const results: RunResult[] = [];
let startFailures = 0;
for (const id of opts.systems) {
  const def = systems.get(id);
  if (!def) continue;
  say(`${id}: starting (${def.label})…`);
  try {
    current = await def.start((line) => say(`  ${line}`));
  } catch (err) {
    startFailures++;
    const why = (err as Error).message.split("\n")[0]!;
    say(`${id}: could not start: ${(err as Error).message}`);
    for (const players of opts.players)
      results.push({ system: id, label: def.label, players, persisted: def.persisted, failed: `start: ${why}` });
    continue;
  }
  for (const players of opts.players) {
    if (interrupted) break;
    say(`${id} · ${players} players: driver running…`);
    const r = await measure(def, current, { players, warmupMs: opts.warmupMs, durationMs: opts.durationMs }, say);
    results.push(r);
    say(`${id} · ${players} players: ${rowCells(r).slice(2).join(" · ")}`);
  }
  say(`${id}: stopping`);
  await current.stop();
  current = undefined;
}

const notAvailable = [...unavailable].filter(([id]) => opts.systems.includes(id)).map(([id, reason]) => ({ id, reason }));
const ratioList = ratios(results);
const loadAfter = loadavg().map((l) => Number(l.toFixed(2)));
const cpuPressureAfter = cpuPressure();
console.log(
  `\nTabula benchmark — ${machine.cores} cores (${machine.cpu}), load ${machine.loadBefore.join(" ")} before, ${loadAfter.join(" ")} after` +
    `${pressureText(cpuPressureAfter)} (some task waiting for a CPU, last minute)`,
);
console.log(`think time 0 · Connect Four · ${opts.warmupMs / 1000} s warm-up + ${opts.durationMs / 1000} s measured per row\n`);
console.log(formatTable(results, notAvailable));
console.log(
  "\nrtt: send → the mover sees its move broadcast · rows: move-log rows added in the window (counted in the database)" +
    "\ncpu ms/move: node = game servers (+ nginx), db = PostgreSQL (postmaster and backends), driver = the load generator," +
    "\nother = redis · KB/conn: server memory growth / connected players\n",
);
console.log(formatRatios(ratioList));

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outFile = resolve(REPO_ROOT, opts.outDir, `${stamp}.json`);
mkdirSync(dirname(outFile), { recursive: true });
const doc = {
  startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
  machine: { ...machine, loadAfter, cpuPressureAfter },
  options: opts,
  results,
  ratios: ratioList,
  unavailable: notAvailable,
};
writeFileSync(outFile, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`\nJSON: ${outFile}`);
if (opts.chart) {
  const chartFile = resolve(REPO_ROOT, opts.chart);
  mkdirSync(dirname(chartFile), { recursive: true });
  const caption = `${machine.cores} cores, ${machine.cpu}, load ${machine.loadBefore[0]} · think time 0 · ${doc.startedAt.slice(0, 16)}Z`;
  writeFileSync(chartFile, renderChart(seriesOf(results), caption));
  console.log(`chart: ${chartFile}`);
}
say(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const allFailed = results.length > 0 && results.every((r) => r.failed);
process.exit(startFailures > 0 || allFailed ? 1 : 0);
