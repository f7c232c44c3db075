/**
 * The contract between the benchmark runner (bench.ts) and the systems it
 * compares side by side (plain Colyseus, boardgame.io, Tabula). Each system
 * starts its own servers, and names the driver — a separate process, so its
 * CPU is measured apart from the servers' — that loads it.
 *
 * A driver is run as `node <script> ...args`. It writes progress to stderr
 * and, at the end, exactly one line of JSON (a DriverResult) to stdout, then
 * exits 0 (non-zero with a message on stderr when it could not run at all).
 *
 * A driver should write the line WINDOW_OPEN to stderr the moment its measured
 * window opens and WINDOW_CLOSE the moment it closes: the runner samples CPU
 * and memory and counts the database's rows at those lines. A driver without
 * them is measured over the last `durationMs` before it exits (said in the
 * results as `window: "timed"`).
 */

/** Marker line (stderr) a driver writes when its measured window opens. */
export const WINDOW_OPEN = "BENCH_WINDOW open";
/** Marker line (stderr) a driver writes when its measured window closes. */
export const WINDOW_CLOSE = "BENCH_WINDOW close";

export interface LoadShape {
  /** Players connected at once (two per game). */
  players: number;
  /** Measured window, ms (after the warm-up). */
  durationMs: number;
  /** Played but not measured before the window opens, ms. */
  warmupMs: number;
}

export interface DriverSpec {
  script: string;
  args: string[];
}

export interface DriverResult {
  /** Moves acknowledged inside the measured window. */
  moves: number;
  /** Moves refused, timed out or lost, and failed connections, inside the window. */
  errors: number;
  /** Round trip of every acknowledged move in the window (send → the mover sees it applied), ms. */
  rttMs: number[];
  /** Players connected when the window closed. */
  connected: number;
  /** Games that ended inside the window (optional: says how much of the load was starting new games). */
  games?: number;
  /** Length of the measured window as the driver timed it, ms (default: LoadShape.durationMs). */
  windowMs?: number;
}

export interface RunningSystem {
  /** Processes whose CPU counts as the system's servers (game nodes, nginx). */
  serverPids(): number[];
  /** Processes whose CPU counts as its database (empty when it has none). */
  databasePids(): number[];
  /** The driver that loads this system with `shape`. */
  driver(shape: LoadShape): DriverSpec;
  /** Rows in the move log, counted in the database; null when the system does not persist. */
  countMoves(): Promise<number | null>;
  /**
   * Other processes of the system whose CPU is reported in a column of their
   * own, by label (e.g. `{ redis: [pid] }`); optional.
   */
  otherPids?(): Record<string, number[]>;
  stop(): Promise<void>;
}

export interface BenchSystem {
  /** Short id used in JSON and on the command line, e.g. "colyseus", "bgio-memory", "tabula-1". */
  id: string;
  /** Label in the printed table. */
  label: string;
  persisted: boolean;
  start(log: (line: string) => void): Promise<RunningSystem>;
}
