/**
 * The final report: what a run measured, built from the workers' merged
 * results, and written as JSON (the readable table and the progress line are
 * in reportText.ts).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type BotsConfig, gamesOf, GRACE_MS, rosterOf, timeControlOf } from "./args.ts";
import type { ReportedNode } from "./http.ts";
import type { MergedResults } from "./metrics.ts";
import { concatSamples, entry, sortedCounts, type Summary, summarize, totalOf } from "./stats.ts";

export interface ReportInput {
  config: BotsConfig;
  runId: string;
  /** Epoch ms: start of the run phase, its end, and the end of everything. */
  startedAt: number;
  stoppedAt: number;
  endedAt: number;
  merged: MergedResults;
  /** GET /api/nodes near the end of the run phase (null: not available). */
  reportedNodes: ReportedNode[] | null;
  reportedAt: number | null;
  /** Process id → node id from every /api/nodes sample of the run (a restarted node gets a new process id). */
  processNodes: Record<string, string>;
  /** Node that answered /healthz (names the node of a directly-reached single node). */
  healthNode: string | null;
  /** The orchestrating parent's own usage, when the bots ran in workers. */
  parent: { pid: number; cpu: { userMs: number; systemMs: number }; rssMbMax: number } | null;
}

export interface Report {
  config: Record<string, unknown>;
  runId: string;
  startedAt: string;
  durationS: number;
  graceS: number;
  elapsedS: number;
  bots: { total: number; players: number; spectators: number; inRoomMax: number };
  procs: number;
  games: {
    started: number;
    finished: number;
    unfinished: number;
    byResult: Record<string, number>;
    byKind: Record<string, { started: number; finished: number }>;
    rematches: number;
    requeues: number;
  };
  moves: { total: number; perSecond: number; inRunPhase: number; sent: number };
  moveRttMs: Pick<Summary, "p50" | "p95" | "p99" | "max" | "count" | "mean">;
  matchmakingWaitMs: Pick<Summary, "p50" | "p99" | "max" | "count">;
  joinMs: Pick<Summary, "p50" | "p99" | "max" | "count">;
  /** From losing a game's room (node death, GAME_MOVED, a silent node) to being back in it. */
  rejoinGapMs: Pick<Summary, "p50" | "p99" | "max" | "count">;
  spectators: {
    joins: number;
    movesSeen: number;
    moveLagMs: Pick<Summary, "p50" | "p99" | "max" | "count">;
    noLiveGames: number;
    liveGamesEndpointMissing: boolean;
    roomGone: number;
  };
  errors: { total: number; rate: number; byKind: Record<string, number>; httpByOperation: Record<string, number> };
  disconnects: { total: number; byKind: Record<string, number>; rejoins: number; rejoinsGivenUp: number };
  nodes: {
    observed: Record<string, { rooms: number; players: number; spectators: number }>;
    reported: ReportedNode[] | null;
    reportedAt: string | null;
  };
  cpu: {
    userMs: number;
    systemMs: number;
    percentOfOneCore: number;
    perProcess: Array<{
      pid: number;
      role: string;
      bots: number;
      userMs: number;
      systemMs: number;
      eventLoopDelayMs?: { p50: number; p99: number; max: number };
    }>;
    /** Worst event-loop delay p99 of the bot processes, ms. */
    eventLoopDelayP99Ms: number;
    /** The bots were CPU-bound: their latency figures include their own delay. */
    saturated: boolean;
  };
  memory: { rssMbMax: number; perProcessMb: number[] };
  counters: Record<string, number>;
  thresholds: { maxErrorRate: number; maxErrors: number | null; passed: boolean; failures: string[] };
}

/** A bot process whose event-loop delay p99 exceeds this was CPU-bound. */
export const SATURATED_LOOP_P99_MS = 50;

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;

/** Observed node keys `process:<id>` renamed to node ids where /api/nodes (or a lone /healthz) tells which. */
export function resolveNodeKey(
  key: string,
  processNodes: Readonly<Record<string, string>>,
  healthNode: string | null,
  allKeys: string[],
): string {
  if (!key.startsWith("process:")) return key;
  const hit = processNodes[key.slice("process:".length)];
  if (hit) return hit;
  // One node reached directly: /healthz named it.
  if (healthNode && allKeys.length === 1) return healthNode;
  return key;
}

