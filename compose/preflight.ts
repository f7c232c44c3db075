/**
 * Checks before `npm run cluster` starts anything: redis-server and nginx on
 * PATH, no other runner (and the leftovers of a killed one stopped), every
 * port free, the Prisma client generated and the browser client built; then
 * the descriptor budget is printed (and a warning when it is below
 * --max-connections). Each
 * failure ends the process with a clear message (exit code 1, or 2 for a
 * missing tool or a bad option).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { alive, cleanupStale, cmdline, FIRST_NODE_PORT, fail, PG_PORT, readState, REPLICA_PORT, say } from "./clusterState.ts";
import { describeBudget, type FdBudget, fdBudget, openFilesLimits } from "./nginxConf.ts";
import { assertPortsFree, PortBusyError } from "./ports.ts";
import { findCommand, REPO_ROOT } from "./spawn.ts";

export interface Preflight {
  redisBin: string;
  nginxBin: string;
  /** Ports of nodes n1…nN. */
  nodePorts: number[];
  /** nginx's sizing from the descriptor limit (printed at start). */
  budget: FdBudget;
}

/** Everything `runCluster` needs before it starts anything; exits on the first problem. */
export async function preflight(opts: {
  nodeCount: number;
  port: number;
  redisPort: number;
  /** WebSockets the cluster should hold (--max-connections); sizes nginx's workers, warns when the limit is lower. */
  maxConnections?: number;
  /** --replica: the standby's port must be free too. */
  replica?: boolean;
}): Promise<Preflight> {
  // 1. Tools.
  const redisBin = findCommand("redis-server");
  const nginxBin = findCommand("nginx");
  if (!redisBin || !nginxBin) {
    const missing = [!redisBin && "redis-server", !nginxBin && "nginx"].filter(Boolean).join(" and ");
    fail(
      `${missing} not found on PATH. The local cluster runs real Redis and nginx processes:\n` +
        "    sudo apt-get update && sudo apt-get install redis-server nginx\n" +
        "(only the binaries are used; the system services may stay disabled).",
      2,
    );
  }
  say(`using ${redisBin} and ${nginxBin}`);

  // 2. Another runner? Leftovers of a crashed one?
  const previous = readState();
  if (previous && alive(previous.pid) && cmdline(previous.pid).includes("cluster.ts") && previous.pid !== process.pid) {
    fail(`a cluster is already running (runner pid ${previous.pid}, ${previous.url}). Stop it with Ctrl-C first.`);
  }
  if (previous) await cleanupStale(previous);

  // 3. Ports.
  const usePgEnv = Boolean(process.env.DATABASE_URL);
  const nodePorts = Array.from({ length: opts.nodeCount }, (_, i) => FIRST_NODE_PORT + i);
  const ports = [
    { port: opts.port, what: "nginx (--port)" },
    { port: opts.redisPort, what: "redis (--redis-port)" },
    ...nodePorts.map((p, i) => ({ port: p, what: `node n${i + 1}` })),
    ...(usePgEnv ? [] : [{ port: PG_PORT, what: "embedded PostgreSQL (another `npm start`?)" }]),
    ...(opts.replica ? [{ port: REPLICA_PORT, what: "read replica (--replica)" }] : []),
  ];
  if (new Set(ports.map((p) => p.port)).size !== ports.length)
    fail("port clash between --port, --redis-port and the node ports (2567…)", 2);
  try {
    await assertPortsFree(ports);
  } catch (err) {
    if (err instanceof PortBusyError) {
      fail(
        `${err.message}.\nStop whatever uses ${err.busy.length > 1 ? "them" : "it"} (\`ss -ltnp\` shows who), or choose other ports (--help).`,
      );
    }
    throw err;
  }

  // 4. Prerequisites of the nodes.
  if (!existsSync(join(REPO_ROOT, "game-server/src/generated/prisma/client.ts"))) {
    fail("the Prisma client is not generated: run `npm install` (or `npm run db:generate`) first.");
  }
  const dist = join(REPO_ROOT, "client/dist/index.html");
  const stale =
    existsSync(dist) &&
    statSync(dist).mtimeMs < Math.max(newest(join(REPO_ROOT, "client")), newest(join(REPO_ROOT, "game-server/shared/src")));
  if (!existsSync(dist) || stale) {
    say(`the browser client is ${stale ? "older than its sources" : "not built"}: npm run build -w client …`);
    const r = spawnSync("npm", ["run", "build", "-w", "client"], { cwd: REPO_ROOT, stdio: "inherit" });
    if (r.status !== 0) fail("building the browser client failed (see above).");
  }
  // 5. The descriptor budget: what the limit lets through nginx (2 per socket) and the nodes (1).
  const limits = openFilesLimits();
  const budget = fdBudget({
    limit: limits.hard,
    nodes: opts.nodeCount,
    cores: availableParallelism(),
    wantedSockets: opts.maxConnections,
  });
  const { lines, warning } = describeBudget(budget, limits.soft, opts.maxConnections);
  for (const line of lines) say(line);
  if (warning) say(`WARNING: ${warning}`);
  return { redisBin: redisBin!, nginxBin: nginxBin!, nodePorts, budget };
}

/** Newest modification time of the files under `dir` (node_modules and dist left out). */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
