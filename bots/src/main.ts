/**
 * The bot-players stress script: `npm run bots -- --help`. With --bot-vs-bot,
 * the built-in bots' levels play each other instead (arena.ts).
 *
 * CLI and orchestration. With --procs N the same file is forked N times in
 * worker mode (env TABULA_BOTS_WORKER=1); each worker runs a share of the bots
 * (runner.ts), streams progress deltas every second and sends its raw samples
 * and counters at the end; the parent prints progress, merges everything and
 * writes the report. Exit codes: 0 ok, 1 error threshold exceeded, 2 bad
 * arguments, 3 server unreachable.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ArgsError, type BotsConfig, gamesOf, GRACE_MS, parseArgs, rosterOf, timeControlOf, USAGE } from "./args.ts";
import { type GamesMeta, healthNode, HttpFailure, meta, nodes, type ReportedNode } from "./http.ts";
import { mergeRaw, type ProgressDelta, type RawResults } from "./metrics.ts";
import { buildReport, writeReport } from "./report.ts";
import { progressLine, renderTable } from "./reportText.ts";
import { runSlice } from "./runner.ts";
import { type FromWorker, quietSdk, type ToWorker, WORKER_ENV, workerMain } from "./worker.ts";
import { LiveHistogram } from "./stats.ts";

class LiveTotals {
  counters: Record<string, number> = {};
  errors = 0;
  readonly started = new Set<string>();
  readonly finished = new Set<string>();
  readonly rtt = new LiveHistogram();
  readonly gauges = new Map<number, { inRoom: number; queued: number; activeBots: number }>();

  add(source: number, d: ProgressDelta): void {
    for (const [k, v] of Object.entries(d.counters)) this.counters[k] = (this.counters[k] ?? 0) + v;
    for (const v of Object.values(d.errors)) this.errors += v;
    for (const id of d.gamesStarted) this.started.add(id);
    for (const id of d.gamesFinished) this.finished.add(id);
    this.rtt.recordAll(d.moveRtt);
    this.gauges.set(source, { inRoom: d.inRoom, queued: d.queued, activeBots: d.activeBots });
  }

  gauge(key: "inRoom" | "queued" | "activeBots"): number {
    let t = 0;
    for (const g of this.gauges.values()) t += g[key];
    return t;
  }
}

function fail(code: number, message: string): never {
  process.stderr.write(`bots: ${message}\n`);
  process.exit(code);
}

/** Reachability and a sanity check of the server: exit 3 if it cannot be reached, 2 if it lacks a requested time control. */
async function preflight(config: BotsConfig): Promise<{ healthNode: string | null; nodes: ReportedNode[] | null }> {
  let m: GamesMeta;
  try {
    m = await meta(config.url);
  } catch (err) {
    const why = err instanceof HttpFailure ? err.message : String(err);
    fail(
      3,
      `could not reach a Tabula server at ${config.url} (${why}).\n` +
        `      Is it running? Start one with \`npm start\` (or the cluster), or pass --url.`,
    );
  }
  if (!Array.isArray(m?.games)) fail(3, `${config.url}/api/games/meta did not answer like a Tabula server`);
  for (const kind of gamesOf(config)) {
    const g = m.games.find((x) => x.id === kind);
    if (!g) fail(2, `the server at ${config.url} does not offer ${kind}`);
    const tc = timeControlOf(config, kind);
    if (!g.timeControls?.some((t) => t.id === tc))
      fail(
        2,
        `the server does not offer time control ${tc} for ${kind} (it offers ${g.timeControls.map((t) => t.id).join(", ")})`,
      );
  }
  const [h, n] = await Promise.all([healthNode(config.url), nodes(config.url)]);
  return { healthNode: h, nodes: n };
}

