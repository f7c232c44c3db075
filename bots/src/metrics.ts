/**
 * What one process's bots measured: counters, errors by kind, raw latency
 * samples, the games played and the node of every room joined. Workers send
 * `ProgressDelta`s every second and one `RawResults` at the end; the parent
 * merges them (`mergeRaw`) into the report.
 */
import type { Histogram } from "node:perf_hooks";
import { HttpFailure } from "./http.ts";
import { addCounts, entry, Samples } from "./stats.ts";

/** A game a player bot of ours took part in. */
export interface GameRecord {
  kind: string;
  /** Node key of its room (see rooms.ts nodeKeyOf). */
  node: string;
  /** How the game was made: quick, rematch, … (from the snapshot). */
  mode: string;
  /** Result reason (connect-four, resign, …), or null if we left before it ended. */
  result: string | null;
}

export interface JoinsOnNode {
  players: number;
  spectators: number;
}

export interface RawResults {
  pid: number;
  bots: number;
  counters: Record<string, number>;
  errors: Record<string, number>;
  disconnects: Record<string, number>;
  httpErrors: Record<string, number>;
  moveRtt: Float64Array;
  matchmakingWait: Float64Array;
  joinMs: Float64Array;
  spectatorLag: Float64Array;
  rejoinGap: Float64Array;
  games: Record<string, GameRecord>;
  /** Every room joined (as a player or a spectator) → its node key. */
  rooms: Record<string, string>;
  joinsByNode: Record<string, JoinsOnNode>;
  /** Rooms joined per node key → process ids seen in their URLs (to map to node ids). */
  processIds: Record<string, string>;
  cpu: { userMs: number; systemMs: number };
  rssMbMax: number;
  inRoomMax: number;
  /** This process's event-loop delay (ms): high values mean the bots were CPU-bound and their timings inflated. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface ProgressDelta {
  counters: Record<string, number>;
  errors: Record<string, number>;
  moveRtt: Float64Array;
  gamesStarted: string[];
  gamesFinished: string[];
  /** Gauges (current values, not deltas). */
  inRoom: number;
  queued: number;
  activeBots: number;
}

export class Metrics {
  readonly counters: Record<string, number> = {};
  readonly errors: Record<string, number> = {};
  readonly disconnects: Record<string, number> = {};
  /** HTTP failures by operation and kind: "POST /api/guest http_timeout". */
  readonly httpErrors: Record<string, number> = {};
  readonly moveRtt = new Samples(4096);
  readonly matchmakingWait = new Samples();
  readonly joinMs = new Samples();
  readonly spectatorLag = new Samples(4096);
  /** From losing a game's room to being back in it (rejoin by id). */
  readonly rejoinGap = new Samples();
  readonly games = new Map<string, GameRecord>();
  readonly rooms = new Map<string, string>();
  readonly joinsByNode: Record<string, JoinsOnNode> = {};
  readonly processIds: Record<string, string> = {};
  /** Sockets currently in a room. */
  inRoom = 0;
  inRoomMax = 0;
  /** Bots currently waiting in matchmaking. */
  queued = 0;
  /** Bots whose run loop has not ended. */
  activeBots = 0;
  /** False once the run phase is over (moves after it do not count in moves/s). */
  running = true;
  private rssMax = 0;

  private lastCounters: Record<string, number> = {};
  private lastErrors: Record<string, number> = {};
  private rttSent = 0;
  private newStarted: string[] = [];
  private newFinished: string[] = [];

  count(name: string, n = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + n;
  }

  error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** A failed HTTP request (an HttpFailure, or anything else thrown by the request). */
  httpError(err: unknown): void {
    if (err instanceof HttpFailure) {
      this.error(err.kind);
      const key = `${err.op} ${err.kind}`;
      this.httpErrors[key] = (this.httpErrors[key] ?? 0) + 1;
    } else this.error("http_unexpected");
  }

  disconnect(kind: string): void {
    this.disconnects[kind] = (this.disconnects[kind] ?? 0) + 1;
  }

  socketOpened(): void {
    this.inRoom++;
    if (this.inRoom > this.inRoomMax) this.inRoomMax = this.inRoom;
  }

  socketClosed(): void {
    this.inRoom = Math.max(0, this.inRoom - 1);
  }

  /** A bot joined room `gameId` on `node`; `processId` is the process id from the room URL, if any. */
  roomJoined(gameId: string, node: string, role: "player" | "spectator", processId: string | null): void {
    this.rooms.set(gameId, node);
    const j = entry(this.joinsByNode, node, () => ({ players: 0, spectators: 0 }));
    if (role === "player") j.players++;
    else j.spectators++;
    if (processId) this.processIds[node] = processId;
  }

  /** A player bot joined game `gameId` (either seat; counted once per game). */
  gameStarted(gameId: string, kind: string, mode: string, node: string): void {
    if (this.games.has(gameId)) return;
    this.games.set(gameId, { kind, mode, node, result: null });
    this.newStarted.push(gameId);
  }

  gameFinished(gameId: string, reason: string): void {
    const g = this.games.get(gameId);
    if (!g || g.result !== null) return;
    g.result = reason;
    this.newFinished.push(gameId);
  }

