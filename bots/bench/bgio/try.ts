/**
 * Run the boardgame.io systems on their own, without the benchmark runner
 * (bench.ts): start each, run its driver once, print moves/s, round trip
 * p50/p99, errors, persisted moves and CPU per move of server, database and
 * driver (from /proc, utime + stime), then stop it.
 *
 *   node bots/bench/bgio/try.ts [--players 100] [--duration 20000] [--warmup 3000] [--only bgio-memory]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type DriverResult, WINDOW_CLOSE, WINDOW_OPEN } from "../types.ts";
import { bgioSystems } from "./systems.ts";

const { values } = parseArgs({
  options: {
    players: { type: "string", default: "100" },
    duration: { type: "string", default: "20000" },
    warmup: { type: "string", default: "3000" },
    only: { type: "string" },
  },
});
const shape = { players: Number(values.players), durationMs: Number(values.duration), warmupMs: Number(values.warmup) };
const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU time used so far by each of `pids` (utime + stime), ms; a pid gone meanwhile counts 0. */
function cpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S);
    } catch {
      out.set(pid, 0);
    }
  }
  return out;
}

/** CPU used between two samples, ms (pids seen only in the second count from 0). */
function used(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;
}

for (const system of bgioSystems) {
  if (values.only && system.id !== values.only) continue;
  console.log(`== ${system.label}: ${shape.players} players, ${shape.durationMs} ms after ${shape.warmupMs} ms warm-up`);
  const running = await system.start((line) => console.log(`  ${line}`));
  try {
    const spec = running.driver(shape);
    const driver = spawn(process.execPath, [spec.script, ...spec.args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    driver.stdout.on("data", (d) => {
      out += d;
    });
    const exited = new Promise((r) => driver.once("exit", r));
    // CPU and persisted moves over the measured window only: read when the driver says it opens and closes.
    const pids = () => [...running.serverPids(), ...running.databasePids(), driver.pid ?? -1];
    let cpu0 = new Map<number, number>();
    let cpu1 = new Map<number, number>();
    let persistedBefore: Promise<number | null> = Promise.resolve(null);
    let persistedAfter: Promise<number | null> = Promise.resolve(null);
    createInterface({ input: driver.stderr }).on("line", (line) => {
      if (line === WINDOW_OPEN) {
        cpu0 = cpuMs(pids());
        persistedBefore = running.countMoves();
      } else if (line === WINDOW_CLOSE) {
        cpu1 = cpuMs(pids());
        persistedAfter = running.countMoves();
      } else console.error(`  ${line}`);
    });
    await exited;
    const [before, after] = [await persistedBefore, await persistedAfter];
    const result = JSON.parse(out.trim()) as DriverResult & { games: number; windowMs: number };
    const rtt = result.rttMs.toSorted((a, b) => a - b);
    const perMove = (pidsOf: number[]) =>
      (
        used(new Map([...cpu0].filter(([p]) => pidsOf.includes(p))), new Map([...cpu1].filter(([p]) => pidsOf.includes(p)))) /
        result.moves
      ).toFixed(3);
    console.log(
      JSON.stringify({
        system: system.id,
        movesPerS: Math.round(result.moves / (result.windowMs / 1000)),
        games: result.games,
        p50: +percentile(rtt, 50).toFixed(1),
        p99: +percentile(rtt, 99).toFixed(1),
        errors: result.errors,
        connected: result.connected,
        persistedInWindow: before === null || after === null ? null : after - before,
        cpuMsPerMove: {
          server: perMove(running.serverPids()),
          database: perMove([...cpu1.keys()].filter((p) => !running.serverPids().includes(p) && p !== driver.pid)),
          driver: perMove([driver.pid ?? -1]),
        },
      }),
    );
  } finally {
    await running.stop();
  }
}
