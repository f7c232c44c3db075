/**
 * Prometheus for a local cluster (`npm run cluster -- --monitoring`, and the
 * monitoring test): Debian's `prometheus` run against the shipped
 * configuration (compose/monitoring/prometheus.yml and its rules), copied into
 * the cluster's data folder with absolute paths. Its scrape targets are a
 * file_sd file, `targets/tabula-nodes.json`, rewritten (atomically) whenever the
 * node set changes; Prometheus notices the change by itself.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { exitedError, httpRequest } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { findCommand, indent, type ManagedProcess, REPO_ROOT, sleep, spawnProcess } from "./spawn.ts";

/** The shipped monitoring folder: prometheus.yml, rules/, grafana/. */
export const MONITORING_DIR = join(REPO_ROOT, "compose/monitoring");
/** Every rules file Prometheus loads (also what `promtool check rules` is run on). */
export const RULE_FILES = ["rules/recording.yml", "rules/alerts.yml"].map((f) => join(MONITORING_DIR, f));
/** The Grafana dashboard(s) shipped. */
export const DASHBOARD_FILES = [join(MONITORING_DIR, "grafana/dashboards/tabula.json")];

/** A scrape target: a node and its metrics port (on 127.0.0.1). */
export interface MetricsTarget {
  id: string;
  metricsPort?: number;
}

export interface PrometheusHandle {
  /** e.g. http://127.0.0.1:9090 */
  url: string;
  port: number;
  /** The folder holding its configuration, targets and data. */
  dir: string;
  /** The configuration file it runs with. */
  config: string;
  process: ManagedProcess;
  /** Rewrite the file_sd targets (nodes without a metrics port are left out). */
  setTargets(nodes: MetricsTarget[]): void;
  stop(): Promise<void>;
}

/** Write `dir`/targets/tabula-nodes.json for `nodes` (write then rename, so Prometheus never reads half a file). */
export function writeTargets(dir: string, nodes: MetricsTarget[]): void {
  const targetsDir = join(dir, "targets");
  mkdirSync(targetsDir, { recursive: true });
  const groups = nodes
    .filter((n) => n.metricsPort)
    .map((n) => ({ targets: [`127.0.0.1:${n.metricsPort}`], labels: { node: n.id } }));
  const file = join(targetsDir, "tabula-nodes.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * The shipped prometheus.yml made runnable from `dir`: rule files and the
 * targets folder as absolute paths, and (for tests) a shorter scrape and
 * evaluation interval, seconds. Returns the file written.
 */
export function writePrometheusConfig(dir: string, opts: { intervalS?: number } = {}): string {
  const conf = parse(readFileSync(join(MONITORING_DIR, "prometheus.yml"), "utf8"));
  conf.rule_files = RULE_FILES;
  for (const job of conf.scrape_configs) {
    for (const sd of job.file_sd_configs ?? []) sd.files = [join(resolve(dir), "targets", "*.json")];
  }
  if (opts.intervalS) {
    conf.global.scrape_interval = `${opts.intervalS}s`;
    conf.global.evaluation_interval = `${opts.intervalS}s`;
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "prometheus.yml");
  writeFileSync(file, `# Written by compose/monitoring.ts from compose/monitoring/prometheus.yml.\n${stringify(conf)}`);
  return file;
}

/**
 * Start Debian's prometheus on 127.0.0.1:`port` (default: a free port, another
 * if it is taken meanwhile) with its configuration, targets and TSDB under
 * `dir`, scraping `nodes`; resolves once /-/ready answers.
 */
export async function startPrometheus(opts: {
  dir: string;
  nodes: MetricsTarget[];
  port?: number;
  /** Scrape and rule-evaluation interval, seconds (default: the shipped 15 s). */
  intervalS?: number;
  output?: LineSink;
  onSpawn?: (p: ManagedProcess) => void;
  command?: string;
  timeoutMs?: number;
}): Promise<PrometheusHandle> {
  const dir = resolve(opts.dir);
  const config = writePrometheusConfig(dir, { intervalS: opts.intervalS });
  writeTargets(dir, opts.nodes);
  return onFreePort(opts.port, async (port) => {
    const proc = spawnProcess({
      name: "prometheus",
      command: opts.command ?? findCommand("prometheus") ?? "/usr/bin/prometheus",
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--storage.tsdb.retention.time=2d",
        "--log.level=warn",
      ],
      output: opts.output ?? prefixedSink("prometheus"),
      onSpawn: opts.onSpawn,
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    // Ready, and ours: not another Prometheus that had this port (ours then exits: "address already in use").
    const ours = async () => {
      const r = await httpRequest(`${url}/api/v1/status/flags`, { timeoutMs: 1_000 }).catch(() => undefined);
      return r?.status === 200 && JSON.parse(r.body).data?.["config.file"] === config;
    };
    for (;;) {
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
      const r = await httpRequest(`${url}/-/ready`, { timeoutMs: 1_000 }).catch(() => undefined);
      if (r?.status === 200 && (await ours())) break;
      if (Date.now() > deadline) {
        await proc.stop(2_000);
        throw new Error(`prometheus did not become ready on port ${port}:\n${indent(proc.output())}`);
      }
      await sleep(100);
    }
    return {
      url,
      port,
      dir,
      config,
      process: proc,
      setTargets: (nodes) => writeTargets(dir, nodes),
      stop: () => proc.stop(10_000).then(() => {}),
    };
  });
}
