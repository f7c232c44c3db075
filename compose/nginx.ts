/**
 * nginx in front of a local cluster: started in the foreground from a prefix
 * laid out by nginxConf.ts, reloaded with a new node table without dropping
 * open WebSockets, and checked through fresh requests after each reload.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { exitedError, type HttpResult, httpRequest, waitForHttp } from "./http.ts";
import { type FdBudget, nginxTest, renderNodesConf, withSlash, writeNginxPrefix } from "./nginxConf.ts";
import type { NodeAddress } from "./node.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { findCommand, indent, type ManagedProcess, sleep, spawnProcess } from "./spawn.ts";

export interface NginxHandle {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  prefix: string;
  /** Path of the runtime nginx.conf. */
  conf: string;
  process: ManagedProcess;
  /** The nodes of the configuration in force. */
  nodes(): NodeAddress[];
  /**
   * Route to exactly `nodes`: rewrite conf/nodes.conf, `nginx -t`, then
   * `nginx -s reload`, and wait until new connections see the new table. Open
   * connections (WebSockets) keep being served by the old workers. On a bad
   * configuration the previous nodes.conf is restored and this throws.
   */
  reload(nodes: NodeAddress[]): Promise<void>;
  /** Fast shutdown (SIGTERM; SIGKILL to the process group after 10 s). */
  stop(): Promise<void>;
}

/**
 * Start nginx in the foreground (`-g 'daemon off;'`) from `prefix` (laid out
 * by writeNginxPrefix), listening on host:port (default 127.0.0.1) in front of
 * `nodes` (none is fine: reload them in later); resolves once /nginx-healthz answers.
 */
export async function startNginx(opts: {
  prefix: string;
  /** Listen port; default: a free one (another one if it is taken meanwhile). */
  port?: number;
  nodes: NodeAddress[];
  host?: string;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  command?: string;
  timeoutMs?: number;
  /** Overrides the number of workers of the budget. */
  workerProcesses?: number;
  /** Descriptor sizing (workers, worker_connections, worker_rlimit_nofile); default: fdBudget from this process's hard limit. */
  budget?: FdBudget;
}): Promise<NginxHandle> {
  const command = opts.command ?? findCommand("nginx") ?? "nginx";
  const prefix = withSlash(resolve(opts.prefix));
  const conf = join(prefix, "conf/nginx.conf");
  const launch = async (port: number) => {
    writeNginxPrefix({
      prefix,
      port,
      nodes: opts.nodes,
      host: opts.host,
      workerProcesses: opts.workerProcesses,
      budget: opts.budget,
    });
    const test = nginxTest(prefix, conf, command);
    if (!test.ok) throw new Error(`nginx configuration test failed:\n${indent(test.output)}`);
    const proc = spawnProcess({
      name: "nginx",
      command,
      args: ["-p", prefix, "-c", conf, "-g", "daemon off;"],
      output: opts.output ?? prefixedSink("nginx"),
      onSpawn: opts.onSpawn,
    });
    const url = `http://${opts.host ?? "127.0.0.1"}:${port}`;
    try {
      await waitForHttp(`${url}/nginx-healthz`, opts.timeoutMs ?? 10_000, { process: proc });
      // An nginx that could not bind the port exits at once ("Address already in use"): what answered was another one.
      await sleep(150);
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
    } catch (err) {
      await proc.stop(5_000);
      throw err;
    }
    return { proc, port, url };
  };
  const { proc, port, url } = await onFreePort(opts.port, launch);
  let current = [...opts.nodes];
  let reloading = Promise.resolve();
  const nodesConf = join(prefix, "conf/nodes.conf");

  async function doReload(nodes: NodeAddress[]) {
    if (proc.hasExited()) throw new Error("nginx is not running");
    const previous = readFileSync(nodesConf, "utf8");
    writeFileSync(`${nodesConf}.new`, renderNodesConf(nodes));
    renameSync(`${nodesConf}.new`, nodesConf);
    const t = nginxTest(prefix, conf, command);
    if (!t.ok) {
      writeFileSync(nodesConf, previous);
      throw new Error(`nginx configuration test failed; nodes.conf restored:\n${indent(t.output)}`);
    }
    try {
      execFileSync(command, ["-p", prefix, "-c", conf, "-s", "reload"], { stdio: "pipe" });
    } catch (err) {
      writeFileSync(nodesConf, previous);
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`nginx -s reload failed: ${e.stderr?.toString().trim() || e.message}`);
    }
    const removed = current.filter((o) => !nodes.some((n) => n.id === o.id));
    await waitForRoutes(url, nodes, removed, proc);
    current = [...nodes];
  }

  return {
    url,
    port,
    prefix,
    conf,
    process: proc,
    nodes: () => [...current],
    reload(nodes) {
      const next = reloading.then(() => doReload(nodes));
      reloading = next.catch(() => {});
      return next;
    },
    stop: () => proc.stop(10_000).then(() => {}),
  };
}

/**
 * After a reload: wait until fresh connections route every node of `present`
 * and none of `absent` (each probe on a new connection, several in a row, so
 * an old worker still accepting for a moment does not fool us).
 */
async function waitForRoutes(
  url: string,
  present: NodeAddress[],
  absent: NodeAddress[],
  proc: ManagedProcess,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  const unknown = (r: HttpResult) => r.status === 404 && r.body.includes('"UNKNOWN_NODE"');
  let streak = 0;
  while (streak < 3) {
    if (proc.hasExited()) throw new Error(`nginx exited during reload:\n${indent(proc.output())}`);
    let good = true;
    for (const n of [...present, ...absent]) {
      try {
        const r = await httpRequest(`${url}/node/${n.id}/healthz`, { timeoutMs: 2_000 });
        if (unknown(r) !== absent.includes(n)) good = false;
      } catch {
        good = false;
      }
    }
    streak = good ? streak + 1 : 0;
    if (Date.now() > deadline) throw new Error("nginx did not pick up the new nodes.conf after reload (see its error log)");
    if (streak < 3) await sleep(good ? 30 : 100);
  }
}
