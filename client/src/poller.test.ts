import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Poller } from "./poller.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Poller", () => {
  it("runs at once, then every interval while active", async () => {
    const task = vi.fn(async () => {});
    const p = new Poller(task, 5000);
    p.setActive(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    p.setActive(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it("times the next run from the end of a slow one, never overlapping", async () => {
    let running = 0;
    let maxRunning = 0;
    const task = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 3000));
      running--;
    });
    const p = new Poller(task, 5000);
    p.setActive(true);
    await vi.advanceTimersByTimeAsync(7999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    void p.refresh();
    void p.refresh();
    await vi.advanceTimersByTimeAsync(3000);
    // The two refreshes during the second run fold into one more run.
    expect(task).toHaveBeenCalledTimes(3);
    expect(maxRunning).toBe(1);
    p.setActive(false);
  });

  it("refreshes on demand and restarts the interval", async () => {
    const task = vi.fn(async () => {});
    const p = new Poller(task, 5000);
    p.setActive(true);
    await vi.advanceTimersByTimeAsync(4000);
    await p.refresh();
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4999);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(3);
    p.setActive(false);
  });

  it("keeps polling after a failure", async () => {
    const task = vi.fn(async () => {
      throw new Error("down");
    });
    const p = new Poller(task, 1000);
    p.setActive(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(task).toHaveBeenCalledTimes(3);
    p.setActive(false);
  });

  it("does not poll when inactive, but refresh() still runs once", async () => {
    const task = vi.fn(async () => {});
    const p = new Poller(task, 1000);
    await p.refresh();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(1);
  });
});
