import { describe, expect, it } from "vitest";
import { formatClock, isLow, remainingAt, secondsUntil, serverToLocal, type ClockAnchor } from "./clock.ts";

const anchor = (running: 0 | 1 | null, transitMs = 0): ClockAnchor => ({
  clocks: { remainingMs: [60_000, 45_000], running, serverNow: 1_000_000, firstMoveDeadline: null },
  receivedAt: 5_000,
  transitMs,
});

describe("formatClock", () => {
  it("shows minutes and seconds", () => {
    expect(formatClock(180_000)).toBe("3:00");
    expect(formatClock(65_900)).toBe("1:05");
    expect(formatClock(10_000)).toBe("0:10");
  });
  it("shows tenths under ten seconds, and never goes negative", () => {
    expect(formatClock(9_999)).toBe("0:09.9");
    expect(formatClock(4_250)).toBe("0:04.2");
    expect(formatClock(0)).toBe("0:00.0");
    expect(formatClock(-500)).toBe("0:00.0");
  });
  it("shows hours", () => {
    expect(formatClock(3_723_000)).toBe("1:02:03");
  });
});

describe("remainingAt", () => {
  it("ticks only the running seat, from the receipt time", () => {
    expect(remainingAt(anchor(0), 5_000)).toEqual([60_000, 45_000]);
    expect(remainingAt(anchor(0), 7_500)).toEqual([57_500, 45_000]);
    expect(remainingAt(anchor(1), 7_500)).toEqual([60_000, 42_500]);
  });
  it("does not tick when no clock runs, and stops at zero", () => {
    expect(remainingAt(anchor(null), 99_000)).toEqual([60_000, 45_000]);
    expect(remainingAt(anchor(1), 500_000)).toEqual([60_000, 0]);
  });
  it("accounts for the estimated transit time", () => {
    expect(remainingAt(anchor(0, 100), 5_000)).toEqual([59_900, 45_000]);
  });
});

describe("server deadlines", () => {
  it("are converted with the receipt time, whatever the local clock says", () => {
    // Server says: deadline 30 s after its now. We received it at local 5 000.
    expect(serverToLocal(anchor(null), 1_030_000)).toBe(35_000);
    expect(secondsUntil(35_000, 5_000)).toBe(30);
    expect(secondsUntil(35_000, 34_001)).toBe(1);
    expect(secondsUntil(35_000, 40_000)).toBe(0);
  });
});

describe("isLow", () => {
  it("flags the last seconds", () => {
    expect(isLow(5_000, 180_000)).toBe(true);
    expect(isLow(30_000, 180_000)).toBe(false);
  });
});
