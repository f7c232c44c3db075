import type { Room } from "@colyseus/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dropRoom, rejoinOverlapping, watchHeartbeat } from "./liveness.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A stand-in for an SDK room: counts pings, answers them when `alive`. */
function fakeRoom(alive: () => boolean) {
  const room = {
    pings: 0,
    closed: [] as number[],
    removed: false,
    reconnection: { enabled: true },
    connection: { close: (code: number) => room.closed.push(code) },
    ping(cb: (ms: number) => void) {
      room.pings++;
      if (alive()) setTimeout(() => cb(5), 5);
    },
    removeAllListeners() {
      room.removed = true;
    },
  };
  return room;
}

describe("watchHeartbeat", () => {
  it("pings every interval and stays quiet while pongs come back", () => {
    const room = fakeRoom(() => true);
    const onSilent = vi.fn();
    const w = watchHeartbeat(room as unknown as Room, { intervalMs: 250, timeoutMs: 750 }, onSilent);
    vi.advanceTimersByTime(5_000);
    expect(onSilent).not.toHaveBeenCalled();
    expect(room.pings).toBeGreaterThanOrEqual(19);
    w.stop();
  });

  it("reports silence once, between timeoutMs and timeoutMs + interval/2 after the last sign of life", () => {
    let alive = true;
    const room = fakeRoom(() => alive);
    const onSilent = vi.fn();
    watchHeartbeat(room as unknown as Room, { intervalMs: 250, timeoutMs: 750 }, onSilent);
    vi.advanceTimersByTime(1_000);
    alive = false;
    const stalledAt = Date.now();
    vi.advanceTimersByTime(700);
    expect(onSilent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(400);
    expect(onSilent).toHaveBeenCalledTimes(1);
    expect(onSilent.mock.calls[0][0]).toBeGreaterThan(750);
    expect(Date.now() - stalledAt).toBeLessThanOrEqual(750 + 250 + 125);
    vi.advanceTimersByTime(5_000);
    expect(onSilent).toHaveBeenCalledTimes(1);
  });

  it("counts messages reported with heard() as signs of life, and takes new figures from update()", () => {
    const room = fakeRoom(() => false);
    const onSilent = vi.fn();
    const w = watchHeartbeat(room as unknown as Room, { intervalMs: 250, timeoutMs: 750 }, onSilent);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      w.heard();
    }
    expect(onSilent).not.toHaveBeenCalled();
    w.update({ intervalMs: 1000, timeoutMs: 3000 });
    vi.advanceTimersByTime(2_500);
    expect(onSilent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_100);
    expect(onSilent).toHaveBeenCalledTimes(1);
  });
});

describe("dropRoom", () => {
  it("disables the SDK's reconnection, removes the callbacks and closes without waiting", () => {
    const room = fakeRoom(() => false);
    dropRoom(room as unknown as Room);
    expect(room.reconnection.enabled).toBe(false);
    expect(room.removed).toBe(true);
    expect(room.closed).toEqual([1000]);
  });
});

describe("rejoinOverlapping", () => {
  it("does not wait for a hanging attempt: the next one starts after gapMs and wins; the late one is released", async () => {
    const release = vi.fn();
    let n = 0;
    const attempt = () => {
      const i = n++;
      // The first attempt hangs 2 s (a stale listing), then succeeds anyway; the second answers at once.
      return new Promise<number>((resolve) => setTimeout(() => resolve(i), i === 0 ? 2_000 : 10));
    };
    const p = rejoinOverlapping(attempt, release, { gapMs: 250 });
    await vi.advanceTimersByTimeAsync(300);
    await expect(p).resolves.toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(release).toHaveBeenCalledWith(0);
  });

  it("keeps at most maxInFlight attempts and stops when onFailure says so", async () => {
    let inFlight = 0;
    let peak = 0;
    const attempt = () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<never>((_, reject) =>
        setTimeout(() => {
          inFlight--;
          reject(new Error("gone"));
        }, 1_000),
      );
    };
    let failures = 0;
    const p = rejoinOverlapping(attempt, () => {}, { gapMs: 100, maxInFlight: 3, onFailure: () => ++failures < 5 });
    const settled = p.catch((err: Error) => err.message);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled).toBe("gone");
    expect(peak).toBe(3);
    expect(failures).toBe(5);
  });

  it("gives up after giveUpMs with the last failure, and stops on abort", async () => {
    const attempt = () => Promise.reject(new Error("no room"));
    const p = rejoinOverlapping(attempt, () => {}, { gapMs: 100, giveUpMs: 1_000 }).catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(await p).toBe("no room");

    const ac = new AbortController();
    const q = rejoinOverlapping(
      () => new Promise<never>(() => {}),
      () => {},
      { signal: ac.signal },
    ).catch(() => "aborted");
    ac.abort();
    expect(await q).toBe("aborted");
  });
});

describe("rejoinOverlapping, when onFailure itself fails", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  it("keeps trying", async () => {
    let n = 0;
    const attempt = () => (n++ < 2 ? Promise.reject(new Error("no room")) : Promise.resolve("in"));
    const p = rejoinOverlapping(attempt, () => {}, {
      gapMs: 100,
      onFailure: () => Promise.reject(new Error("status check failed")),
    });
    await vi.advanceTimersByTimeAsync(500);
    await expect(p).resolves.toBe("in");
  });
});
