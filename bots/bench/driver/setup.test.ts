import { describe, expect, it } from "vitest";
import { measuredWindow, setUpPairs } from "./setup.ts";

describe("setUpPairs", () => {
  it("makes every pair once, at most `concurrency` at a time, and reports failures as they come", async () => {
    let running = 0;
    let most = 0;
    const into: number[] = [];
    const reported: Array<[string, number]> = [];
    const { failures } = await setUpPairs({
      count: 7,
      concurrency: 3,
      deadline: Date.now() + 60_000,
      into,
      make: async (i) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        if (i % 3 === 1) throw new Error(`pair ${i} failed`);
        return i;
      },
      onError: (err, n) => reported.push([err.message, n]),
    });
    expect(into.sort()).toEqual([0, 2, 3, 5, 6]);
    expect(failures).toBe(2);
    expect(reported.map(([, n]) => n)).toEqual([1, 2]);
    expect(reported.map(([m]) => m).sort()).toEqual(["pair 1 failed", "pair 4 failed"]);
    expect(most).toBe(3);
  });

  it("starts no pair after the deadline", async () => {
    const into: number[] = [];
    const { failures } = await setUpPairs({
      count: 5,
      concurrency: 2,
      deadline: Date.now() - 1,
      into,
      make: async (i) => i,
      onError: () => {},
    });
    expect(into).toEqual([]);
    expect(failures).toBe(0);
  });
});

describe("measuredWindow", () => {
  it("waits again when the timer wakes before the window is over, and reports the real length", async () => {
    // A clock that has moved only 9 ms when the first timer fires: the window is not over.
    const readings = [0, 9, 10.4];
    const now = () => readings.shift() ?? 20;
    expect(await measuredWindow(10, now)).toBe(10.4);
    expect(readings).toEqual([]);
  });

  it("never returns less than the window on the real clock", async () => {
    for (let i = 0; i < 5; i++) expect(await measuredWindow(20)).toBeGreaterThanOrEqual(20);
  });
});
