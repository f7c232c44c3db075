/**
 * `npm run bench:conns`: what an idle WebSocket costs. Starts a cluster
 * (compose/: embedded PostgreSQL, Redis, N nodes behind nginx), plays a few
 * live games, then opens idle connections in steps — each game two seated
 * players plus spectators, joined through /matchmake/joinById and a seat
 * reservation like any client — and at each step reports, per new
 * connection: node heap and RSS after a forced garbage collection, nginx RSS,
 * open descriptors, and the live games' move round trips meanwhile. Prints a
 * table and writes JSON. Bounded: the steps stop at the descriptor budget.
 *
 *   npm run bench:conns -- [--nodes 1] [--steps 500,1000,2000,4000] [--max N] [--spectators 2]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { WebSocket } from "ws";
import { fdBudget, openFilesHardLimit, REPO_ROOT } from "../../compose/processes.ts";
import { childrenOf, type ConnsCluster, fdsOf, rssOf, startConnsCluster } from "./connsCluster.ts";
import { type ConnsStep, formatTable, perConnection, quantile } from "./connsReport.ts";
import { startLiveGames } from "./liveGames.ts";
import { guest, inviteGame, joinIdle } from "./rawJoin.ts";

const USAGE = `Usage: npm run bench:conns -- [options]
  --nodes N          game-server nodes behind nginx (default 1)
  --steps LIST       connection counts to reach, comma-separated (default 500,1000,2000,4000,8000,12000,16000 and the budget)
  --max N            stop at N connections (default: the descriptor budget, see below)
  --spectators S     spectators per game besides its two players (default 2)
  --live-games G     games played for real meanwhile (default 4)
  --think-ms MS      live games' think time per move (default 100)
  --settle-ms MS     wait after each step before measuring (default 3000)
  --nginx-workers W  nginx worker processes (default 2)
  --concurrency C    joins in flight at once (default 64)
  --heap-snapshots   write node heap snapshots before and after the last step (.artifacts/bench/)
  --out FILE         JSON report (default .artifacts/bench/conns.json)
Budget: each process may open ulimit -Hn descriptors; nginx spends 2 per proxied socket (client and
node side) in one worker, a node 1, this load generator 1; the steps stop below the smallest budget
(compose/nginxConf.ts fdBudget, the same sizing \`npm run cluster\` prints). Joins run at ~20-40/s on a
busy 2-core machine: a run to the budget takes 10-15 minutes; --steps 1000,2000,4000 about 5.`;

/** Descriptors this generator keeps for other things than idle sockets (HTTP, the live games, inspectors). */
const DESCRIPTOR_RESERVE = 300;

