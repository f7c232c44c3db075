/**
 * The in-memory boardgame.io system end to end, small: server.ts started by
 * systems.ts on loopback, driver.ts (boardgame.io's own client) playing 4
 * players for about two seconds, its one result line read back. Cheap (no
 * database); the PostgreSQL system is checked by check.ts.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriverResult, RunningSystem } from "../types.ts";
import { bgioSystems } from "./systems.ts";

/** The driver's line: the runner's DriverResult plus matches finished and the window's length. */
type Result = DriverResult & { games: number; windowMs: number };

function runDriver(system: RunningSystem, players: number, durationMs: number): Promise<{ result: Result; stderr: string }> {
  const spec = system.driver({ players, durationMs, warmupMs: 0 });
  const child = spawn(process.execPath, [spec.script, ...spec.args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`driver exited ${code}: ${stderr}`));
      const lines = stdout.trim().split("\n");
      resolve({ result: JSON.parse(lines[lines.length - 1]) as Result, stderr });
    });
  });
}

describe("bgio-memory, end to end", () => {
  const system = bgioSystems.find((s) => s.id === "bgio-memory");
  let running: RunningSystem;
  beforeAll(async () => {
    if (!system) throw new Error("no bgio-memory system");
    running = await system.start(() => {});
  });
  afterAll(() => running?.stop());

  it("is labelled and not persisted", () => {
    expect(system?.label).toBe("boardgame.io 0.50, in-memory");
    expect(system?.persisted).toBe(false);
    expect(bgioSystems.find((s) => s.id === "bgio-postgres")?.persisted).toBe(true);
  });

  it("plays match after match through boardgame.io's client and reports each round trip", async () => {
    const { result } = await runDriver(running, 2, 2_000);
    expect(result.errors).toBe(0);
    // Two finished matches: the pair moved on to a new match (lobby create + joins, the clients switched to it).
    // One pair on loopback plays several a second, even on a busy machine.
    expect(result.games).toBeGreaterThanOrEqual(2);
    expect(result.moves).toBeGreaterThanOrEqual(7 * result.games);
    expect(result.rttMs).toHaveLength(result.moves);
    expect(result.rttMs.every((ms) => ms > 0 && ms < 5_000)).toBe(true);
    expect(result.connected).toBe(2);
    expect(result.windowMs).toBeGreaterThanOrEqual(2_000);
    expect(await running.countMoves()).toBeNull();
    expect(running.serverPids()).toHaveLength(1);
    expect(running.databasePids()).toEqual([]);
  });

  it("refuses a driver run with an odd number of players, saying why", async () => {
    await expect(runDriver(running, 3, 100)).rejects.toThrow(/--players must be an even number/);
  });
});
