import { describe, expect, it } from "vitest";
import { FULL, parseBenchArgs, QUICK, SYSTEM_IDS, UsageError } from "./args.ts";

describe("parseBenchArgs", () => {
  it("defaults to every system at the full levels, chart in docs", () => {
    const o = parseBenchArgs([]);
    expect(o.systems).toEqual([...SYSTEM_IDS]);
    expect(o.players).toEqual(FULL.players);
    expect([o.warmupMs, o.durationMs]).toEqual([FULL.warmupMs, FULL.durationMs]);
    expect(o.chart).toBe("docs/benchmarks/throughput.svg");
  });

  it("--quick: one short level and no chart unless asked", () => {
    const o = parseBenchArgs(["--quick"]);
    expect(o.players).toEqual(QUICK.players);
    expect(o.durationMs).toBe(QUICK.durationMs);
    expect(o.chart).toBe("");
    expect(parseBenchArgs(["--quick", "--chart", "x.svg"]).chart).toBe("x.svg");
  });

  it("keeps systems in table order, levels sorted and unique, seconds as ms", () => {
    const o = parseBenchArgs([
      "--systems",
      "tabula-1,colyseus",
      "--players",
      "200,20,100,20",
      "--duration",
      "2.5",
      "--warmup",
      "0",
    ]);
    expect(o.systems).toEqual(["colyseus", "tabula-1"]);
    expect(o.players).toEqual([20, 100, 200]);
    expect([o.warmupMs, o.durationMs]).toEqual([0, 2500]);
  });

  it("refuses unknown systems, bad levels and bad durations with a UsageError", () => {
    expect(() => parseBenchArgs(["--systems", "colyseus,nakama"])).toThrow(/unknown nakama/);
    expect(() => parseBenchArgs(["--players", "1"])).toThrow(UsageError);
    expect(() => parseBenchArgs(["--players", "20,abc"])).toThrow(UsageError);
    expect(() => parseBenchArgs(["--duration", "0"])).toThrow(UsageError);
    expect(() => parseBenchArgs(["--bogus"])).toThrow(UsageError);
  });
});
