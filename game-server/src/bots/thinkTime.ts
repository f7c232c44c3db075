/**
 * How long a bot waits before it moves: like a person, more in a complex
 * position (many legal moves) and in the middle game, little in an obvious one
 * (a recapture, a forced block, a single legal move) or in the first few
 * moves, and always in proportion to its clock — a share of the time left
 * spread over the moves still to play, plus part of the increment — so it
 * never flags. Typical: ~5-6 s for a middle-game chess move at 3+2 with the
 * whole clock left, ~2 s for a Connect Four move at 1+5. Pure: the position's features, the clock and the randomness
 * are passed in.
 */
import type { BotLevel } from "@tabula/shared/rules";

/** What the think time depends on. Times in ms. */
export interface ThinkInput {
  /** Legal moves the bot has now (1: no choice at all). */
  legalMoves: number;
  /** The move is obvious: a recapture, a mate or win in one, a forced block, the only way out of check. */
  obvious: boolean;
  /** Moves played in the game so far (plies). */
  ply: number;
  /** The bot's remaining clock time. */
  remainingMs: number;
  /** Added after each move. */
  incrementMs: number;
  /** Before the clocks start: when the bot must have moved (ms from now); null once clocks run. */
  firstMoveLeftMs: number | null;
  level: BotLevel;
  /** Uniform in [0, 1): this move's share of human irregularity. */
  random: number;
  /** BOT_THINK_SCALE: multiplies the result (tests use ~0; 1 in production). */
  scale: number;
}

/** A person's fastest deliberate move: even an obvious one takes about this long. */
export const MIN_THINK_MS = 1_200;
/** Never more than this on one move, however much time is left. */
export const MAX_THINK_MS = 20_000;

/**
 * The bot's think time for one move, in ms (≥ 0). With `scale` 1: at least
 * MIN_THINK_MS (unless the clock is shorter than ten times that), at most
 * MAX_THINK_MS, and never more than a tenth of the remaining time (or of the
 * first-move window), so a bot cannot lose on time by thinking.
 */
export function botThinkMs(i: ThinkInput): number {
  // Expected moves still to play, as a person budgets them: ~35 in the opening, never under 20.
  const movesLeft = Math.max(20, 35 - i.ply / 4);
  const perMove = i.remainingMs / movesLeft + i.incrementMs * 0.6;
  // Complexity: ~0.4 with two moves, ~0.7 with seven (Connect Four), ~1 with thirty (chess), at most 1.3.
  const complexity = Math.min(1.3, 0.25 + Math.log2(Math.max(2, i.legalMoves)) / 6.6);
  // The first moves are known by heart; the middle game is where people stop and think.
  const phase = i.ply < 6 ? 0.35 : i.ply < 16 ? 0.8 : 1;
  const levelFactor = i.level === "easy" ? 0.8 : i.level === "hard" ? 1.15 : 1;
  const irregular = 0.5 + 0.8 * i.random;
  const wanted =
    i.legalMoves <= 1 || i.obvious ? MIN_THINK_MS * (1 + i.random) : perMove * complexity * phase * levelFactor * irregular;

  let ms = Math.min(MAX_THINK_MS, Math.max(MIN_THINK_MS, wanted));
  const window = i.firstMoveLeftMs ?? i.remainingMs;
  ms = Math.min(ms, Math.max(0, window) / 10);
  return Math.max(0, Math.round(ms * i.scale));
}
