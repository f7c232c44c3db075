import { describe, expect, it } from "vitest";
import { isFailure, type RunResult, ratios, summarizeRun } from "./summary.ts";

const base = { system: "tabula-1", label: "Tabula, 1 node", players: 100, persisted: true };

describe("summarizeRun", () => {
  const run = summarizeRun(
    base,
    { moves: 3000, errors: 2, rttMs: [4, 1, 3, 2, 100], connected: 100, games: 150, windowMs: 1500 },
    {
      windowMs: 1500,
      window: "markers",
      cpuMs: { server: 750.4, database: 300, driver: 450, redis: 30 },
      rows: 3004,
      serverRssDeltaBytes: 1_536_000,
    },
  );

  it("turns the window's counts into rates, percentiles and CPU per move", () => {
    expect(run.movesPerSec).toBe(2000);
    expect(run.rtt).toMatchObject({ p50: 3, p95: 100, p99: 100, max: 100, mean: 22 });
    expect(run.cpuMsPerMove).toEqual({ server: 0.25, database: 0.1, driver: 0.15, redis: 0.01 });
    expect(run.cpuMs.server).toBe(750);
    expect(run.rows).toBe(3004);
    expect(run.games).toBe(150);
    expect(run.kbPerConnection).toBe(15);
  });

  it("keeps rows null for a system that does not persist, and CPU per move null without moves", () => {
    const r = summarizeRun(
      { ...base, persisted: false },
      { moves: 0, errors: 0, rttMs: [], connected: 0 },
      { windowMs: 1000, window: "timed", cpuMs: { server: 10 }, rows: 5, serverRssDeltaBytes: 100 },
    );
    expect(r.rows).toBeNull();
    expect(r.movesPerSec).toBe(0);
    expect(r.cpuMsPerMove.server).toBeNull();
    expect(r.cpuMsPerMove.database).toBeNull();
    expect(r.kbPerConnection).toBeNull();
    expect(r.rtt.p99).toBeNull();
    expect(r.games).toBeNull();
  });
});

describe("ratios", () => {
  const ok = (system: string, players: number, movesPerSec: number) =>
    ({
      ...summarizeRun(
        { ...base, system, players },
        { moves: movesPerSec, errors: 0, rttMs: [1], connected: players },
        { windowMs: 1000, window: "markers", cpuMs: {}, rows: 0, serverRssDeltaBytes: 0 },
      ),
    }) as RunResult;

  it("compares moves/s as the targets name them, per level, and says whether each is met", () => {
    const results: RunResult[] = [
      ok("colyseus", 100, 5000),
      ok("bgio-memory", 100, 1400),
      ok("bgio-postgres", 100, 200),
      ok("tabula-1", 100, 3100),
      ok("tabula-2", 100, 3100), // exactly as fast: "no lower than one node" is met
      ok("colyseus", 20, 4000),
      ok("tabula-1", 20, 2000),
    ];
    const list = ratios(results);
    expect(list.map((r) => [r.players, r.name, Number(r.value.toFixed(3)), r.met])).toEqual([
      [20, "tabula-1 / colyseus", 0.5, false],
      [100, "tabula-1 / colyseus", 0.62, true],
      [100, "tabula-1 / bgio-memory", 2.214, true],
      [100, "tabula-1 / bgio-postgres", 15.5, true],
      [100, "tabula-2 / tabula-1", 1, true],
    ]);
  });

  it("skips a comparison when one side failed or did not run", () => {
    const failed: RunResult = { ...base, system: "colyseus", failed: "start: boom" };
    expect(isFailure(failed)).toBe(true);
    expect(ratios([failed, ok("tabula-1", 100, 3000)])).toEqual([]);
  });
});
