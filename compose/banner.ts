/** What `npm run cluster` prints once everything is up: where to open it, what runs where, how to stop. */
import { relative } from "node:path";
import { type ClusterState, PG_PORT, REPLICA_PORT } from "./clusterState.ts";
import { describeSentinelGroup, type RedisSentinelGroup } from "./sentinel.ts";
import { REPO_ROOT } from "./spawn.ts";

/** The boxed summary of a running cluster, on stdout. `secs`: how long it took to start. */
export function printBanner(opts: {
  secs: number;
  state: ClusterState;
  url: string;
  prometheusUrl?: string;
  sentinel?: RedisSentinelGroup;
  redisUrl?: string;
}): void {
  const lines = [
    `Tabula cluster is running (${opts.secs.toFixed(1)} s): ${opts.state.nodes.length} nodes behind nginx`,
    "",
    `  open    ${opts.url}`,
    `  nodes   ${opts.state.nodes.map((n) => `${n.id} 127.0.0.1:${n.port}`).join(", ")}`,
    `  metrics ${opts.state.nodes.map((n) => `${n.id} 127.0.0.1:${n.metricsPort ?? "-"}`).join(", ")}   (GET /metrics)`,
    ...(opts.prometheusUrl ? [`  prometheus  ${opts.prometheusUrl}/   (rules and dashboard: compose/monitoring/)`] : []),
    ...(opts.sentinel
      ? describeSentinelGroup(opts.sentinel).map((l, i) => `${i ? "         " : "  redis  "} ${l}`)
      : [`  redis   ${opts.redisUrl}`]),
    `  postgres  ${opts.state.postgres?.embedded ? `embedded, 127.0.0.1:${PG_PORT}` : "DATABASE_URL"}`,
    ...(opts.state.replica ? [`  replica   127.0.0.1:${REPLICA_PORT} (history and replay reads; REPLICA_DATABASE_URL)`] : []),
    "  nginx   config and logs in .data/cluster/nginx/{conf,logs}/",
    "",
    "  add a node:  npm run cluster:add-node    (in another terminal)",
    "  stop:        Ctrl-C",
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const bar = "═".repeat(width + 2);
  console.log(`\n╔${bar}╗\n${lines.map((l) => `║  ${l.padEnd(width)}║`).join("\n")}\n╚${bar}╝\n`);
}

/** `path` relative to the repository when inside it (.data/postgres), else as it is (/srv/tabula/pg). */
export function shownPath(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith("..") ? path : rel;
}
