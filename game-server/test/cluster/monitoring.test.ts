/**
 * Monitoring against the real thing: a 2-node cluster, Debian's Prometheus
 * scraping it with the shipped configuration and rules (compose/monitoring/),
 * a short bots run. Then: the moves Prometheus counted equal the rows added
 * to the move log; every rules file passes `promtool check rules` and the
 * configuration `promtool check config`; every rule evaluates without error;
 * every dashboard panel's query runs against that Prometheus; and a node
 * added later is scraped without a restart (the targets file follows it).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DASHBOARD_FILES,
  type PrometheusHandle,
  prefixedSink,
  RULE_FILES,
  silentSink,
  startPrometheus,
} from "../../../compose/processes.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { runBotsScript } from "./robots.ts";

const run = promisify(execFile);

interface PromResult {
  status: "success" | "error";
  error?: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

let cluster: Cluster;
let prometheus: PrometheusHandle;
let dir: string;

/** One instant query through Prometheus' HTTP API (the body as Prometheus answered it, errors included). */
async function promQuery(expr: string): Promise<PromResult> {
  const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await r.json()) as PromResult;
}

/** The single value of `expr`, or undefined when it has none. */
async function scalar(expr: string): Promise<number | undefined> {
  const r = await promQuery(expr);
  if (r.status !== "success") throw new Error(`${expr}: ${r.error}`);
  const v = r.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/** Poll `check` until it returns true, or fail after `timeoutMs` with what `describe` says. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${await what()}`);
    await sleep(250);
  }
}

const moveRows = async () => Number((await query<{ n: string }>(cluster.databaseUrl, 'SELECT count(*) AS n FROM "Move"'))[0].n);

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2 });
  dir = mkdtempSync(join(tmpdir(), "tabula-prometheus-"));
  const output = process.env.TEST_CLUSTER_LOG ? prefixedSink("prometheus") : silentSink;
  // Scrape and evaluate every second, so that the test does not wait the shipped 15 s.
  prometheus = await startPrometheus({ dir, nodes: cluster.nodes, intervalS: 1, output });
});
afterAll(async () => {
  await prometheus?.stop();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Prometheus scraping a running cluster", () => {
  it("counts exactly the moves the move log gained during a bots run", async () => {
    for (const n of cluster.nodes) expect(n.metricsPort, `${n.id} serves metrics`).toBeGreaterThan(0);
    await until(
      async () => (await scalar('sum(up{job="tabula"})')) === 2,
      20_000,
      async () => `both nodes up in Prometheus: ${JSON.stringify((await promQuery("up")).data.result)}`,
    );
    const before = await moveRows();

    const args = ["--url", cluster.url, "--bots", "20", "--game", "mix", "--duration", "8s"];
    args.push("--think", "50ms-150ms", "--procs", "1", "--max-errors", "0", "--out", join(dir, "bots-report.json"));
    expect((await runBotsScript(args)).code).toBe(0);

    // The last moves of the run may still be committing: wait until the log stops growing and
    // Prometheus has scraped the counters since, then compare.
    let added = -1;
    let counted: number | undefined;
    await until(
      async () => {
        const rows = (await moveRows()) - before;
        const stable = rows === added;
        added = rows;
        counted = await scalar("sum(tabula_moves_committed_total)");
        return stable && counted === added;
      },
      30_000,
      () => `Prometheus counted ${counted} moves, the move log gained ${added}`,
    );
    expect(added).toBeGreaterThan(100);
    expect(counted).toBe(added);
    // Both nodes hosted games and reported their share.
    const perNode = (await promQuery("sum by (node) (tabula_moves_committed_total)")).data.result;
    expect(perNode.map((r) => r.metric.node).sort()).toEqual(["n1", "n2"]);
    // Other figures the run must have produced.
    expect(await scalar("sum(tabula_pairings_total)")).toBeGreaterThan(0);
    expect(await scalar("sum(tabula_matchmaking_wait_seconds_count)")).toBeGreaterThan(0);
    expect(await scalar('count(tabula_matchmaking_queue_length{game="connect4"})')).toBeGreaterThan(0);
    expect(await scalar("sum(tabula_move_handling_seconds_count)")).toBeGreaterThan(0);
    expect(await scalar('sum(tabula_http_requests_total{route="/api/matchmaking/quick"})')).toBeGreaterThan(0);
  });

  it("evaluates every recording and alert rule without error", async () => {
    // Rules are evaluated every second: give each group one evaluation after the run.
    const groups = async () =>
      (
        (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> };
        }
      ).data.groups;
    await until(
      async () => (await groups()).every((g) => g.rules.every((r) => r.health !== "unknown")),
      15_000,
      async () => `rules evaluated: ${JSON.stringify(await groups())}`,
    );
    const rules = (await groups()).flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(15);
    expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    // Recorded from the run (a 5-minute window holds all of it, however slowly the machine ran the test).
    expect(await scalar("max(node:tabula_commit_duration_seconds:p99_5m)")).toBeGreaterThan(0);
  });

  it("runs every dashboard panel's query without error", async () => {
    let queries = 0;
    const failures: string[] = [];
    for (const file of DASHBOARD_FILES) {
      const dashboard = JSON.parse(readFileSync(file, "utf8")) as {
        panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
      };
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          // Grafana's variables as Grafana would fill them in: every node, a 1-minute rate window.
          const expr = target.expr.replaceAll("$node", ".*").replaceAll("$__rate_interval", "1m");
          const r = await promQuery(expr);
          queries++;
          if (r.status !== "success") failures.push(`${panel.title}: ${expr}: ${r.error}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(20);
  });

  it("passes promtool check rules and check config", async () => {
    for (const file of RULE_FILES) {
      const { stdout } = await run("promtool", ["check", "rules", file]);
      expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
    }
    const { stdout } = await run("promtool", ["check", "config", prometheus.config]);
    expect(stdout).toContain("SUCCESS");
  });

  it("scrapes a node added later without restarting Prometheus", async () => {
    const added = await cluster.addNode();
    prometheus.setTargets(cluster.nodes);
    await until(
      async () => (await scalar(`up{job="tabula", node="${added.id}"}`)) === 1,
      30_000,
      async () => `${added.id} scraped: ${JSON.stringify((await promQuery("up")).data.result)}`,
    );
  });
});
