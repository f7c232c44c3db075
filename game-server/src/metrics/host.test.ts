/**
 * What the game host reports (through HostDeps.metrics), on the fakes of
 * test/support/host.ts: a broadcast move is timed, a refusal counted by its
 * code, a fenced-out write counted; the bot's moves and refusals nobody
 * receives are not.
 */
import { describe, expect, it } from "vitest";
import { move, setup } from "../../test/support/host.ts";
import { createMetrics, type Metrics } from "./metrics.ts";

/** A counter's value, or a histogram's observation count, over the samples matching `labels`. */
async function count(m: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = ((await m.registry.getSingleMetric(name)?.get())?.values ?? []) as Array<{
    labels: Record<string, unknown>;
    value: number;
    metricName?: string;
  }>;
  const matches = (l: Record<string, unknown>) => Object.entries(labels).every(([k, v]) => l[k] === v);
  const counted = (v: { metricName?: string }) => v.metricName === undefined || v.metricName === `${name}_count`;
  return values.filter((v) => counted(v) && matches(v.labels)).reduce((n, v) => n + v.value, 0);
}

describe("GameHost's metrics", () => {
  it("times each player's move from its arrival to its broadcast", async () => {
    const metrics = createMetrics({ defaults: false });
    const s = await setup(undefined, { metrics });
    await move(s, "p0", "3");
    await move(s, "p1", "4");
    expect(await count(metrics, "tabula_move_handling_seconds")).toBe(2);
    expect(s.outbox.of("p1", "moved")).toHaveLength(2);
  });

  it("counts refusals by code, and does not time a refused move", async () => {
    const metrics = createMetrics({ defaults: false });
    const s = await setup(undefined, { metrics });
    await move(s, "p1", "3"); // not p1's turn
    await move(s, "p0", "3", 5); // wrong ply
    expect(await count(metrics, "tabula_refused_messages_total", { code: "NOT_YOUR_TURN" })).toBe(1);
    expect(await count(metrics, "tabula_refused_messages_total", { code: "STALE_PLY" })).toBe(1);
    expect(await count(metrics, "tabula_move_handling_seconds")).toBe(0);
  });

  it("counts a write fenced out by a newer owner", async () => {
    const metrics = createMetrics({ defaults: false });
    const s = await setup(undefined, { metrics });
    s.storage.row.leaseToken = 2n;
    await move(s, "p0", "3");
    expect(s.outbox.relinquished).toHaveLength(1);
    expect(await count(metrics, "tabula_fenced_writes_total")).toBe(1);
    expect(await count(metrics, "tabula_move_handling_seconds")).toBe(0);
  });
});
