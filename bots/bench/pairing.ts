/**
 * `npm run bench:pairing`: how fast a burst of quick-plays is paired across
 * the nodes of a cluster. Starts a cluster of its own (or targets --url),
 * takes N guest identities (not timed), fires N quick-plays at once, long-polls
 * each ticket, and reports pairing time p50/p95/p99/max (request → "matched"),
 * how many were paired, errors, the spread of games over nodes and — on its own
 * cluster — CPU per node and Redis commands per ticket. Prints a table, then
 * one line of JSON. Reports only: it never fails on timing.
 *
 *   npm run bench:pairing                         # 200 players, 2 nodes
 *   npm run bench:pairing -- --players 400 --nodes 3
 *   npm run bench:pairing -- --url http://127.0.0.1:8080
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getGame, type GameKind } from "@tabula/shared/rules";
import { summarize } from "../src/stats.ts";
import { burst, oddGames, takeGuests } from "./pairingBurst.ts";
import { type BenchCluster, cpuMs, MissingTool, redisCommandCounts, startBenchCluster } from "./pairingCluster.ts";

const USAGE = `Usage: node bots/bench/pairing.ts [options]
  --players N        players arriving at once (default 200)
  --nodes N          nodes of the cluster it starts (default 2; ignored with --url)
  --url URL          measure a running cluster instead (its rate limits must allow N guests)
  --redis-url URL    with --url: also count that cluster's Redis commands
  --game G           connect4 | chess (default connect4)
  --time-control TC  default: the game's first
  --timeout S        give up on a ticket this long after the burst (default 30)
  --server-root DIR  run the nodes from another checkout (a baseline, side by side)
  --cpu-prof DIR     start the nodes with --cpu-prof into DIR (written when they stop)
  --json FILE        also write the JSON report to FILE`;

const say = (line: string) => process.stderr.write(`[bench:pairing] ${line}\n`);

async function main() {
  const { values } = parseArgs({
    options: {
      players: { type: "string", default: "200" },
      nodes: { type: "string", default: "2" },
      url: { type: "string" },
      "redis-url": { type: "string" },
      game: { type: "string", default: "connect4" },
      "time-control": { type: "string" },
      timeout: { type: "string", default: "30" },
      "server-root": { type: "string" },
      "cpu-prof": { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const players = intOption("--players", values.players, 2, 5_000);
  const nodeCount = intOption("--nodes", values.nodes, 1, 8);
  const timeoutMs = intOption("--timeout", values.timeout, 1, 120) * 1000;
  const def = getGame(values.game as GameKind);
  if (!def) usage(`unknown game ${values.game}`);
  const timeControl = values["time-control"] ?? def.timeControls[0]!.id;

  // The whole run is bounded: start-up, guests, the burst and the clean-up.
  const hardStop = setTimeout(() => {
    say("run took over 5 minutes; giving up");
    process.exit(1);
  }, 300_000);
  hardStop.unref();

  let cluster: BenchCluster | undefined;
  const stop = () => void cluster?.stop().finally(() => process.exit(130));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    if (!values.url) {
      cluster = await startBenchCluster({
        nodes: nodeCount,
        serverRoot: values["server-root"],
        cpuProfDir: values["cpu-prof"],
        say,
      });
      say(`cluster up at ${cluster.url} (${nodeCount} nodes)`);
    }
    const base = (values.url ?? cluster!.url).replace(/\/$/, "");
    const redisUrl = values["redis-url"] ?? cluster?.redisUrl;
    const run = randomBytes(2).toString("hex");
    say(`taking ${players} guest identities (not timed)…`);
    const tokens = await takeGuests(base, players, run);

    const pids = [
      ...(cluster?.nodes ?? []).map((n) => ({ id: n.id, pid: n.pid })),
      ...(cluster ? [{ id: "redis", pid: cluster.redisPid }] : []),
    ];
    const cpuBefore = pids.map((p) => cpuMs(p.pid) ?? 0);
    const cmdsBefore = redisUrl ? await redisCommandCounts(redisUrl) : null;
    say(`${players} quick-plays at once (${def.id} ${timeControl})…`);
    const result = await burst({ base, tokens, game: def.id, timeControl, timeoutMs });
    const cpu = Object.fromEntries(pids.map((p, i) => [p.id, round((cpuMs(p.pid) ?? 0) - cpuBefore[i]!)]));
    const cmds = cmdsBefore && redisUrl ? diff(await redisCommandCounts(redisUrl), cmdsBefore) : null;

    const report = buildReport({ players, nodes: values.url ? null : nodeCount, base, result, cpu, cmds });
    printTable(report);
    const json = JSON.stringify(report);
    console.log(json);
    if (values.json) writeFileSync(values.json, `${json}\n`);
  } catch (err) {
    if (err instanceof MissingTool) {
      say(err.message);
      process.exitCode = 2;
    } else {
      say(`failed: ${(err as Error).stack ?? err}`);
      process.exitCode = 1;
    }
  } finally {
    await cluster?.stop();
  }
}

type Report = ReturnType<typeof buildReport>;

function buildReport(a: {
  players: number;
  nodes: number | null;
  base: string;
  result: Awaited<ReturnType<typeof burst>>;
  cpu: Record<string, number>;
  cmds: Record<string, number> | null;
}) {
  const { outcomes, gameNodes, wallMs } = a.result;
  const paired = outcomes.filter((o) => o.pairingMs !== null);
  const errors: Record<string, number> = {};
  for (const o of outcomes) if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
  const perNode: Record<string, { games: number; players: number; p50: number | null; p99: number | null }> = {};
  for (const node of new Set(Object.values(gameNodes))) {
    const ms = paired.filter((o) => gameNodes[o.gameId!] === node).map((o) => o.pairingMs!);
    const s = summarize(ms);
    perNode[node] = { games: ms.length / 2, players: ms.length, p50: s.p50, p99: s.p99 };
  }
  const totalCmds = a.cmds ? Object.values(a.cmds).reduce((s, v) => s + v, 0) : null;
  return {
    bench: "pairing",
    at: new Date().toISOString(),
    url: a.base,
    nodes: a.nodes,
    players: a.players,
    paired: paired.length,
    pairingMs: summarize(paired.map((o) => o.pairingMs!)),
    matchedInFirstAnswer: paired.filter((o) => o.polls === 0).length,
    wallMs: round(wallMs),
    errors,
    /** Games holding other than two of our players: must be empty. */
    oddGames: oddGames(outcomes),
    gamesUnlisted: new Set(paired.map((o) => o.gameId).filter((g) => !gameNodes[g!])).size,
    perNode,
    cpuMsDuringBurst: a.cpu,
    redisCommands: a.cmds ? { total: totalCmds, perPlayer: round(totalCmds! / a.players), byCommand: a.cmds } : null,
  };
}

