import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { ReplicaState } from "../db/replicaLag.ts";
import { replicaMetrics } from "./replica.ts";

/** The `tabula_replica_` sample lines of `registry`. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((l) => l.startsWith("tabula_replica_"));
}

describe("replica metrics", () => {
  it("no replica configured: no lag or up sample (the alerts stay silent)", async () => {
    const registry = new Registry();
    replicaMetrics(registry).watch(() => ({ configured: false, up: false, lagS: Number.POSITIVE_INFINITY }), undefined);
    expect(await samples(registry)).toEqual([]);
  });

  it("up: its lag and up = 1, labelled with the replica's host:port (never its password)", async () => {
    const registry = new Registry();
    let state: ReplicaState = { configured: true, up: true, lagS: 0.25 };
    const m = replicaMetrics(registry);
    m.watch(() => state, "postgresql://u:secret@10.0.0.5:5433/tabula");
    m.reads.inc({ target: "replica", reason: "fresh" });
    expect(await samples(registry)).toEqual([
      'tabula_replica_lag_seconds{replica="10.0.0.5:5433"} 0.25',
      'tabula_replica_up{replica="10.0.0.5:5433"} 1',
      'tabula_replica_reads_total{target="replica",reason="fresh"} 1',
    ]);
    // Down: up = 0 and no lag figure (an old one would read as "caught up").
    state = { configured: true, up: false, lagS: Number.POSITIVE_INFINITY };
    const down = await samples(registry);
    expect(down.filter((l) => l.startsWith("tabula_replica_lag_seconds"))).toEqual([]);
    expect(down).toContain('tabula_replica_up{replica="10.0.0.5:5433"} 0');
  });
});
