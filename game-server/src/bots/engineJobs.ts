/**
 * What the node asks its engine workers (enginePool.ts → engineWorker.ts) and
 * what they answer, and how each bot level limits Stockfish. Plain data: it
 * crosses the thread boundary by structured clone.
 */
import type { BotLevel } from "@tabula/shared/rules";

export type EngineJob =
  /** A chess move for the side to move in `fen`, thinking at most `movetimeMs`. */
  | { kind: "chess"; fen: string; level: BotLevel; movetimeMs: number }
  /** A Connect Four move (medium or hard) for the side to move on `board`, seeded by `seed`. */
  | { kind: "connect4"; board: readonly number[]; level: BotLevel; seed: string };

export interface EngineRequest {
  id: number;
  job: EngineJob;
}

export type EngineAnswer =
  | { id: number; ok: true; move: string /** Time the worker spent, ms. */; ms: number }
  | { id: number; ok: false; error: string };

/** Stockfish's limits at one level: UCI options to set, and the `go` command. */
export interface UciLimits {
  options: { name: string; value: string }[];
  go: string;
}

/**
 * Per level (Stockfish's own UCI options, so its strength is calibrated, not invented here):
 * - easy: UCI_LimitStrength at Elo 1350 (Stockfish's floor is 1320), depth ≤ 5, ≤ 300 ms;
 * - medium: UCI_LimitStrength at Elo 1800, depth ≤ 10, ≤ 600 ms;
 * - hard: full strength, depth ≤ 14, ≤ 1 s.
 * `movetimeMs` lowers the time limit further (a short clock); never under 50 ms.
 */
export function uciLimits(level: BotLevel, movetimeMs: number): UciLimits {
  const cap = (ms: number) => Math.max(50, Math.min(ms, Math.round(movetimeMs)));
  switch (level) {
    case "easy":
      return { options: limitStrength(1350), go: `go depth 5 movetime ${cap(300)}` };
    case "medium":
      return { options: limitStrength(1800), go: `go depth 10 movetime ${cap(600)}` };
    case "hard":
      return { options: [{ name: "UCI_LimitStrength", value: "false" }], go: `go depth 14 movetime ${cap(1000)}` };
  }
}

function limitStrength(elo: number): UciLimits["options"] {
  return [
    { name: "UCI_LimitStrength", value: "true" },
    { name: "UCI_Elo", value: String(elo) },
  ];
}
