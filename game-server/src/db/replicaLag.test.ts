import { describe, expect, it } from "vitest";
import { LagEstimator, lsnToNumber, route } from "./replicaLag.ts";

describe("lsnToNumber", () => {
  it("reads PostgreSQL's hi/lo WAL positions as bytes", () => {
    expect(lsnToNumber("0/0")).toBe(0);
    expect(lsnToNumber("0/3000A80")).toBe(0x3000a80);
    expect(lsnToNumber("16/B374D848")).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(lsnToNumber("1/0")).toBeGreaterThan(lsnToNumber("0/FFFFFFFF"));
  });
  it("refuses what is not a position", () => {
    expect(() => lsnToNumber("")).toThrow(/not a WAL position/);
    expect(() => lsnToNumber("0-1")).toThrow(/not a WAL position/);
  });
});

describe("LagEstimator", () => {
  it("is 0 when the replica has replayed what the primary had just before", () => {
    const e = new LagEstimator();
    expect(e.observe({ at: 0, primaryLsn: 100, replayLsn: 100, sinceLastReplayMs: 3_600_000 })).toBe(0);
    // Idle primary, old last commit: still no lag (the trap of now() - pg_last_xact_replay_timestamp()).
    expect(e.observe({ at: 60_000, primaryLsn: 100, replayLsn: 100, sinceLastReplayMs: 3_660_000 })).toBe(0);
  });

  it("a replica a moment behind a busy primary lags by its last commit's age, not by the sampling period", () => {
    const e = new LagEstimator();
    e.observe({ at: 0, primaryLsn: 100, replayLsn: 100, sinceLastReplayMs: 5 });
    expect(e.observe({ at: 1000, primaryLsn: 200, replayLsn: 190, sinceLastReplayMs: 8 })).toBeCloseTo(0.008);
  });

  it("WAL without a commit after a quiet hour: bounded by when the primary was last where the replica is", () => {
    const e = new LagEstimator();
    e.observe({ at: 0, primaryLsn: 100, replayLsn: 100, sinceLastReplayMs: 3_600_000 });
    expect(e.observe({ at: 1000, primaryLsn: 150, replayLsn: 120, sinceLastReplayMs: 3_601_000 })).toBe(1);
  });

  it("paused or cut off: grows with time from the last position it reached", () => {
    const e = new LagEstimator();
    e.observe({ at: 0, primaryLsn: 100, replayLsn: 100, sinceLastReplayMs: 10 });
    let lag = 0;
    for (let t = 1000; t <= 10_000; t += 1000) {
      lag = e.observe({ at: t, primaryLsn: 100 + t, replayLsn: 100, sinceLastReplayMs: 10 + t });
    }
    expect(lag).toBe(10);
  });

  it("unknown when nothing bounds it (no position at or below the replica's, no commit replayed)", () => {
    const e = new LagEstimator();
    expect(e.observe({ at: 0, primaryLsn: 500, replayLsn: 100, sinceLastReplayMs: null })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("route", () => {
  it("reads the replica only when it is configured, up and within the bound", () => {
    expect(route({ configured: false, up: false, lagS: 0 }, 5)).toEqual({ target: "primary", reason: "none" });
    expect(route({ configured: true, up: false, lagS: 0 }, 5)).toEqual({ target: "primary", reason: "down" });
    expect(route({ configured: true, up: true, lagS: 5.01 }, 5)).toEqual({ target: "primary", reason: "lag" });
    expect(route({ configured: true, up: true, lagS: Number.POSITIVE_INFINITY }, 5)).toEqual({
      target: "primary",
      reason: "lag",
    });
    expect(route({ configured: true, up: true, lagS: Number.NaN }, 5)).toEqual({ target: "primary", reason: "lag" });
    expect(route({ configured: true, up: true, lagS: 5 }, 5)).toEqual({ target: "replica", reason: "fresh" });
  });
});
