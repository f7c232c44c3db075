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
  it("pings at once and every intervalMs; past timeoutMs of silence it pings once more and concludes half an interval later", async () => {
    const { w, pings, silences } = watch();
    w.start({ intervalMs: 200, timeoutMs: 700 });
    expect(pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(400);
    expect(pings).toHaveLength(3);
    w.heard(); // at 400
    await vi.advanceTimersByTimeAsync(699);
    expect(silences).toEqual([]);
    const n = pings.length;
    await vi.advanceTimersByTimeAsync(1); // deadline: a confirming ping, no verdict yet
    expect(pings).toHaveLength(n + 1);
    expect(silences).toEqual([]);
    await vi.advanceTimersByTimeAsync(99);
    expect(silences).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(silences).toEqual([800]);
    // Reported once; no more pings after that.
    const m = pings.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(silences).toHaveLength(1);
    expect(pings).toHaveLength(m);
    expect(w.running).toBe(false);
  });

  it("a pong read during the confirmation keeps the server", async () => {
    const { w, silences } = watch();
    w.start({ intervalMs: 200, timeoutMs: 700 });
    await vi.advanceTimersByTimeAsync(750);
    w.heard();
    await vi.advanceTimersByTimeAsync(100);
    expect(silences).toEqual([]);
    expect(w.running).toBe(true);
    await vi.advanceTimersByTimeAsync(800);
    expect(silences).toEqual([800]);
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
    await vi.advanceTimersByTimeAsync(3499);
    expect(silences).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(silences).toEqual([3500]);
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
  it("a deadline timer that fired late only confirms: the pongs queued meanwhile are read before the second look", async () => {
    const silences: number[] = [];
    let clock = 0;
    const w = new SilenceWatch({ ping() {}, silent: (ms) => silences.push(ms), now: () => clock });
    w.start({ intervalMs: 500, timeoutMs: 1500 });
    // The page froze for 5 s: the deadline timer runs at 5000 instead of 1500.
    clock = 5000;
    await vi.advanceTimersByTimeAsync(1500);
    expect(silences).toEqual([]);
    // The pong queued during the freeze is read right after.
    w.heard();
    clock = 5250;
    await vi.advanceTimersByTimeAsync(250);
    expect(silences).toEqual([]);
    // Really silent from then on: the deadline, its confirmation, then the verdict.
    clock = 6500;
    await vi.advanceTimersByTimeAsync(1250);
    expect(silences).toEqual([]);
    clock = 6750;
    await vi.advanceTimersByTimeAsync(250);
    expect(silences).toEqual([1750]);
  });

  it("a page that is always late still gives a silent server up, at the second look", async () => {
    const silences: number[] = [];
    let clock = 0;
    const w = new SilenceWatch({ ping() {}, silent: (ms) => silences.push(ms), now: () => clock });
    w.start({ intervalMs: 500, timeoutMs: 1500 });
    clock = 3000; // 1.5 s late: confirm
    await vi.advanceTimersByTimeAsync(1500);
    expect(silences).toEqual([]);
    clock = 4200; // late again: concluded
    await vi.advanceTimersByTimeAsync(250);
    expect(silences).toEqual([4200]);
  });
});
