/**
 * The cluster-wide online count (game-server/src/game/online.ts, Redis
 * tracker) against a real redis-server: a player seen on the API counts for
 * 90 s, once however often; a player in a game counts from the moment the
 * socket joins and as long as it stays, even through a long game, because
 * the node refreshes its connected players. Time is the test's clock (the
 * scores in Redis are the tracker's `now`), so nothing waits 90 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RedisHandle, silentSink, startRedis } from "../../../compose/processes.ts";
import { createRedisOnlineTracker, WINDOW_MS } from "../../src/game/online.ts";

let server: RedisHandle;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-online-"));
  server = await startRedis({ dir, output: silentSink });
  redis = new Redis(server.url);
});
afterEach(async () => {
  vi.useRealTimers();
  await redis.flushall();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Let the tracker's fire-and-forget writes reach Redis (one round trip after them). */
const settle = () => redis.ping();

describe("online tracker (redis)", () => {
  it("counts a player seen on the API for 90 s, once however often, across nodes", async () => {
    let t = 1_000_000;
    const nodeA = createRedisOnlineTracker(redis, () => t);
    const nodeB = createRedisOnlineTracker(redis, () => t);
    nodeA.touch("a");
    nodeB.touch("a");
    nodeB.touch("b");
    await settle();
    expect(await nodeA.count()).toBe(2);
    t += WINDOW_MS - 1;
    nodeA.touch("b");
    await settle();
    expect(await nodeB.count()).toBe(2);
    t += 2;
    expect(await nodeA.count()).toBe(1);
    nodeA.close();
    nodeB.close();
  });

  it("counts a player in a game from the moment their socket joins", async () => {
    const online = createRedisOnlineTracker(redis, () => 1_000_000);
    online.socket("p", 1);
    online.socket("p", 1); // a second socket (spectating elsewhere): still one player
    online.socket("p", -1);
    await settle();
    expect(await online.count()).toBe(1);
    online.close();
  });

  it("writes a joining player's score once per refresh interval: quick games one after another cost one write", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let t = 0;
    const online = createRedisOnlineTracker(redis, () => t);
    online.socket("p", 1); // first game
    await settle();
    expect(Number(await redis.zscore("tabula:online", "p"))).toBe(0);
    t = 10_000;
    online.socket("p", -1);
    online.socket("p", 1); // the rematch, 10 s later: no write
    await settle();
    expect(Number(await redis.zscore("tabula:online", "p"))).toBe(0);
    expect(await online.count()).toBe(1);
    online.socket("p", -1);
    t = WINDOW_MS / 3;
    await vi.advanceTimersByTimeAsync(WINDOW_MS / 3); // the refresh: p is not connected, and forgotten
    online.socket("p", 1); // a join a whole interval after the last write: written
    await settle();
    expect(Number(await redis.zscore("tabula:online", "p"))).toBe(WINDOW_MS / 3);
    online.close();
  });

  it("refreshes the players connected to this node, so a long game does not drop them", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let t = 0;
    const online = createRedisOnlineTracker(redis, () => t);
    online.socket("p", 1);
    online.socket("q", 1);
    online.socket("q", -1);
    t = WINDOW_MS / 3;
    await vi.advanceTimersByTimeAsync(WINDOW_MS / 3);
    await settle();
    expect(Number(await redis.zscore("tabula:online", "p"))).toBe(WINDOW_MS / 3);
    expect(Number(await redis.zscore("tabula:online", "q"))).toBe(0); // not connected: not refreshed
    t = WINDOW_MS + 1;
    expect(await online.count()).toBe(1);
    online.close();
    t = 10 * WINDOW_MS;
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect(await online.count()).toBe(0);
  });
});
