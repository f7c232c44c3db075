/**
 * One measurement: a running system loaded by its driver at one concurrency
 * level. The driver runs as a child process; CPU of the system's servers, its
 * database, its other processes and the driver is sampled from /proc every
 * SAMPLE_MS, and the measured window is the one the driver marks on stderr
 * (WINDOW_OPEN … WINDOW_CLOSE), where the rows of the move log are counted
 * and the servers' memory read.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { CpuMeter, descendants, type ProcStat, allStats, readRssBytes } from "./procstat.ts";
import { type RunResult, summarizeRun } from "./summary.ts";
import type { BenchSystem, DriverResult, LoadShape, RunningSystem } from "./types.ts";
import { WINDOW_CLOSE, WINDOW_OPEN } from "./types.ts";

const SAMPLE_MS = 250;

type Group = "server" | "database" | "driver" | string;

/** The process trees of each group, right now (roots expanded to all their descendants). */
function groups(system: RunningSystem, driverPid: number, stats: ReadonlyMap<number, ProcStat>): Map<Group, number[]> {
  const out = new Map<Group, number[]>([
    ["server", descendants(system.serverPids(), stats)],
    ["database", descendants(system.databasePids(), stats)],
    ["driver", descendants([driverPid], stats)],
  ]);
  for (const [label, pids] of Object.entries(system.otherPids?.() ?? {})) out.set(label, descendants(pids, stats));
  return out;
}

function rssOf(pids: number[]): number {
  return pids.reduce((s, pid) => s + readRssBytes(pid), 0);
}

/** Load `system` with `shape`; progress lines go to `log`. Never throws for a failed driver: the result says why. */
export async function measure(
  def: BenchSystem,
  system: RunningSystem,
  shape: LoadShape,
  log: (line: string) => void,
): Promise<RunResult> {
  const spec = system.driver(shape);
  const serverRssBefore = rssOf(descendants(system.serverPids(), allStats()));
  const child = spawn(process.execPath, [spec.script, ...spec.args], { stdio: ["ignore", "pipe", "pipe"] });
  const driverPid = child.pid ?? -1;
  const meters = new Map<Group, CpuMeter>();
  let sampling = false;
  let window: "markers" | "timed" = "timed";
  let rowsAtOpen: number | null = null;
  let rowsAtClose: number | null = null;
  let serverRssAtClose = 0;
  const timeline: { at: number; cpu: Map<Group, Map<number, number>> }[] = [];

  const sample = () => {
    const stats = allStats();
    const cpu = new Map<Group, Map<number, number>>();
    for (const [g, pids] of groups(system, driverPid, stats)) {
      cpu.set(g, new Map(pids.map((pid) => [pid, stats.get(pid)!.cpuMs])));
    }
    timeline.push({ at: performance.now(), cpu });
    if (sampling) for (const [g, m] of cpu) meterOf(g).sample(m);
    return cpu;
  };
  const meterOf = (g: Group) => {
    let m = meters.get(g);
    if (!m) {
      m = new CpuMeter();
      meters.set(g, m);
    }
    return m;
  };
  const ticker = setInterval(sample, SAMPLE_MS);
  const pending: Promise<unknown>[] = [];

  let stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    if (line === WINDOW_OPEN) {
      window = "markers";
      sampling = true;
      sample();
      pending.push(system.countMoves().then((n) => (rowsAtOpen = n)));
    } else if (line === WINDOW_CLOSE) {
      sample();
      sampling = false;
      serverRssAtClose = rssOf(descendants(system.serverPids(), allStats()));
      pending.push(system.countMoves().then((n) => (rowsAtClose = n)));
    } else {
      stderrTail = [...stderrTail.slice(-20), line];
      log(`    ${line}`);
    }
  });
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  const exit = await new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  clearInterval(ticker);
  await Promise.allSettled(pending);

  const base = { system: def.id, label: def.label, players: shape.players, persisted: def.persisted };
  let result: DriverResult;
  try {
    result = JSON.parse(stdout.trim().split("\n").pop() ?? "") as DriverResult;
  } catch {
    return { ...base, failed: `driver exited ${exit}: ${stderrTail.slice(-3).join(" | ") || "no output"}` };
  }
  if (window === "timed") {
    // No markers: the last durationMs before the driver's exit, from the samples.
    const end = timeline.at(-1);
    const start = end && [...timeline].reverse().find((t) => end.at - t.at >= shape.durationMs);
    for (const t of [start, end]) if (t) for (const [g, m] of t.cpu) meterOf(g).sample(m);
    serverRssAtClose = rssOf(descendants(system.serverPids(), allStats()));
  }
  const cpuMs: Record<string, number> = {};
  for (const [g, m] of meters) cpuMs[g] = m.totalMs();
  return summarizeRun(base, result, {
    windowMs: result.windowMs ?? shape.durationMs,
    window,
    cpuMs,
    rows: rowsAtOpen !== null && rowsAtClose !== null ? rowsAtClose - rowsAtOpen : null,
    serverRssDeltaBytes: serverRssAtClose - serverRssBefore,
  });
}
