/**
 * Matchmakers standing for several nodes on one real redis-server, for the
 * Redis matchmaking tests: the server is started once per file, every
 * matchmaker made is closed and Redis emptied after each test.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { type RedisHandle, silentSink, startRedis } from "../../../compose/processes.ts";
import type { Matchmaker, PairingHandler } from "../../src/matchmaking/matchmaker.ts";
import { createRedisMatchmaker } from "../../src/matchmaking/redisMatchmaker.ts";

/** Register the hooks of a file using matchmakers on a shared Redis; `redis()` is a client of it. */
export function useRedisMatchmakers(dirPrefix: string) {
  const log = pino({ level: "silent" });
  let redisServer: RedisHandle;
  let client: Redis;
  let dir: string;
  const open: Matchmaker[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
    redisServer = await startRedis({ dir, output: silentSink });
    client = new Redis(redisServer.url);
  });
  afterEach(async () => {
    for (const m of open.splice(0)) m.close();
    await client.flushall();
  });
  afterAll(async () => {
    client?.disconnect();
    await redisServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    redis: () => client,
    /**
     * A node's matchmaker on the shared Redis, with `pair` as its game factory and the test's clock;
     * resolves once its connection is up (it fails fast, without queueing, while Redis is unreachable).
     */
    async node(pair: PairingHandler, clock: { now: number } | null = null, pairingTimeoutMs = 10_000) {
      const m = createRedisMatchmaker({
        redis: { kind: "url", url: redisServer.url },
        pair,
        playerName: async (id) => `name-${id}`,
        log,
        pairingTimeoutMs,
        ...(clock ? { now: () => clock.now } : {}),
      });
      open.push(m);
      await vi.waitFor(() => m.inviteInfo("AAAAAA"));
      return m;
    },
  };
}
