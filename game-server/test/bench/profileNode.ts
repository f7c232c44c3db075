/**
 * Profile one node under the bots: start redis-server and one game-server
 * node (embedded PostgreSQL, `node --cpu-prof`), load it with the bots script
 * (think time 0 by default), then stop it and print the node's and PostgreSQL's CPU per
 * acknowledged move (from /proc/<pid>/stat, utime + stime) and where the
 * node's time went (game-server/scripts/cpuprofile.mjs), and write a flame
 * graph (game-server/scripts/flamegraph.mjs). Loopback only; bounded.
 *
 *   node game-server/test/bench/profileNode.ts [--bots 100] [--think 0] [--duration 30s] [--out DIR] [--cpu-only]
 *
 * DIR (default .artifacts/profile-<time>) gets node.cpuprofile, flame.svg, bots.json and node.log.
 * The profiler itself costs the node CPU (~35 ms a second here, on its sampling thread): quote CPU
 * per move from a `--cpu-only` run, which measures the same way without it.
 * A benchmark: it reports, it never fails on timing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { freePort, REPO_ROOT, startGameNode, startRedis } from "../../../compose/processes.ts";

const { values } = parseArgs({
  options: {
    bots: { type: "string", default: "100" },
    think: { type: "string", default: "0" },
    duration: { type: "string", default: "30s" },
    out: { type: "string", default: join(".artifacts", `profile-${new Date().toISOString().replace(/[:.]/g, "-")}`) },
    "cpu-only": { type: "boolean", default: false },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/** CPU time (user + system) of a process so far, ms; with `reaped`, also that of its children that have exited. */
function cpuMs(pid: number, reaped = false): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  // utime, stime, cutime, cstime: fields 14 to 17 of /proc/<pid>/stat
  return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) * TICK_MS;
}

/** The pids of `pid`'s descendants whose command is `name` (the embedded PostgreSQL's processes). */
function descendants(pid: number, name: string): number[] {
  const children = new Map<number, number[]>();
  const comm = new Map<number, string>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.split(") ")[1].split(" ")[1]);
      comm.set(Number(d), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {} // exited meanwhile
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      if (comm.get(c) === name) found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}
/**
 * CPU of the embedded PostgreSQL so far, ms: every postgres process under the node (backends come and
 * go), plus what exited backends used (counted in their parent's cutime/cstime).
 */
function postgresCpu(nodePid: number): number {
  let total = 0;
  for (const pid of descendants(nodePid, "postgres")) {
    try {
      total += cpuMs(pid, true);
    } catch {} // exited meanwhile: its parent counts it
  }
  return total;
}

const log = (line: string) => appendFileSync(join(out, "node.log"), `${line}\n`);
const redis = await startRedis({ dir: join(out, "redis"), output: () => {} });
const t0 = Date.now();
const node = await startGameNode({
  id: "prof",
  output: log,
  env: {
    NODE_OPTIONS: values["cpu-only"] ? "" : `--cpu-prof --cpu-prof-dir=${join(out, "cpu")}`,
    REDIS_URL: redis.url,
    DATA_DIR: join(out, "pg"),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_JSON: "true",
    CLIENT_DIST: "",
    MAX_MESSAGES_PER_SECOND: "1000", // think time 0 sends faster than the default flood limit allows
  },
});
try {
  const before = { node: cpuMs(node.process.pid), pg: postgresCpu(node.process.pid) };
  const from = (Date.now() - t0) / 1000;
  const bots = spawnSync(
    process.execPath,
    [
      "bots/src/main.ts",
      "--url",
      node.url,
      "--bots",
      values.bots,
      "--think",
      values.think,
      "--duration",
      values.duration,
      "--spectators",
      "0",
      "--out",
      join(out, "bots.json"),
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
  const to = (Date.now() - t0) / 1000;
  const used = { node: cpuMs(node.process.pid) - before.node, pg: postgresCpu(node.process.pid) - before.pg };
  const report = JSON.parse(readFileSync(join(out, "bots.json"), "utf8"));
  const moves: number = report.moves.total;
  console.log(
    `\nbots exit ${bots.status}; ${moves} moves (${report.moves.perSecond.toFixed(0)}/s), RTT p50 ${report.moveRttMs.p50.toFixed(1)} p99 ${report.moveRttMs.p99.toFixed(1)} ms\n` +
      `node CPU ${used.node.toFixed(0)} ms = ${(used.node / moves).toFixed(3)} ms per move; ` +
      `PostgreSQL CPU ${used.pg.toFixed(0)} ms = ${(used.pg / moves).toFixed(3)} ms per move\n` +
      `load: ${readFileSync("/proc/loadavg", "utf8").trim()} (other work on this machine inflates every figure: compare side by side)` +
      (values["cpu-only"] ? "" : "\nprofiled: the profiler's own CPU is in these figures (use --cpu-only to quote CPU per move)"),
  );
  if (!values["cpu-only"]) {
    await node.stop(30_000); // SIGTERM: the node exits cleanly and V8 writes the profile
    const [file] = readdirSync(join(out, "cpu"));
    renameSync(join(out, "cpu", file), join(out, "node.cpuprofile"));
    const window = `${Math.ceil(from + 3)},${Math.floor(to)}`; // the load, without start-up, ramp-up and shutdown
    const scripts = join(REPO_ROOT, "game-server/scripts");
    const profile = join(out, "node.cpuprofile");
    spawnSync(process.execPath, [join(scripts, "cpuprofile.mjs"), profile, "--window", window, "--top", "20"], {
      stdio: "inherit",
    });
    spawnSync(process.execPath, [join(scripts, "flamegraph.mjs"), profile, join(out, "flame.svg"), "--window", window], {
      stdio: "inherit",
    });
    console.log(`profile window ${window} s; files in ${out}`);
  }
} finally {
  await node.stop(30_000);
  await redis.stop();
  rmSync(join(out, "pg"), { recursive: true, force: true });
  rmSync(join(out, "redis"), { recursive: true, force: true });
}
