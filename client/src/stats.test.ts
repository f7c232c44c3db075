import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Stats } from "./api.ts";
import { STATS_INTERVAL_MS, STATS_OFFLINE_RETRY_MS, StatsTicker, statsText } from "./stats.ts";

const stats = (playersOnline: number, gamesLive = 0): Stats => ({ playersOnline, gamesLive, node: "n1" });

function ticker(answers: Array<Stats | Error | Promise<Stats>>) {
  const shown: Array<Stats | null> = [];
  let calls = 0;
  const t = new StatsTicker({
    fetch: async () => {
      const a = answers[Math.min(calls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    },
    show: (s) => shown.push(s),
  });
  return { t, shown, calls: () => calls };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("StatsTicker", () => {
  it("shows the counts at once, then every 10 s", async () => {
    const { t, shown, calls } = ticker([stats(1, 1), stats(2, 1)]);
    await t.refresh();
    expect(shown).toEqual([stats(1, 1)]);
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS - 1);
    expect(calls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(shown.at(-1)).toEqual(stats(2, 1));
    t.stop();
  });

  it("says offline when the server cannot be reached, and retries every 2 s until it can", async () => {
    const { t, shown, calls } = ticker([new Error("down"), new Error("down"), stats(3)]);
    await t.refresh();
    expect(shown).toEqual([null]);
    await vi.advanceTimersByTimeAsync(STATS_OFFLINE_RETRY_MS);
    expect(shown).toEqual([null, null]);
    await vi.advanceTimersByTimeAsync(STATS_OFFLINE_RETRY_MS);
    expect(shown.at(-1)).toEqual(stats(3));
    expect(calls()).toBe(3);
    // Back to the slow pace.
    await vi.advanceTimersByTimeAsync(STATS_OFFLINE_RETRY_MS);
    expect(calls()).toBe(3);
    t.stop();
  });

  it("a refresh asked for while one is in flight fetches again once (its answer may predate the change)", async () => {
    let release!: (s: Stats) => void;
    const first = new Promise<Stats>((r) => {
      release = r;
    });
    const { t, shown, calls } = ticker([first, stats(1, 1)]);
    const a = t.refresh();
    const b = t.refresh();
    const c = t.refresh();
    release(stats(0, 0));
    await Promise.all([a, b, c]);
    expect(calls()).toBe(2);
    // The answer that may predate the change is not shown: only the newer one.
    expect(shown).toEqual([stats(1, 1)]);
    t.stop();
  });

  it("a request that failed while offline does not overwrite the counts asked for once back online", async () => {
    let fail!: (e: Error) => void;
    const offline = new Promise<Stats>((_, reject) => {
      fail = reject;
    });
    const { t, shown } = ticker([offline, stats(2, 1)]);
    const stale = t.refresh(); // sent while offline: hangs, then fails
    const back = t.refresh(); // the connection is back
    fail(new Error("offline"));
    await Promise.all([stale, back]);
    expect(shown).toEqual([stats(2, 1)]);
    t.stop();
  });

  it("a refresh restarts the period; stop() ends it", async () => {
    const { t, calls } = ticker([stats(1)]);
    await t.refresh();
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS - 100);
    await t.refresh();
    await vi.advanceTimersByTimeAsync(STATS_INTERVAL_MS - 1);
    expect(calls()).toBe(2);
    t.stop();
    await vi.advanceTimersByTimeAsync(10 * STATS_INTERVAL_MS);
    expect(calls()).toBe(2);
  });
});

describe("statsText", () => {
  it("counts players and games, singular for one game", () => {
    expect(statsText(stats(3, 1))).toBe("3 online · 1 live game");
    expect(statsText(stats(1, 2))).toBe("1 online · 2 live games");
    expect(statsText(null)).toBe("offline");
  });
});
