/** bench:conns arithmetic: per-connection deltas, quantiles and the table. */
import { describe, expect, it } from "vitest";
import { type ConnsMeasurement, formatTable, perConnection, quantile } from "./connsReport.ts";

const at = (connections: number, over: Partial<ConnsMeasurement> = {}): ConnsMeasurement => ({
  connections,
  nodeHeap: 0,
  nodeExternal: 0,
  nodeRss: 0,
  nodeFds: 0,
  nginxRss: 0,
  nginxFds: 0,
  nginxWorkerFds: [],
  liveMoves: 0,
  liveErrors: 0,
  liveP50: null,
  liveP99: null,
  windowMs: 1000,
  ...over,
});

describe("perConnection", () => {
  it("divides each delta by the connections added in the step", () => {
    const before = at(1000, { nodeHeap: 50e6, nodeRss: 150e6, nginxRss: 30e6, nodeFds: 1100, nginxFds: 2100 });
    const after = at(3000, { nodeHeap: 70e6, nodeRss: 180e6, nginxRss: 58e6, nodeFds: 3100, nginxFds: 6100, liveP99: 42 });
    const step = perConnection(before, after, { rampMs: 5, failures: 1, closedEarly: 0 });
    expect(step.added).toBe(2000);
    expect(step.perConnection.nodeHeap).toBe(10_000);
    expect(step.perConnection.nodeRss).toBe(15_000);
    expect(step.perConnection.nginxRss).toBe(14_000);
    expect(step.perConnection.nodeFds).toBe(1);
    expect(step.perConnection.nginxFds).toBe(2);
    expect(step.live.p99Ms).toBe(42);
    expect(step.failures).toBe(1);
  });

  it("reports zero per connection for a step that added none", () => {
    expect(
      perConnection(at(10, { nodeHeap: 5 }), at(10, { nodeHeap: 9 }), { rampMs: 0, failures: 0, closedEarly: 0 }).perConnection
        .nodeHeap,
    ).toBe(0);
  });
});

describe("quantile", () => {
  it("takes the nearest rank, null when there is nothing", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe("formatTable", () => {
  it("prints KB per connection and the live round trips, one row per step", () => {
    const step = perConnection(at(0), at(1024, { nodeHeap: 1024 * 1024 * 10, liveP50: 12, liveP99: 80 }), {
      rampMs: 0,
      failures: 0,
      closedEarly: 0,
    });
    const lines = formatTable([step]).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("node heap KB/conn");
    expect(lines[1]).toMatch(/^\s*1024\s+1024\s+10\.0\s/);
    expect(lines[1]).toContain("12|80");
  });
});