  sampleMemory(): void {
    const rss = process.memoryUsage.rss() / 1048576;
    if (rss > this.rssMax) this.rssMax = rss;
  }

  /** What changed since the previous call. */
  takeDelta(): ProgressDelta {
    const diff = (now: Record<string, number>, last: Record<string, number>) => {
      const d: Record<string, number> = {};
      for (const [k, v] of Object.entries(now)) if (v !== (last[k] ?? 0)) d[k] = v - (last[k] ?? 0);
      return d;
    };
    const delta: ProgressDelta = {
      counters: diff(this.counters, this.lastCounters),
      errors: diff(this.errors, this.lastErrors),
      moveRtt: this.moveRtt.slice(this.rttSent),
      gamesStarted: this.newStarted,
      gamesFinished: this.newFinished,
      inRoom: this.inRoom,
      queued: this.queued,
      activeBots: this.activeBots,
    };
    this.lastCounters = { ...this.counters };
    this.lastErrors = { ...this.errors };
    this.rttSent = this.moveRtt.length;
    this.newStarted = [];
    this.newFinished = [];
    this.sampleMemory();
    return delta;
  }

  raw(bots: number, cpu: NodeJS.CpuUsage, eventLoop: Histogram | null = null): RawResults {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    this.sampleMemory();
    return {
      pid: process.pid,
      bots,
      counters: { ...this.counters },
      errors: { ...this.errors },
      disconnects: { ...this.disconnects },
      httpErrors: { ...this.httpErrors },
      moveRtt: this.moveRtt.slice(),
      matchmakingWait: this.matchmakingWait.slice(),
      joinMs: this.joinMs.slice(),
      spectatorLag: this.spectatorLag.slice(),
      rejoinGap: this.rejoinGap.slice(),
      games: Object.fromEntries(this.games),
      rooms: Object.fromEntries(this.rooms),
      joinsByNode: structuredClone(this.joinsByNode),
      processIds: { ...this.processIds },
      cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
      rssMbMax: Math.round(this.rssMax * 10) / 10,
      inRoomMax: this.inRoomMax,
      eventLoopDelayMs: eventLoop
        ? { p50: ms(eventLoop.percentile(50)), p99: ms(eventLoop.percentile(99)), max: ms(eventLoop.max) }
        : { p50: 0, p99: 0, max: 0 },
    };
  }
}

/** Merged results of every process. */
export interface MergedResults {
  processes: Array<{
    pid: number;
    bots: number;
    cpu: { userMs: number; systemMs: number };
    rssMbMax: number;
    eventLoopDelayMs: { p50: number; p99: number; max: number };
  }>;
  counters: Record<string, number>;
  errors: Record<string, number>;
  disconnects: Record<string, number>;
  httpErrors: Record<string, number>;
  moveRtt: Float64Array[];
  matchmakingWait: Float64Array[];
  joinMs: Float64Array[];
  spectatorLag: Float64Array[];
  rejoinGap: Float64Array[];
  games: Map<string, GameRecord>;
  rooms: Map<string, string>;
  joinsByNode: Record<string, JoinsOnNode>;
  processIds: Record<string, string>;
  inRoomMax: number;
}

export function mergeRaw(parts: readonly RawResults[]): MergedResults {
  const m: MergedResults = {
    processes: [],
    counters: {},
    errors: {},
    disconnects: {},
    httpErrors: {},
    moveRtt: [],
    matchmakingWait: [],
    joinMs: [],
    spectatorLag: [],
    rejoinGap: [],
    games: new Map(),
    rooms: new Map(),
    joinsByNode: {},
    processIds: {},
    inRoomMax: 0,
  };
  for (const p of parts) {
    m.processes.push({ pid: p.pid, bots: p.bots, cpu: p.cpu, rssMbMax: p.rssMbMax, eventLoopDelayMs: p.eventLoopDelayMs });
    addCounts(m.counters, p.counters);
    addCounts(m.errors, p.errors);
    addCounts(m.disconnects, p.disconnects);
    addCounts(m.httpErrors, p.httpErrors);
    m.moveRtt.push(p.moveRtt);
    m.matchmakingWait.push(p.matchmakingWait);
    m.joinMs.push(p.joinMs);
    m.spectatorLag.push(p.spectatorLag);
    m.rejoinGap.push(p.rejoinGap);
    // A game seen by two processes (one bot each): a finished record wins over an unfinished one.
    for (const [id, g] of Object.entries(p.games)) {
      const had = m.games.get(id);
      if (!had || (had.result === null && g.result !== null)) m.games.set(id, g);
    }
    for (const [id, node] of Object.entries(p.rooms)) m.rooms.set(id, node);
    for (const [node, j] of Object.entries(p.joinsByNode)) {
      const t = entry(m.joinsByNode, node, () => ({ players: 0, spectators: 0 }));
      t.players += j.players;
      t.spectators += j.spectators;
    }
    Object.assign(m.processIds, p.processIds);
    // Peaks of different processes need not coincide: the sum is an upper bound.
    m.inRoomMax += p.inRoomMax;
  }
  return m;
}
