/**
 * What the single-node matchmaker reports: the queue lengths the gauge reads
 * and each quick-play ticket's wait (the Redis matchmaker's are checked in
 * test/cluster/monitoring.test.ts against a real cluster).
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createMemoryMatchmaker } from "../matchmaking/memoryMatchmaker.ts";
import { createMetrics } from "./metrics.ts";

describe("memory matchmaker's metrics", () => {
  it("reports waiting tickets per queue and, at pairing, how long each ticket waited", async () => {
    const metrics = createMetrics({ defaults: false });
    const clock = { ms: 1_000_000 };
    const mm = createMemoryMatchmaker({
      log: pino({ level: "silent" }),
      now: () => clock.ms,
      playerName: async (id) => id,
      pair: async () => "g1",
      metrics,
    });
    metrics.queues = () => mm.queued();
    try {
      await mm.quickPlay("a", "chess", "3+2");
      await mm.quickPlay("c", "connect4", "3+5");
      const gauge = async (game: string, time_control: string) =>
        (await metrics.registry.getSingleMetric("tabula_matchmaking_queue_length")?.get())?.values.find(
          (v) => v.labels.game === game && v.labels.time_control === time_control,
        )?.value;
      expect(await gauge("chess", "3+2")).toBe(1);
      expect(await gauge("connect4", "3+5")).toBe(1);

      clock.ms += 2_500; // a waits 2.5 s for b; b waits nothing
      expect((await mm.quickPlay("b", "chess", "3+2")).status).toBe("matched");
      expect(await gauge("chess", "3+2")).toBe(0);
      const wait = (await metrics.matchmakingWaitSeconds.get()).values;
      const of = (name: string) => wait.find((v) => (v as { metricName?: string }).metricName === name)?.value;
      expect(of("tabula_matchmaking_wait_seconds_count")).toBe(2);
      expect(of("tabula_matchmaking_wait_seconds_sum")).toBe(2.5);
    } finally {
      mm.close();
    }
  });
});
