/**
 * The partition job of a node: one maintenance pass (maintain.ts) at start and
 * then every hour. Every node runs it; the advisory lock lets one do the work.
 * A failed pass is logged and retried at the next hour; it never stops the
 * node (months are made PARTITIONS_AHEAD_MONTHS ahead, so there is time).
 */
import { Gauge, type Registry } from "prom-client";
import type pg from "pg";
import type { Logger } from "../../log.ts";
import { maintainPartitions, type PartitionPolicy } from "./maintain.ts";

/** Time between passes. */
export const PARTITION_JOB_EVERY_MS = 3_600_000;

export interface PartitionJob {
  /** The first pass (started at once); resolves when it is over, whatever its outcome. */
  firstPass: Promise<void>;
  /** No more passes; resolves when a pass under way is over. */
  stop(): Promise<void>;
}

/**
 * Start the job on `pool`. With `registry`, exports `tabula_db_partitions_ready_until_seconds{table}`: the end of
 * the last month that has its partition (epoch seconds) as of this node's last pass; an alert fires when it comes
 * near (compose/monitoring).
 */
export function startPartitionJob(pool: pg.Pool, policy: PartitionPolicy, log: Logger, registry?: Registry): PartitionJob {
  const ready = registry
    ? new Gauge({
        name: "tabula_db_partitions_ready_until_seconds",
        help: "End of the last month whose partition exists (epoch seconds), by table, as of this node's last partition pass",
        labelNames: ["table"],
        registers: [registry],
      })
    : undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = (): Promise<void> => {
    running = running.then(async () => {
      try {
        const report = await maintainPartitions(pool, policy, log);
        for (const [table, until] of Object.entries(report.coveredUntil)) ready?.set({ table }, until / 1000);
        if (report.ran) log.debug({ created: report.created.length, retired: report.retired.length }, "partition pass done");
      } catch (err) {
        log.error({ err: (err as Error).message }, "partition maintenance failed; retried in an hour");
      }
    });
    return running;
  };
  const firstPass = pass();
  const timer = setInterval(() => void pass(), PARTITION_JOB_EVERY_MS);
  timer.unref();
  return {
    firstPass,
    stop: () => {
      clearInterval(timer);
      return running;
    },
  };
}
