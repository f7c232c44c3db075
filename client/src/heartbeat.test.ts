import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_HEARTBEAT, SilenceWatch } from "./heartbeat.ts";

function watch() {
  const pings: number[] = [];
  const silences: number[] = [];
  const w = new SilenceWatch({ ping: () => pings.push(Date.now()), silent: (ms) => silences.push(ms) });
  return { w, pings, silences };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("SilenceWatch", () => {
  it("pings at once and every intervalMs, and reports silence exactly timeoutMs after the last sign of life", async () => {
    const { w, pings, silences } = watch();
    w.start({ intervalMs: 200, timeoutMs: 700 });
    expect(pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(pings).toHaveLength(3);
    w.heard(); // at 400
    await vi.advanceTimersByTimeAsync(699);
    expect(silences).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(silences).toEqual([700]);
    // Reported once; no more pings after that.
    const n = pings.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(silences).toHaveLength(1);
    expect(pings).toHaveLength(n);
    expect(w.running).toBe(false);
  });

  it("never reports while something keeps coming in", async () => {
    const { w, silences } = watch();
    w.start({ intervalMs: 100, timeoutMs: 300 });
    for (let i = 0; i < 100; i++) {
      await vi.advanceTimersByTimeAsync(250);
      w.heard();
    }
    expect(silences).toEqual([]);
    w.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(silences).toEqual([]);
  });

  it("takes new settings from a snapshot, restarting only when they change", async () => {
    const { w, pings, silences } = watch();
    w.start();
    expect(w.settings).toEqual(DEFAULT_HEARTBEAT);
    w.configure({ intervalMs: 1000, timeoutMs: 3000 });
    expect(pings).toHaveLength(2); // restarted: pinged again at once
    w.configure({ intervalMs: 1000, timeoutMs: 3000 });
    expect(pings).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2999);
    expect(silences).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(silences).toEqual([3000]);
  });

  it("before start, configure only stores the settings", async () => {
    const { w, pings } = watch();
    w.configure({ intervalMs: 50, timeoutMs: 100 });
    expect(w.running).toBe(false);
    expect(pings).toEqual([]);
    expect(w.settings).toEqual({ intervalMs: 50, timeoutMs: 100 });
  });

  it("repairs nonsense from the wire: defaults for missing or non-positive values, timeout ≥ interval", () => {
    const { w } = watch();
    w.configure({ intervalMs: -1, timeoutMs: Number.NaN });
    expect(w.settings).toEqual(DEFAULT_HEARTBEAT);
    w.configure({ intervalMs: 800, timeoutMs: 100 });
    expect(w.settings).toEqual({ intervalMs: 800, timeoutMs: 800 });
    w.configure(undefined as never);
    expect(w.settings).toEqual(DEFAULT_HEARTBEAT);
    w.configure({ intervalMs: 4000, timeoutMs: 0 });
    expect(w.settings).toEqual({ intervalMs: 4000, timeoutMs: 4000 });
  });
});

describe("SilenceWatch on a page that did not run", () => {
  it("does not conclude from a deadline timer that fired late (the pongs may be queued behind it); checks again one interval later", async () => {
    const silences: number[] = [];
    let clock = 0;
    const w = new SilenceWatch({ ping() {}, silent: (ms) => silences.push(ms), now: () => clock });
    w.start({ intervalMs: 500, timeoutMs: 1500 });
    // The page froze for 5 s: the deadline timer runs at 5000 instead of 1500.
    clock = 5000;
    await vi.advanceTimersByTimeAsync(1500);
    expect(silences).toEqual([]);
    // The queued pong is read right after.
    w.heard();
    clock = 5500;
    await vi.advanceTimersByTimeAsync(500);
    expect(silences).toEqual([]);
    // Really silent from then on: concluded on time.
    clock = 6500;
    await vi.advanceTimersByTimeAsync(1000);
    expect(silences).toEqual([1500]);
  });
});

describe("SilenceWatch on a page that is always late", () => {
  it("puts the conclusion off only once per silence: an overloaded page still gives a silent server up", async () => {
    const silences: number[] = [];
    let clock = 0;
    const w = new SilenceWatch({ ping() {}, silent: (ms) => silences.push(ms), now: () => clock });
    w.start({ intervalMs: 500, timeoutMs: 1500 });
    clock = 3000; // 1.5 s late
    await vi.advanceTimersByTimeAsync(1500);
    expect(silences).toEqual([]);
    clock = 4200; // late again: concluded anyway
    await vi.advanceTimersByTimeAsync(500);
    expect(silences).toEqual([4200]);
  });
});
