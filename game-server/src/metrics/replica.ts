/**
 * The read replica as the node sees it (db/reads.ts): its lag and whether it
 * answers, read from the background check at each scrape, and every history
 * or replay read counted by where it went and why. No replica configured: the
 * gauges have no sample (the lag alert stays silent) and reads count as
 * `target="primary", reason="none"`.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { ReadReason, ReplicaState } from "../db/replicaLag.ts";

/**
 * Register the replica metrics in `registry`; `state` is read at each scrape (set it with `watch`). The
 * gauges carry the replica's `host:port` as label `replica`: labelled, "no sample" is possible (an unlabelled
 * gauge always reports, 0 when unset, which would read as "no lag").
 */
export function replicaMetrics(registry: Registry) {
  const registers = [registry];
  const holder: { state: (() => ReplicaState) | undefined; replica: string } = { state: undefined, replica: "" };
  new Gauge({
    name: "tabula_replica_lag_seconds",
    help: "How far the read replica is behind the primary, seconds (+Inf: unknown); no sample while it is down or not configured",
    labelNames: ["replica"],
    registers,
    collect() {
      this.reset();
      const s = holder.state?.();
      if (s?.configured && s.up) this.set({ replica: holder.replica }, s.lagS);
    },
  });
  new Gauge({
    name: "tabula_replica_up",
    help: "1 while the read replica answers its checks, 0 while it does not; no sample when none is configured",
    labelNames: ["replica"],
    registers,
    collect() {
      this.reset();
      const s = holder.state?.();
      if (s?.configured) this.set({ replica: holder.replica }, s.up ? 1 : 0);
    },
  });
  const reads = new Counter<"target" | "reason">({
    name: "tabula_replica_reads_total",
    help: "History and replay reads, by where they ran (replica, primary) and why (fresh, none, down, lag, error, stale)",
    labelNames: ["target", "reason"],
    registers,
  });
  return {
    /** Counts each read (db/reads.ts ReadCounter). */
    reads: reads as { inc(labels: { target: "replica" | "primary"; reason: ReadReason }): void },
    /** Where the gauges read the replica's state from, and the replica's URL (only its host:port is shown). */
    watch(state: () => ReplicaState, replicaUrl: string | undefined) {
      holder.state = state;
      holder.replica = replicaUrl ? new URL(replicaUrl).host : "";
    },
  };
}
