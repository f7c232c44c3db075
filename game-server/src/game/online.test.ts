import type { Redis } from "ioredis";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryOnlineTracker, createRedisOnlineTracker, WINDOW_MS } from "./online.ts";

/** Just the sorted-set commands the tracker uses, in memory. */
function fakeRedis() {
  const zset = new Map<string, number>();
  const redis = {
    zset,
    async zadd(_key: string, ...args: Array<string | number>) {
      for (let i = 0; i < args.length; i += 2) zset.set(String(args[i + 1]), Number(args[i]));
      return 1;
    },
    multi() {
      let from = 0;
      const chain = {
        zremrangebyscore(_k: string, _min: string, max: number) {
          from = max;
          return chain;
        },
        zcard() {
          return chain;
        },
        async exec() {
          for (const [id, at] of zset) if (at <= from) zset.delete(id);
          return [
            [null, 0],
            [null, zset.size],
          ];
        },
      };
      return chain;
    },
  };
  return redis;
}

afterEach(() => vi.useRealTimers());

for (const [name, make] of [
  ["memory", (now: () => number) => createMemoryOnlineTracker(now)],
  ["redis", (now: () => number) => createRedisOnlineTracker(fakeRedis() as unknown as Redis, now)],
] as const) {
  describe(`online tracker (${name})`, () => {
    it("counts a player seen on the API for 90 s, once however often", async () => {
      let t = 1_000_000;
      const online = make(() => t);
      online.touch("a");
      online.touch("a");
      online.touch("b");
      expect(await online.count()).toBe(2);
      t += WINDOW_MS - 1;
      online.touch("b");
      expect(await online.count()).toBe(2);
      t += 2;
      expect(await online.count()).toBe(1);
      online.close();
    });

    it("counts a player in a game from the moment their socket joins", async () => {
      const t = 1_000_000;
      const online = make(() => t);
      online.socket("p", 1);
      await Promise.resolve();
      expect(await online.count()).toBe(1);
      online.socket("p", 1); // a second socket (spectating elsewhere): still one player
      online.socket("p", -1);
      expect(await online.count()).toBe(1);
      online.close();
    });
  });
}

describe("online tracker (memory)", () => {
  it("keeps a connected player however long they play, and lets them go 90 s after the last socket closed", async () => {
    let t = 0;
    const online = createMemoryOnlineTracker(() => t);
    online.socket("p", 1);
    t += 10 * WINDOW_MS;
    expect(await online.count()).toBe(1);
    online.socket("p", -1);
    expect(await online.count()).toBe(0);
  });
});

describe("online tracker (redis)", () => {
  it("refreshes the players connected to this node, so a long game does not drop them", async () => {
    vi.useFakeTimers();
    let t = 0;
    const redis = fakeRedis();
    const online = createRedisOnlineTracker(redis as unknown as Redis, () => t);
    online.socket("p", 1);
    online.socket("q", 1);
    online.socket("q", -1);
    t = WINDOW_MS / 3;
    await vi.advanceTimersByTimeAsync(WINDOW_MS / 3);
    expect(redis.zset.get("p")).toBe(WINDOW_MS / 3);
    expect(redis.zset.get("q")).toBe(0); // not connected: not refreshed
    t = WINDOW_MS + 1;
    expect(await online.count()).toBe(1);
    online.close();
    t = 10 * WINDOW_MS;
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(await online.count()).toBe(0);
  });
});
