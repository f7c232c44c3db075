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
 *   npm run bench:pairing -- --rated              # rated quick play (account tokens; its own cluster only)
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { getGame, type GameKind } from "@tabula/shared/rules";
import { summarize } from "../src/stats.ts";
import { burst, oddGames, takeAccounts, takeGuests } from "./pairingBurst.ts";
import {
  BENCH_TOKEN_SECRET,
  type BenchCluster,
  countRedisCommands,
  treeCpuMs,
  MissingTool,
  type RedisCommandCount,
  startBenchCluster,
} from "./pairingCluster.ts";

const USAGE = `Usage: node bots/bench/pairing.ts [options]
  --players N        players arriving at once (default 200)
  --nodes N          nodes of the cluster it starts (default 2; ignored with --url)
  --url URL          measure a running cluster instead (its rate limits must allow N guests)
  --redis-url URL    with --url: also count that cluster's Redis commands
  --game G           connect4 | chess (default connect4)
  --time-control TC  default: the game's first
  --rated            rated quick play: the players are accounts, paired by rating (not with --url)
  --timeout S        give up on a ticket this long after the burst (default 30)
  --warmup N         players of an untimed burst first, so the nodes' code is compiled (default 20; 0: none)
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
      rated: { type: "boolean", default: false },
      timeout: { type: "string", default: "30" },
      warmup: { type: "string", default: "20" },
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
  const warmup = intOption("--warmup", values.warmup, 0, 1_000);
  const def = getGame(values.game as GameKind);
  if (!def) usage(`unknown game ${values.game}`);
  const timeControl = values["time-control"] ?? def.timeControls[0]!.id;
  const rated = values.rated === true;
  if (rated && values.url) usage("--rated needs the bench's own cluster (it signs account tokens with its secret)");

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
    say(`taking ${players + warmup} guest identities (not timed)…`);
    const tokens = rated
      ? await takeAccounts(base, players + warmup, run, BENCH_TOKEN_SECRET)
      : await takeGuests(base, players + warmup, run);
    if (warmup) {
      // A running cluster has its code compiled: an untimed burst first, so the measured one is not a cold start.
      const w = await burst({ base, tokens: tokens.splice(players), game: def.id, timeControl, timeoutMs, rated });
      say(`warm-up: ${warmup} players, ${w.outcomes.filter((o) => o.gameId).length} paired (not measured)`);
      cluster?.createMs.splice(0);
      cluster?.matchmakerMs.splice(0);
    }

    // CPU of every process of the cluster (trees: postgres backends, nginx workers) and of this one.
    const procs: Array<{ id: string; cpu: () => number }> = [
      ...(cluster?.nodes ?? []).map((n) => ({ id: n.id, cpu: () => treeCpuMs(n.pid) })),
      ...(cluster ? [{ id: "redis", cpu: () => treeCpuMs(cluster!.redisPid) }] : []),
      ...(cluster?.postgresPid ? [{ id: "postgres", cpu: () => treeCpuMs(cluster!.postgresPid!) }] : []),
      ...(cluster ? [{ id: "nginx", cpu: () => treeCpuMs(cluster!.nginxPid) }] : []),
      { id: "bench", cpu: () => (process.cpuUsage().user + process.cpuUsage().system) / 1000 },
    ];
    const cpuBefore = procs.map((p) => p.cpu());
    const counting = redisUrl ? await countRedisCommands(redisUrl) : null;
    say(`${players} ${rated ? "rated " : ""}quick-plays at once (${def.id} ${timeControl})…`);
    const result = await burst({ base, tokens, game: def.id, timeControl, timeoutMs, rated });
    const cpu = Object.fromEntries(procs.map((p, i) => [p.id, round(p.cpu() - cpuBefore[i]!)]));
    const cmds = counting ? await counting.stop() : null;

    const createMs = cluster?.createMs.length ? summarize(cluster.createMs) : null;
    const matchmakerMs = cluster?.matchmakerMs.length ? summarize(cluster.matchmakerMs) : null;
    const report = buildReport({
      players,
      rated,
      nodes: values.url ? null : nodeCount,
      base,
      result,
      cpu,
      cmds,
      createMs,
      matchmakerMs,
    });
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
  rated: boolean;
  nodes: number | null;
  base: string;
  result: Awaited<ReturnType<typeof burst>>;
  cpu: Record<string, number>;
  cmds: RedisCommandCount | null;
  createMs: ReturnType<typeof summarize> | null;
  matchmakerMs: ReturnType<typeof summarize> | null;
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
  const sent = a.cmds ? Object.values(a.cmds.sent).reduce((s, v) => s + v, 0) : 0;
  return {
    bench: "pairing",
    at: new Date().toISOString(),
    url: a.base,
    nodes: a.nodes,
    players: a.players,
    rated: a.rated,
    paired: paired.length,
    pairingMs: summarize(paired.map((o) => o.pairingMs!)),
    matchedInFirstAnswer: paired.filter((o) => o.polls === 0).length,
    wallMs: round(wallMs),
    errors,
    /** Games holding other than two of our players: must be empty. */
    oddGames: oddGames(outcomes),
    gamesUnlisted: new Set(paired.map((o) => o.gameId).filter((g) => !gameNodes[g!])).size,
    perNode,
    /** Making one game (row + room), as the nodes log it; null when they do not say. */
    gameCreationMs: a.createMs,
    /** Inside the node: the pairing requester's time in the matchmaker (queue, scan, game, settle). */
    matchmakerMs: a.matchmakerMs,
    cpuMsDuringBurst: a.cpu,
    /** All the cluster's processes and the bench's, per player, ms of CPU. */
    cpuMsPerPlayer: round(Object.values(a.cpu).reduce((s, v) => s + v, 0) / a.players),
    /** Commands clients sent to Redis during the burst (each a round trip, or part of a pipeline), and run inside scripts. */
    redisCommands: a.cmds
      ? {
          sent,
          sentPerPlayer: round(sent / a.players),
          inScriptsPerPlayer: round(a.cmds.inScripts / a.players),
          sentByCommand: a.cmds.sent,
        }
      : null,
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
  if (r.gameCreationMs) {
    const c = r.gameCreationMs;
    rows.push(["making a game p50 / p99 / max", `${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.max)} (${c.count} games)`]);
  }
  if (r.matchmakerMs) {
    const c = r.matchmakerMs;
    rows.push(["in the matchmaker p50 / p99 / max", `${ms(c.p50)} / ${ms(c.p99)} / ${ms(c.max)} (pairing requests)`]);
  }
  if (r.gamesUnlisted) rows.push(["games not in /api/live-games", String(r.gamesUnlisted)]);
  const cpu = Object.entries(r.cpuMsDuringBurst).map(([id, v]) => `${id} ${Math.round(v)}`);
  rows.push(["CPU during the burst, ms", cpu.join(", ")]);
  rows.push(["CPU per player, all processes", `${r.cpuMsPerPlayer} ms`]);
  if (r.redisCommands) {
    const top = Object.entries(r.redisCommands.sentByCommand)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([c, n]) => `${c} ${n}`)
      .join(", ");
    rows.push(["Redis commands sent per player", `${r.redisCommands.sentPerPlayer} (${top})`]);
    rows.push(["Redis commands in scripts per player", String(r.redisCommands.inScriptsPerPlayer)]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n"));
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
