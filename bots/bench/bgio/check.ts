/**
 * A standalone check of the bgio-postgres system (too slow for the unit tests:
 * it initialises a PostgreSQL cluster): start it, play `--players` (default
 * 10) for `--duration` ms (default 4000) with no warm-up, let the last writes
 * land, then check what its database holds against what the driver saw, over
 * the whole run (set-up and window alike):
 *
 *  - no errors, and some moves;
 *  - persisted ≥ acknowledged: boardgame.io broadcasts a move before it writes
 *    it, but every acknowledged move is written;
 *  - persisted ≤ acknowledged + one per match: only a move in flight when the
 *    driver stopped may be written unacknowledged;
 *  - the database's processes are seen (the postmaster and its backends).
 *
 *   node bots/bench/bgio/check.ts [--players 10] [--duration 4000]
 *
 * Exits 0 when all hold, 1 (saying which failed) otherwise.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import type { DriverResult } from "../types.ts";
import { bgioSystems } from "./systems.ts";

const { values } = parseArgs({
  options: { players: { type: "string", default: "10" }, duration: { type: "string", default: "4000" } },
});
const players = Number(values.players);
const durationMs = Number(values.duration);
const system = bgioSystems.find((s) => s.id === "bgio-postgres");
if (!system) throw new Error("no bgio-postgres system");

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

const running = await system.start((line) => console.error(line));
try {
  check((await running.countMoves()) === 0, "a fresh database holds no moves");
  const spec = running.driver({ players, durationMs, warmupMs: 0 });
  const driver = spawn(process.execPath, [spec.script, ...spec.args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  driver.stdout.on("data", (d) => {
    out += d;
  });
  const dbPids = new Promise<number[]>((r) => setTimeout(() => r(running.databasePids()), durationMs / 2));
  await new Promise((r) => driver.once("exit", r));
  const result = JSON.parse(out.trim()) as DriverResult & { allMoves: number };
  // Writes of moves in flight when the driver stopped: wait until the count stops changing.
  let persisted = (await running.countMoves()) ?? 0;
  for (let again = persisted + 1; again !== persisted; ) {
    await new Promise((r) => setTimeout(r, 500));
    again = persisted;
    persisted = (await running.countMoves()) ?? 0;
  }
  console.log(`acknowledged ${result.allMoves} (${result.moves} in the window), persisted ${persisted}, errors ${result.errors}`);
  check(result.errors === 0, "no errors");
  check(result.moves > 0, "moves were played");
  check(persisted >= result.allMoves, "every acknowledged move is persisted");
  check(persisted <= result.allMoves + players / 2, "no more persisted than acknowledged plus one in flight per match");
  check((await dbPids).length > 1, "the database's processes are found (postmaster and backends)");
} finally {
  await running.stop();
}
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
