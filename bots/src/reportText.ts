/**
 * The report as people read it: the table printed at the end of a run and the
 * one-line progress view printed while it runs.
 */
import { GRACE_MS } from "./args.ts";
import { type Report, SATURATED_LOOP_P99_MS } from "./report.ts";

const n = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? "–" : v.toFixed(digits));
const int = (v: number) => v.toLocaleString("en-US");
const counts = (o: Record<string, number>, empty = "none") =>
  Object.keys(o).length === 0
    ? empty
    : Object.entries(o)
        .map(([k, v]) => `${k} ${int(v)}`)
        .join(" · ");

/** The report as a readable table. */
export function renderTable(r: Report, jsonPath: string | null): string {
  const rows: Array<[string, string]> = [];
  const row = (k: string, v: string) => rows.push([k, v]);
  const cfg = r.config as { game: string; timeControl: Record<string, string>; thinkMs: { min: number; max: number } };
  row(
    "run",
    `${r.runId} · ${cfg.game} (${Object.entries(cfg.timeControl)
      .map(([g, tc]) => `${g} ${tc}`)
      .join(", ")}) · think ${cfg.thinkMs.min}-${cfg.thinkMs.max} ms`,
  );
  row("time", `${n(r.durationS)} s run + ${n(r.graceS)} s grace (started ${r.startedAt})`);
  row(
    "bots",
    `${int(r.bots.total)} (${int(r.bots.players)} players, ${int(r.bots.spectators)} spectators) in ${r.procs} process${r.procs > 1 ? "es" : ""} · peak in rooms ${int(r.bots.inRoomMax)}`,
  );
  row(
    "games",
    `${int(r.games.started)} started · ${int(r.games.finished)} finished · ${int(r.games.unfinished)} unfinished · ${int(r.games.rematches)} rematches · ${int(r.games.requeues)} re-queues`,
  );
  row("  results", counts(r.games.byResult));
  row("moves", `${int(r.moves.total)} acknowledged · ${n(r.moves.perSecond)}/s during the run`);
  const lat = (s: { p50: number | null; p99: number | null; max: number | null; count: number; p95?: number | null }) =>
    s.count === 0
      ? "no samples"
      : `p50 ${n(s.p50)} · ${s.p95 !== undefined ? `p95 ${n(s.p95)} · ` : ""}p99 ${n(s.p99)} · max ${n(s.max)} ms (n=${int(s.count)})`;
  row("move RTT", lat(r.moveRttMs));
  row("matchmaking", lat(r.matchmakingWaitMs));
  row("room join", lat(r.joinMs));
  if (r.rejoinGapMs.count > 0) row("rejoin gap", lat(r.rejoinGapMs));
  row(
    "spectators",
    `${int(r.spectators.joins)} joins · ${int(r.spectators.movesSeen)} moves seen · ${int(r.spectators.noLiveGames)} times no live game${r.spectators.liveGamesEndpointMissing ? " (no /api/live-games on the server)" : ""}`,
  );
  if (r.spectators.moveLagMs.count > 0) row("  commit→seen", lat(r.spectators.moveLagMs));
  row("errors", `${int(r.errors.total)} (rate ${r.errors.rate.toFixed(4)} of moves + joins)`);
  for (const [k, v] of Object.entries(r.errors.byKind)) row("", `${k} ${int(v)}`);
  if (Object.keys(r.errors.httpByOperation).length > 0) row("  http errors", counts(r.errors.httpByOperation));
  row(
    "disconnects",
    `${counts(r.disconnects.byKind)}${r.disconnects.rejoins ? ` · ${r.disconnects.rejoins} rejoined by id` : ""}`,
  );
  const observed = Object.entries(r.nodes.observed);
  if (observed.length === 0) row("nodes", "none observed");
  for (const [i, [node, o]] of observed.entries())
    row(
      i === 0 ? "nodes seen" : "",
      `${node}: ${int(o.rooms)} rooms · ${int(o.players)} player joins · ${int(o.spectators)} spectator joins`,
    );
  if (r.nodes.reported === null) row("nodes (api)", "GET /api/nodes not available");
  else
    for (const [i, node] of r.nodes.reported.entries())
      row(
        i === 0 ? "nodes (api)" : "",
        `${node.nodeId}: ${node.rooms ?? "?"} rooms · ${node.ccu ?? "?"} clients${node.processId ? ` · process ${node.processId}` : ""}`,
      );
  row(
    "cpu (bots)",
    `user ${int(r.cpu.userMs)} ms · system ${int(r.cpu.systemMs)} ms · ${n(r.cpu.percentOfOneCore)} % of one core · event-loop delay p99 ${n(r.cpu.eventLoopDelayP99Ms)} ms`,
  );
  if (r.cpu.saturated)
    row(
      "  warning",
      `the bots were CPU-bound (event-loop p99 > ${SATURATED_LOOP_P99_MS} ms): latencies include their own delay; use more --procs or fewer bots`,
    );
  row(
    "memory",
    `rss max ${n(r.memory.rssMbMax)} MB${r.memory.perProcessMb.length > 1 ? ` (per process ${r.memory.perProcessMb.join(", ")})` : ""}`,
  );
  row("verdict", r.thresholds.passed ? "PASS" : `FAIL: ${r.thresholds.failures.join("; ")}`);
  if (jsonPath) row("report", jsonPath);

  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n`;
}

export interface ProgressView {
  elapsedMs: number;
  durationMs: number;
  /** Past the run phase: ms into the grace period. */
  graceMs: number | null;
  activeBots: number;
  totalBots: number;
  inRoom: number;
  queued: number;
  gamesStarted: number;
  gamesFinished: number;
  moves: number;
  movesPerSecond: number;
  rttP50: number | null;
  rttP99: number | null;
  errors: number;
}

export function progressLine(p: ProgressView): string {
  const clock =
    p.graceMs === null
      ? `${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s/${(p.durationMs / 1000).toFixed(0)}s`
      : `grace ${(p.graceMs / 1000).toFixed(0)}s/≤${GRACE_MS / 1000}s`;
  return (
    `[${clock}] bots ${p.activeBots}/${p.totalBots} active, ${p.inRoom} in rooms, ${p.queued} queued` +
    ` | games ${p.gamesStarted} started, ${p.gamesFinished} finished` +
    ` | moves ${p.moves} (${p.movesPerSecond.toFixed(1)}/s)` +
    ` | rtt p50 ${n(p.rttP50)} p99 ${n(p.rttP99)} ms | errors ${p.errors}`
  );
}