async function cliMain(): Promise<void> {
  let config: BotsConfig;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    config = parsed.config;
  } catch (err) {
    if (err instanceof ArgsError) fail(2, `${err.message}\n      (npm run bots -- --help for usage)`);
    throw err;
  }

  if (config.thinkMs[0] < 50)
    process.stderr.write(
      `bots: warning: --think under 50ms can exceed the server's flood limit (MAX_MESSAGES_PER_SECOND, default 20 a second per socket): expect closes with 4002\n`,
    );
  const pre = await preflight(config);
  const runId = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, "0").slice(-4);
  const roster = rosterOf(config);
  const tcs = gamesOf(config)
    .map((g) => `${g} ${timeControlOf(config, g)}`)
    .join(", ");
  process.stderr.write(
    `bots: run ${runId}: ${config.bots} bots (${roster.players} players, ${roster.spectators} spectators) → ${config.url}` +
      ` · ${tcs} · ${config.durationMs / 1000}s + ≤${GRACE_MS / 1000}s grace · think ${config.thinkMs[0]}-${config.thinkMs[1]}ms` +
      ` · ${config.procs} process${config.procs > 1 ? "es" : ""}${pre.healthNode ? ` · /healthz node ${pre.healthNode}` : ""}\n`,
  );

  const totals = new LiveTotals();
  const raws: RawResults[] = [];
  const parentCpu0 = process.cpuUsage();
  let parentRssMax = 0;
  const tty = process.stderr.isTTY === true;

  // ---- start the slices (in-process, or in forked workers)
  const workers: ChildProcess[] = [];
  let lostWorkers = 0;
  let stopAll: () => void;
  let killAll: () => void;
  let allDone: Promise<void>;
  let startedAt: number;
  let stopAt: number;

  if (config.procs === 1) {
    quietSdk(config);
    startedAt = Date.now();
    stopAt = startedAt + config.durationMs;
    const slice = runSlice(
      { config, runId, indices: Array.from({ length: config.bots }, (_, i) => i), startAt: startedAt, stopAt },
      (d) => totals.add(0, d),
    );
    stopAll = slice.stop;
    killAll = slice.kill;
    allDone = slice.done.then((raw) => void raws.push(raw));
  } else {
    const script = fileURLToPath(import.meta.url);
    const finals: Array<Promise<void>> = [];
    lostWorkers = 0;
    const ready: Array<Promise<void>> = [];
    for (let k = 0; k < config.procs; k++) {
      const child = fork(script, [], {
        env: { ...process.env, [WORKER_ENV]: "1" },
        serialization: "advanced",
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      workers.push(child);
      let gotFinal = false;
      ready.push(
        new Promise((resolve, reject) => {
          child.once("message", (msg: FromWorker) =>
            msg.type === "ready" ? resolve() : reject(new Error(`worker ${k}: ${msg.type}`)),
          );
          child.once("exit", (code) => reject(new Error(`worker ${k} exited with ${code} before it was ready`)));
        }),
      );
      finals.push(
        new Promise((resolve) => {
          child.on("message", (msg: FromWorker) => {
            if (msg.type === "progress") totals.add(k + 1, msg.delta);
            else if (msg.type === "final") {
              gotFinal = true;
              raws.push(msg.raw);
              resolve();
            } else if (msg.type === "fatal") process.stderr.write(`\nbots: worker ${k} failed: ${msg.message}\n`);
          });
          child.on("exit", (code, signal) => {
            if (!gotFinal) {
              process.stderr.write(`\nbots: worker ${k} exited (${signal ?? code}) without its results\n`);
              lostWorkers++;
            }
            resolve();
          });
        }),
      );
    }
    try {
      await Promise.race([
        Promise.all(ready),
        new Promise((_, reject) => setTimeout(() => reject(new Error("workers not ready after 30 s")), 30_000).unref()),
      ]);
    } catch (err) {
      for (const w of workers) w.kill();
      fail(1, `could not start the worker processes: ${(err as Error).message}`);
    }
    startedAt = Date.now() + 100;
    stopAt = startedAt + config.durationMs;
    for (let k = 0; k < config.procs; k++) {
      const indices: number[] = [];
      for (let i = k; i < config.bots; i += config.procs) indices.push(i);
      workers[k]!.send({ type: "start", plan: { config, runId, indices, startAt: startedAt, stopAt } } satisfies ToWorker);
    }
    const tell = (msg: ToWorker) => {
      for (const w of workers) if (w.connected) w.send(msg);
    };
    stopAll = () => tell({ type: "stop" });
    killAll = () => tell({ type: "kill" });
    allDone = Promise.all(finals).then(() => {});
    // Workers that overstay the hard stop by far are killed (their results are lost and counted).
    const overdue = setTimeout(
      () => {
        for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
      },
      config.durationMs + GRACE_MS + 20_000,
    );
    overdue.unref();
  }

  // ---- progress every 2 s, and /api/nodes near the end of the run phase
  // Sampled every 10 s: the sample just before the end of the run phase goes in the report,
  // and every sample maps process ids (seen in room URLs) to node ids.
  let reportedNodes: ReportedNode[] | null = null;
  let reportedAt: number | null = null;
  const processNodes: Record<string, string> = {};
  const learn = (list: ReportedNode[] | null) => {
    for (const n of list ?? []) if (n.processId && n.nodeId) processNodes[n.processId] = n.nodeId;
  };
  learn(pre.nodes);
  const sampleNodes = async (keep: boolean) => {
    const n = await nodes(config.url);
    learn(n);
    if (n && keep) {
      reportedNodes = n;
      reportedAt = Date.now();
    }
  };
  const nodesTimer = setTimeout(() => void sampleNodes(true), Math.max(0, stopAt - Date.now() - 1000));
  const nodesEvery = setInterval(() => void sampleNodes(false), 10_000);
  // ---- Ctrl-C: first ends the run phase (grace follows), second closes everything now
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nbots: stopping (grace period up to ${GRACE_MS / 1000}s; Ctrl-C again to close now)\n`);
      stopAt = Math.min(stopAt, Date.now());
      clearTimeout(nodesTimer);
      void sampleNodes(true); // the server's view at the end of the run phase, before the bots leave
      stopAll();
    } else {
      killAll();
    }
  });

  let lastMoves = 0;
  let lastAt = startedAt;
  const printProgress = (final = false) => {
    const now = Date.now();
    const moves = totals.counters.moves ?? 0;
    // The last line gives the average over the whole run rather than a short last interval.
    const dt = Math.max(1, final ? now - startedAt : now - lastAt) / 1000;
    const line = progressLine({
      elapsedMs: Math.max(0, now - startedAt),
      durationMs: config.durationMs,
      graceMs: now > stopAt ? now - stopAt : null,
      activeBots: totals.gauge("activeBots"),
      totalBots: config.bots,
      inRoom: totals.gauge("inRoom"),
      queued: totals.gauge("queued"),
      gamesStarted: totals.started.size,
      gamesFinished: totals.finished.size,
      moves,
      movesPerSecond: (final ? moves : moves - lastMoves) / dt,
      rttP50: totals.rtt.percentile(50),
      rttP99: totals.rtt.percentile(99),
      errors: totals.errors,
    });
    lastMoves = moves;
    lastAt = now;
    const rss = process.memoryUsage.rss() / 1048576;
    if (rss > parentRssMax) parentRssMax = rss;
    if (tty) process.stderr.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    else process.stderr.write(`${line}\n`);
  };
  const progressTimer = setInterval(printProgress, 2000);

  await allDone;
  const endedAt = Date.now();
  clearInterval(progressTimer);
  clearTimeout(nodesTimer);
  clearInterval(nodesEvery);
  printProgress(true);
  await sampleNodes(reportedNodes === null);

  const parentCpu = process.cpuUsage(parentCpu0);
  const merged = mergeRaw(raws);
  if (lostWorkers > 0) merged.errors.worker_lost = lostWorkers;
  const report = buildReport({
    config,
    runId,
    startedAt,
    stoppedAt: Math.min(stopAt, endedAt),
    endedAt,
    merged,
    reportedNodes,
    reportedAt,
    processNodes,
    healthNode: pre.healthNode,
    parent:
      config.procs > 1
        ? {
            pid: process.pid,
            cpu: { userMs: parentCpu.user / 1000, systemMs: parentCpu.system / 1000 },
            rssMbMax: Math.round(parentRssMax * 10) / 10,
          }
        : null,
  });
  let path: string | null = null;
  try {
    path = writeReport(report, config.out);
  } catch (err) {
    process.stderr.write(`bots: could not write ${config.out}: ${(err as Error).message}\n`);
  }
  process.stdout.write(`\nTabula bots report — ${config.url}\n${renderTable(report, path)}`);
  process.exit(report.thresholds.passed ? 0 : 1);
}

if (process.env[WORKER_ENV] === "1" && typeof process.send === "function") workerMain();
else if (process.argv.includes("--bot-vs-bot")) {
  // The bots' levels against each other, through the engines directly (arena.ts): no server needed.
  const { arenaMain } = await import("./arena.ts");
  process.exit(await arenaMain(process.argv.slice(2).filter((a) => a !== "--bot-vs-bot")));
} else await cliMain();
