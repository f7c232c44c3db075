/**
 * The operator page's figures across nodes (metrics/figures.ts) against a
 * real redis-server: two nodes' samplers, each over its own prom-client
 * metrics, publish their samples; either one then answers for both, and the
 * merge adds the moves up and takes the commit quantiles from both nodes'
 * buckets together. Each node's list stays bounded and expires; a stopped
 * node's status goes at once. Time is the test's (`now`), so slots are exact.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisHandle, silentSink, startRedis } from "../../../compose/processes.ts";
import { createLogger } from "../../src/log.ts";
import { createFiguresSampler, FIGURES_WINDOW_MS, figuresKey } from "../../src/metrics/figures.ts";
import { mergeFigures } from "../../src/metrics/figuresMerge.ts";
import type { LiveRoom } from "../../src/metrics/gauges.ts";
import { createMetrics, LATENCY_BUCKETS, WAIT_BUCKETS } from "../../src/metrics/metrics.ts";

let server: RedisHandle;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-figures-"));
  server = await startRedis({ dir, output: silentSink });
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const INTERVAL = 1000;
const bounds = { commit: LATENCY_BUCKETS, pairing: WAIT_BUCKETS };
const log = createLogger({ level: "silent", json: true, nodeId: "test" });
const room = (players: number, spectators: number): LiveRoom => ({
  gauge: () => ({ kind: "connect4", active: true, players, spectators }),
});

function node(nodeId: string, clock: { t: number }) {
  const metrics = createMetrics({ defaults: false });
  const sampler = createFiguresSampler({
    metrics,
    bounds,
    nodeId,
    processId: `proc-${nodeId}`,
    version: "test",
    intervalMs: INTERVAL,
    redis,
    log,
    now: () => clock.t,
  });
  return { metrics, sampler };
}

describe("figures across two nodes (redis)", () => {
  it("either node answers for both: moves added up, quantiles from both nodes' buckets, connections summed", async () => {
    const clock = { t: 1_000_000_000 };
    const a = node("n1", clock);
    const b = node("n2", clock);
    await a.sampler.start();
    await b.sampler.start();

    // One interval: n1 commits 10 moves in 2 ms statements, n2 30 moves in 20 ms ones and pairs a game.
    a.metrics.movesCommitted.inc(10);
    for (let i = 0; i < 10; i++) a.metrics.commitSeconds.observe(0.002);
    b.metrics.movesCommitted.inc(30);
    for (let i = 0; i < 30; i++) b.metrics.commitSeconds.observe(0.02);
    b.metrics.matchmakingWaitSeconds.observe({ game: "connect4" }, 0.3);
    a.metrics.rooms.add(room(2, 1));
    b.metrics.rooms.add(room(2, 0));
    b.metrics.rooms.add(room(1, 3));
    clock.t += INTERVAL;
    await a.sampler.sample();
    await b.sampler.sample();

    clock.t += INTERVAL; // that slot is complete now
    const fromA = await a.sampler.everyNode();
    const fromB = await b.sampler.everyNode();
    expect(fromA.source).toBe("cluster");
    expect(fromA.byNode).toHaveLength(2);
    expect(fromB.byNode).toEqual(fromA.byNode);
    const points = mergeFigures(fromA.byNode, {
      slotMs: INTERVAL,
      windowMs: FIGURES_WINDOW_MS,
      now: clock.t,
      commitBounds: bounds.commit,
      pairingBounds: bounds.pairing,
    });
    expect(points).toHaveLength(1);
    const [p] = points;
    expect(p).toMatchObject({ nodes: 2, movesPerS: 40, pairings: 1, games: 3, players: 5, spectators: 4 });
    // 40 commits, 30 of them in the (10, 25] ms bucket: the cluster's median is there, not n1's 2 ms.
    expect(p.commitP50Ms).toBeGreaterThan(10);
    expect(p.commitP50Ms).toBeLessThanOrEqual(25);
    expect(p.commitP99Ms).toBeLessThanOrEqual(25);
    expect(p.pairingP50Ms).toBeGreaterThan(250);
    expect(p.pairingP50Ms).toBeLessThanOrEqual(500);

    // Each node's status is there; a stopped node's goes at once (its samples stay for the charts).
    const published = await a.sampler.published();
    expect(published?.map((n) => n.info?.nodeId).sort()).toEqual(["n1", "n2"]);
    await b.sampler.stop();
    const after = await a.sampler.published();
    expect(after?.find((n) => n.processId === "proc-n2")?.info).toBeNull();
    expect((await a.sampler.everyNode()).byNode).toHaveLength(2);
    await a.sampler.stop();
  });

  it("keeps each node's list to the window, expiring with it", async () => {
    await redis.flushall();
    const clock = { t: 2_000_000_000 };
    const a = node("n1", clock);
    await a.sampler.start();
    const capacity = Math.ceil(FIGURES_WINDOW_MS / INTERVAL) + 1;
    for (let i = 0; i < capacity + 20; i++) {
      clock.t += INTERVAL;
      await a.sampler.sample();
    }
    expect(await redis.llen(figuresKey("proc-n1"))).toBe(capacity);
    expect(a.sampler.local()).toHaveLength(capacity);
    const ttl = await redis.pttl(figuresKey("proc-n1"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(FIGURES_WINDOW_MS);
    await a.sampler.stop();
  });
});