function printTable(r: Report) {
  const ms = (v: number | null) => (v === null ? "-" : `${Math.round(v)} ms`);
  const rows: Array<[string, string]> = [
    ["players / paired", `${r.players} / ${r.paired} (${r.matchedInFirstAnswer} in the quick-play answer)`],
    ["pairing p50 / p95 / p99 / max", [r.pairingMs.p50, r.pairingMs.p95, r.pairingMs.p99, r.pairingMs.max].map(ms).join(" / ")],
    ["burst wall time", ms(r.wallMs)],
    ["errors", Object.keys(r.errors).length ? JSON.stringify(r.errors) : "none"],
    ["games not holding exactly 2", String(r.oddGames.length)],
  ];
  for (const [node, s] of Object.entries(r.perNode).sort())
    rows.push([`node ${node}: games, p50 / p99`, `${s.games}, ${ms(s.p50)} / ${ms(s.p99)}`]);
  if (r.gamesUnlisted) rows.push(["games not in /api/live-games", String(r.gamesUnlisted)]);
  for (const [id, v] of Object.entries(r.cpuMsDuringBurst)) rows.push([`CPU during burst: ${id}`, `${v} ms`]);
  if (r.redisCommands) {
    const top = Object.entries(r.redisCommands.byCommand)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([c, n]) => `${c} ${n}`)
      .join(", ");
    rows.push(["Redis commands per player", `${r.redisCommands.perPlayer} (${top})`]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n"));
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

const round = (v: number) => Math.round(v * 10) / 10;

function usage(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function intOption(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) usage(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

void main();
