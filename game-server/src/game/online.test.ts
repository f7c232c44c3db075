import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryOnlineTracker, WINDOW_MS } from "./online.ts";

afterEach(() => vi.useRealTimers());

// The same behaviour from the Redis tracker, against a real redis-server: test/integration/online.test.ts.
for (const [name, make] of [["memory", (now: () => number) => createMemoryOnlineTracker(now)]] as const) {
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