export function buildReport(input: ReportInput): Report {
  const { config, merged: m } = input;
  const c = (name: string) => m.counters[name] ?? 0;
  const roster = rosterOf(config);
  const runS = Math.max(0.001, (input.stoppedAt - input.startedAt) / 1000);
  const elapsedS = (input.endedAt - input.startedAt) / 1000;

  // Games.
  const byResult: Record<string, number> = {};
  const byKind: Record<string, { started: number; finished: number }> = {};
  let finished = 0;
  let rematches = 0;
  for (const g of m.games.values()) {
    if (g.mode === "rematch") rematches++;
    const k = entry(byKind, g.kind, () => ({ started: 0, finished: 0 }));
    k.started++;
    if (g.result !== null) {
      finished++;
      k.finished++;
      byResult[g.result] = (byResult[g.result] ?? 0) + 1;
    }
  }

  // Nodes.
  const keys = [...new Set([...m.rooms.values(), ...Object.keys(m.joinsByNode)])];
  const name = (k: string) => resolveNodeKey(k, input.processNodes, input.healthNode, keys);
  const observed: Report["nodes"]["observed"] = {};
  for (const node of m.rooms.values()) {
    const o = entry(observed, name(node), () => ({ rooms: 0, players: 0, spectators: 0 }));
    o.rooms++;
  }
  for (const [node, j] of Object.entries(m.joinsByNode)) {
    const o = entry(observed, name(node), () => ({ rooms: 0, players: 0, spectators: 0 }));
    o.players += j.players;
    o.spectators += j.spectators;
  }

  // Errors and thresholds.
  const errorsTotal = totalOf(m.errors);
  const attempts = c("movesSent") + c("joins") + c("rejoins") + c("spectatorJoins");
  const rate = attempts === 0 ? (errorsTotal > 0 ? 1 : 0) : errorsTotal / attempts;
  const failures: string[] = [];
  if (rate > config.maxErrorRate) failures.push(`error rate ${rate.toFixed(4)} > --max-error-rate ${config.maxErrorRate}`);
  if (config.maxErrors !== null && errorsTotal > config.maxErrors)
    failures.push(`${errorsTotal} errors > --max-errors ${config.maxErrors}`);

  // CPU and memory.
  const procs: Report["cpu"]["perProcess"] = m.processes.map((p) => ({
    pid: p.pid,
    role: "bots",
    bots: p.bots,
    userMs: Math.round(p.cpu.userMs),
    systemMs: Math.round(p.cpu.systemMs),
    eventLoopDelayMs: p.eventLoopDelayMs,
  }));
  const loopP99 = Math.max(0, ...m.processes.map((p) => p.eventLoopDelayMs.p99));
  const mem = m.processes.map((p) => p.rssMbMax);
  if (input.parent) {
    procs.push({
      pid: input.parent.pid,
      role: "parent",
      bots: 0,
      userMs: Math.round(input.parent.cpu.userMs),
      systemMs: Math.round(input.parent.cpu.systemMs),
    });
    mem.push(input.parent.rssMbMax);
  }
  const userMs = procs.reduce((s, p) => s + p.userMs, 0);
  const systemMs = procs.reduce((s, p) => s + p.systemMs, 0);

  const rtt = summarize(concatSamples(m.moveRtt));
  const mm = summarize(concatSamples(m.matchmakingWait));
  const join = summarize(concatSamples(m.joinMs));
  const lag = summarize(concatSamples(m.spectatorLag));
  const rejoinGap = summarize(concatSamples(m.rejoinGap));
  const pick4 = (s: Summary) => ({ p50: s.p50, p99: s.p99, max: s.max, count: s.count });

  return {
    config: {
      url: config.url,
      bots: config.bots,
      game: config.game,
      timeControl: Object.fromEntries(gamesOf(config).map((g) => [g, timeControlOf(config, g)])),
      durationS: config.durationMs / 1000,
      thinkMs: { min: config.thinkMs[0], max: config.thinkMs[1] },
      spectatorShare: config.spectatorShare,
      procs: config.procs,
      out: config.out,
      maxErrorRate: config.maxErrorRate,
      maxErrors: config.maxErrors,
      allowRemote: config.allowRemote,
      graceMaxS: GRACE_MS / 1000,
    },
    runId: input.runId,
    startedAt: new Date(input.startedAt).toISOString(),
    durationS: r2(runS),
    graceS: r2((input.endedAt - input.stoppedAt) / 1000),
    elapsedS: r2(elapsedS),
    bots: { total: config.bots, players: roster.players, spectators: roster.spectators, inRoomMax: m.inRoomMax },
    procs: config.procs,
    games: {
      started: m.games.size,
      finished,
      unfinished: m.games.size - finished,
      byResult: sortedCounts(byResult),
      byKind,
      rematches,
      requeues: c("requeues"),
    },
    moves: { total: c("moves"), perSecond: r1(c("movesInRun") / runS), inRunPhase: c("movesInRun"), sent: c("movesSent") },
    moveRttMs: { p50: rtt.p50, p95: rtt.p95, p99: rtt.p99, max: rtt.max, count: rtt.count, mean: rtt.mean },
    matchmakingWaitMs: pick4(mm),
    joinMs: pick4(join),
    rejoinGapMs: pick4(rejoinGap),
    spectators: {
      joins: c("spectatorJoins"),
      movesSeen: c("spectatorMoves"),
      moveLagMs: pick4(lag),
      noLiveGames: c("noLiveGames"),
      liveGamesEndpointMissing: c("liveGamesEndpointMissing") > 0,
      roomGone: c("spectateGone"),
    },
    errors: {
      total: errorsTotal,
      rate: Number(rate.toFixed(6)),
      byKind: sortedCounts(m.errors),
      httpByOperation: sortedCounts(m.httpErrors),
    },
    disconnects: {
      total: totalOf(m.disconnects),
      byKind: sortedCounts(m.disconnects),
      rejoins: rejoinGap.count,
      rejoinsGivenUp: m.errors.rejoin_gave_up ?? 0,
    },
    nodes: {
      observed,
      reported: input.reportedNodes,
      reportedAt: input.reportedAt === null ? null : new Date(input.reportedAt).toISOString(),
    },
    cpu: {
      userMs,
      systemMs,
      percentOfOneCore: r1(((userMs + systemMs) / Math.max(1, input.endedAt - input.startedAt)) * 100),
      perProcess: procs,
      eventLoopDelayP99Ms: loopP99,
      saturated: loopP99 > SATURATED_LOOP_P99_MS,
    },
    memory: { rssMbMax: r1(Math.max(0, ...mem)), perProcessMb: mem },
    counters: sortedCounts(m.counters),
    thresholds: { maxErrorRate: config.maxErrorRate, maxErrors: config.maxErrors, passed: failures.length === 0, failures },
  };
}

/** Write the JSON report (creating its folder); returns the absolute path. */
export function writeReport(report: Report, path: string): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, `${JSON.stringify(report, null, 2)}\n`);
  return abs;
}
