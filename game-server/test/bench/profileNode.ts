/**
 * Profile one node under the bots: start redis-server and one game-server
 * node (embedded PostgreSQL, `node --cpu-prof`), load it with the bots script
 * (think time 0), then stop it and print the node's and PostgreSQL's CPU per
 * acknowledged move (from /proc/<pid>/stat, utime + stime) and where the
 * node's time went (game-server/scripts/cpuprofile.mjs), and write a flame
 * graph (game-server/scripts/flamegraph.mjs). Loopback only; bounded.
 *
 *   node game-server/test/bench/profileNode.ts [--bots 100] [--duration 30s] [--out DIR]
 *
 * DIR (default .artifacts/profile-<time>) gets node.cpuprofile, flame.svg, bots.json and node.log.
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
    duration: { type: "string", default: "30s" },
    out: { type: "string", default: join(".artifacts", `profile-${new Date().toISOString().replace(/[:.]/g, "-")}`) },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/** CPU time (user + system) of a process so far, ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14 and 15)
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
const sumCpu = (pids: number[]) =>
  pids.reduce(
    (n, p) =>
      n +
      (() => {
        try {
          return cpuMs(p);
        } catch {
          return 0;
        }
      })(),
    0,
  );

const log = (line: string) => appendFileSync(join(out, "node.log"), `${line}\n`);
const redis = await startRedis({ dir: join(out, "redis"), output: () => {} });
const t0 = Date.now();
const node = await startGameNode({
  id: "prof",
  output: log,
  env: {
    NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(out, "cpu")}`,
    REDIS_URL: redis.url,
    DATA_DIR: join(out, "pg"),
    EMBEDDED_PG_PORT: String(await freePort()),
    LOG_JSON: "true",
    CLIENT_DIST: "",
    MAX_MESSAGES_PER_SECOND: "1000", // think time 0 sends faster than the default flood limit allows
  },
});
try {
  const pg = descendants(node.process.pid, "postgres");
  const before = { node: cpuMs(node.process.pid), pg: sumCpu(pg) };
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
      "0",
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
  const used = { node: cpuMs(node.process.pid) - before.node, pg: sumCpu(pg) - before.pg };
  const report = JSON.parse(readFileSync(join(out, "bots.json"), "utf8"));
  const moves: number = report.moves.total;
  console.log(
    `\nbots exit ${bots.status}; ${moves} moves (${report.moves.perSecond.toFixed(0)}/s), RTT p50 ${report.moveRttMs.p50.toFixed(1)} p99 ${report.moveRttMs.p99.toFixed(1)} ms\n` +
      `node CPU ${used.node.toFixed(0)} ms = ${(used.node / moves).toFixed(3)} ms per move; ` +
      `PostgreSQL CPU ${used.pg.toFixed(0)} ms = ${(used.pg / moves).toFixed(3)} ms per move\n` +
      `load: ${readFileSync("/proc/loadavg", "utf8").trim()} (other work on this machine inflates every figure: compare side by side)`,
  );
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
} finally {
  await node.stop(30_000);
  await redis.stop();
  rmSync(join(out, "pg"), { recursive: true, force: true });
  rmSync(join(out, "redis"), { recursive: true, force: true });
}
