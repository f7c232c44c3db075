/**
 * The arithmetic and the table of `npm run bench:conns`: from two
 * measurements of the cluster (before and after a step of new idle
 * connections), what one new connection cost.
 */

/** The cluster as measured at one moment (memory in bytes, after a forced GC on the nodes). */
export interface ConnsMeasurement {
  connections: number;
  /** V8 heap in use, all nodes. */
  nodeHeap: number;
  /** Memory outside the V8 heap (`external` + `arrayBuffers`), all nodes. */
  nodeExternal: number;
  nodeRss: number;
  nodeFds: number;
  /** nginx master and workers. */
  nginxRss: number;
  nginxFds: number;
  nginxWorkerFds: number[];
  liveMoves: number;
  liveErrors: number;
  liveP50: number | null;
  liveP99: number | null;
  windowMs: number;
}

/** One step: the totals reached and what each new connection cost, bytes (KB in the table). */
export interface ConnsStep {
  connections: number;
  added: number;
  perConnection: { nodeHeap: number; nodeExternal: number; nodeRss: number; nginxRss: number; nodeFds: number; nginxFds: number };
  totals: { nodeHeap: number; nodeRss: number; nginxRss: number; nodeFds: number; nginxFds: number; nginxWorkerFds: number[] };
  live: { moves: number; errors: number; p50Ms: number | null; p99Ms: number | null };
  rampMs: number;
  failures: number;
  closedEarly: number;
}

/** The step from `before` to `after`: deltas divided by the connections added (0 added: 0 each). */
export function perConnection(
  before: ConnsMeasurement,
  after: ConnsMeasurement,
  extra: { rampMs: number; failures: number; closedEarly: number },
): ConnsStep {
  const added = after.connections - before.connections;
  const per = (k: "nodeHeap" | "nodeExternal" | "nodeRss" | "nginxRss" | "nodeFds" | "nginxFds") =>
    added > 0 ? (after[k] - before[k]) / added : 0;
  return {
    connections: after.connections,
    added,
    perConnection: {
      nodeHeap: per("nodeHeap"),
      nodeExternal: per("nodeExternal"),
      nodeRss: per("nodeRss"),
      nginxRss: per("nginxRss"),
      nodeFds: per("nodeFds"),
      nginxFds: per("nginxFds"),
    },
    totals: {
      nodeHeap: after.nodeHeap,
      nodeRss: after.nodeRss,
      nginxRss: after.nginxRss,
      nodeFds: after.nodeFds,
      nginxFds: after.nginxFds,
      nginxWorkerFds: after.nginxWorkerFds,
    },
    live: { moves: after.liveMoves, errors: after.liveErrors, p50Ms: after.liveP50, p99Ms: after.liveP99 },
    ...extra,
  };
}

/** The `q` quantile (0..1) of ascending `sorted`, nearest rank; null when empty. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const kb = (b: number) => (b / 1024).toFixed(1);
const ms = (v: number | null) => (v === null ? "-" : v.toFixed(0));

/** The steps as a text table: per-connection KB (node heap, off-heap, RSS; nginx RSS), descriptors, live round trips. */
export function formatTable(steps: ConnsStep[]): string {
  const head = [
    "conns",
    "added",
    "node heap KB/conn",
    "node off-heap KB/conn",
    "node RSS KB/conn",
    "nginx RSS KB/conn",
    "fds/conn node|nginx",
    "node RSS MB",
    "live moves",
    "live p50|p99 ms",
    "failed",
  ];
  const rows = steps.map((s) => [
    String(s.connections),
    String(s.added),
    kb(s.perConnection.nodeHeap),
    kb(s.perConnection.nodeExternal),
    kb(s.perConnection.nodeRss),
    kb(s.perConnection.nginxRss),
    `${s.perConnection.nodeFds.toFixed(2)}|${s.perConnection.nginxFds.toFixed(2)}`,
    (s.totals.nodeRss / 1048576).toFixed(0),
    `${s.live.moves}${s.live.errors ? ` (${s.live.errors} err)` : ""}`,
    `${ms(s.live.p50Ms)}|${ms(s.live.p99Ms)}`,
    String(s.failures + s.closedEarly),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}