async function main() {
  const { values } = parseArgs({
    options: {
      nodes: { type: "string", default: "1" },
      steps: { type: "string" },
      max: { type: "string" },
      spectators: { type: "string", default: "2" },
      "live-games": { type: "string", default: "4" },
      "think-ms": { type: "string", default: "100" },
      "settle-ms": { type: "string", default: "3000" },
      "nginx-workers": { type: "string", default: "2" },
      concurrency: { type: "string", default: "64" },
      "heap-snapshots": { type: "boolean", default: false },
      out: { type: "string", default: ".artifacts/bench/conns.json" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const nodes = int("nodes", values.nodes, 1);
  const spectators = int("spectators", values.spectators, 0);
  const workers = int("nginx-workers", values["nginx-workers"], 1);
  const limit = openFilesHardLimit() ?? 1024;
  // Who runs out of descriptors first: nginx (2 per socket per worker), the nodes (1), this generator (1).
  const fd = fdBudget({ limit, nodes, cores: workers });
  const budget = Math.min(fd.sockets, limit - DESCRIPTOR_RESERVE);
  const max = values.max ? Math.min(int("max", values.max, 1), budget) : budget;
  const wanted = values.steps
    ? values.steps.split(",").map((s) => int("steps", s, 1))
    : [500, 1000, 2000, 4000, 8000, 12000, 16000, max];
  const steps = [...new Set(wanted.map((s) => Math.min(s, max)))].sort((a, b) => a - b);
  const say = (line: string) => console.error(`[bench:conns] ${line}`);
  say(`descriptor limit ${limit} per process: at most ${budget} idle sockets here; steps ${steps.join(", ")}`);

  const cluster = await startConnsCluster({ nodes, budget: fd, say });
  const sockets: WebSocket[] = [];
  let closedEarly = 0;
  const started = Date.now();
  try {
    const live = await startLiveGames(
      cluster.url,
      int("live-games", values["live-games"], 0),
      int("think-ms", values["think-ms"], 0),
    );
    const settleMs = int("settle-ms", values["settle-ms"], 0);
    const concurrency = int("concurrency", values.concurrency, 1);
    await sleep(settleMs);
    live.take();
    let previous = await measure(cluster, 0, settleMs, live.take());
    const results: ConnsStep[] = [];
    say(`baseline: nodes ${mb(previous.nodeHeap)} heap / ${mb(previous.nodeRss)} RSS, nginx ${mb(previous.nginxRss)} RSS`);
    let n = 0;
    for (const target of steps) {
      // Heap snapshots around the last step: by then start-up and warm-up are over.
      const last = target === steps.at(-1);
      if (values["heap-snapshots"] && last) {
        await snapshot(cluster, "before", say);
        previous = await measure(cluster, sockets.length, settleMs, live.take());
      }
      const t0 = Date.now();
      const failures: string[] = [];
      const perGame = 2 + spectators;
      const jobs: Array<() => Promise<void>> = [];
      for (let need = target - sockets.length; need > 0; need -= perGame) {
        const count = Math.min(perGame, need);
        jobs.push(async () => {
          const [a, b] = [await guest(cluster.url), await guest(cluster.url)];
          const gameId = await inviteGame(cluster.url, a, b);
          for (let k = 0; k < count; k++) {
            const token = k < 2 ? (k === 0 ? a : b) : await guest(cluster.url);
            const localAddress = `127.0.0.${2 + (n++ % 16)}`;
            const ws = await joinIdle(cluster.url, gameId, token, { spectate: k >= 2, localAddress });
            ws.once("close", () => closedEarly++);
            sockets.push(ws);
          }
        });
      }
      await runLimited(jobs, concurrency, (err) => failures.push((err as Error).message));
      if (failures.length) say(`${failures.length} joins failed, e.g. ${failures[0]}`);
      const rampMs = Date.now() - t0;
      await sleep(settleMs);
      const now = await measure(cluster, sockets.length, settleMs, live.take());
      const step = perConnection(previous, now, { rampMs, failures: failures.length, closedEarly });
      results.push(step);
      say(formatTable([step]).split("\n").at(-1)!);
      previous = now;
      if (values["heap-snapshots"] && last) await snapshot(cluster, "after", say);
      if (failures.length > target / 10) {
        say("more than a tenth of the joins failed: stopping here");
        break;
      }
    }
    await live.stop();
    const report = {
      bench: "conns",
      at: new Date().toISOString(),
      machine: { cores: availableParallelism(), loadavg: loadavg(), descriptorLimit: limit },
      settings: { nodes, spectatorsPerGame: spectators, nginxWorkers: workers, steps },
      durationS: Math.round((Date.now() - started) / 1000),
      nodeWarnings: cluster.warnings.length,
      steps: results,
    };
    console.log(formatTable(results));
    const out = resolve(REPO_ROOT, values.out!);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    say(`JSON written to ${out}`);
    if (cluster.warnings.length) say(`nodes logged ${cluster.warnings.length} warnings or errors, first: ${cluster.warnings[0]}`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await cluster.stop();
  }
}

async function measure(cluster: ConnsCluster, connections: number, windowMs: number, live: { rttMs: number[]; errors: number }) {
  let nodeHeap = 0;
  let nodeExternal = 0;
  let nodeRss = 0;
  let nodeFds = 0;
  for (const node of cluster.nodes) {
    const m = await node.inspector.memoryAfterGc();
    nodeHeap += m.heapUsed;
    nodeExternal += m.external + m.arrayBuffers;
    nodeRss += rssOf(node.handle.process.pid);
    nodeFds += fdsOf(node.handle.process.pid);
  }
  const workers = childrenOf(cluster.nginx.process.pid);
  const sum = (f: (pid: number) => number) => workers.reduce((s, pid) => s + f(pid), 0);
  const rtt = [...live.rttMs].sort((a, b) => a - b);
  return {
    connections,
    nodeHeap,
    nodeExternal,
    nodeRss,
    nodeFds,
    nginxRss: sum(rssOf) + rssOf(cluster.nginx.process.pid),
    nginxFds: sum(fdsOf),
    nginxWorkerFds: workers.map(fdsOf),
    liveMoves: rtt.length,
    liveErrors: live.errors,
    liveP50: quantile(rtt, 0.5),
    liveP99: quantile(rtt, 0.99),
    windowMs,
  };
}

async function snapshot(cluster: ConnsCluster, label: string, say: (l: string) => void) {
  for (const node of cluster.nodes) {
    const path = resolve(REPO_ROOT, `.artifacts/bench/conns-${node.handle.id}-${label}.heapsnapshot`);
    mkdirSync(dirname(path), { recursive: true });
    say(`heap snapshot ${await node.inspector.writeHeapSnapshot(path)}`);
  }
}

/** Run `jobs` with at most `limit` at once; a failed job is reported to `onError` and the rest go on. */
async function runLimited(jobs: Array<() => Promise<void>>, limit: number, onError: (err: unknown) => void) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await job().catch(onError);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

main().catch((err) => {
  const message = (err as Error).message ?? String(err);
  // A bad option is the caller's mistake: say which, without a stack trace.
  if (message.startsWith("--") || String((err as { code?: string }).code).startsWith("ERR_PARSE_ARGS")) {
    console.error(`[bench:conns] ${message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`[bench:conns] failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
