/**
 * The built-in bot, shared by the server's bot seats and the stress bots.
 *
 * Its own policy (the easy level of every game, and chess's fallback when the
 * server's engine cannot answer) is deliberately weak but never silly: it takes
 * a win in one, parries a loss in one and does not give material away at a
 * glance. Connect Four's medium and hard levels search (connect4Solver.ts);
 * chess's levels are the server's Stockfish (game-server/src/bots/). All
 * randomness comes from the caller's seeded RNG, so a (state, seed, level)
 * triple always gives the same move.
 */
import { Chess } from "chess.js";
import type { Color, Move, PieceSymbol, Square } from "chess.js";
import type { ChessState } from "./chess.ts";
import { c4DropRow, c4WinsAt, C4_COLUMNS, connect4 } from "./connect4.ts";
import type { Connect4State } from "./connect4.ts";
import { c4LevelMove } from "./connect4Solver.ts";
import type { Rng } from "./rng.ts";
import { opponentOf } from "./types.ts";
import type { BotLevel, GameDefinition, Seat } from "./types.ts";

/**
 * A legal move for `seat` chosen by the built-in bot of `def`'s game at `level` (default "easy":
 * the built-in policy; a uniformly random legal move for a game without one). Connect Four's
 * "medium" and "hard" search (hard: up to ~200 ms of CPU, see connect4Solver.ts); chess plays its
 * built-in policy at every level here (the server's levels are Stockfish's). Deterministic given
 * `rng`'s seed. Throws if `seat` has no legal move (not its turn, or game over). The easy policy
 * takes well under 10 ms.
 */
export function chooseBotMove<S>(def: GameDefinition<S>, state: S, seat: Seat, rng: Rng, level: BotLevel = "easy"): string {
  let move: string | undefined;
  if (def.id === "connect4" && level !== "easy" && def.toMove(state) === seat) {
    move = String(c4LevelMove(state as Connect4State, level, rng).column);
  } else if (def.id === "connect4") move = connect4Move(state as Connect4State, seat, rng);
  else if (def.id === "chess" && def.toMove(state) === seat) move = chessMove(state as ChessState, rng);
  else move = pick(def.legalMoves(state, seat), rng);
  if (move === undefined) throw new Error(`chooseBotMove: seat ${seat} has no legal ${def.id} move`);
  return move;
}

function pick<T>(items: readonly T[], rng: Rng): T | undefined {
  return items.length === 0 ? undefined : items[rng.int(items.length)];
}

// ---------------------------------------------------------------- Connect Four

// Centre columns take part in more lines of four, so they are drawn more often.
const COLUMN_WEIGHTS = [1, 2, 3, 4, 3, 2, 1];

/**
 * Win now; else block the opponent's win; else avoid columns where our disc
 * would let the opponent win on top of it; among the rest draw a column with
 * centre-weighted probability.
 */
function connect4Move(state: Connect4State, seat: Seat, rng: Rng): string | undefined {
  const columns = connect4.legalMoves(state, seat).map(Number);
  const board = state.board;
  const opponent = opponentOf(seat);

  const wins = columns.filter((c) => c4WinsAt(board, c, seat));
  if (wins.length > 0) return String(pick(wins, rng));
  // With two threats we lose anyway; blocking one at least makes the opponent find the other.
  const blocks = columns.filter((c) => c4WinsAt(board, c, opponent));
  if (blocks.length > 0) return String(pick(blocks, rng));

  // Our disc only changes what the opponent can do in the same column (no other column had a win, see above).
  const safe = columns.filter((c) => {
    const after = board.slice();
    after[c4DropRow(board, c) * C4_COLUMNS + c] = seat;
    return !c4WinsAt(after, c, opponent);
  });
  const candidates = safe.length > 0 ? safe : columns;
  if (candidates.length === 0) return undefined;

  const total = candidates.reduce((sum, c) => sum + COLUMN_WEIGHTS[c]!, 0);
  let r = rng.next() * total;
  for (const c of candidates) {
    r -= COLUMN_WEIGHTS[c]!;
    if (r < 0) return String(c);
  }
  return String(candidates[candidates.length - 1]);
}

// ----------------------------------------------------------------------- Chess

/** Material values in pawns; the king is never captured. */
const VALUE: Record<PieceSymbol, number> = { p: 1, n: 3, b: 3, r: 5, q: 9, k: 0 };
const MATE = 1000;
// Score units per pawn, so that smaller tie-breakers (mobility) never outweigh material.
const PAWN = 1000;

/**
 * Mate in one if there is one; otherwise the move with the best 2-ply material
 * balance (our capture/promotion minus the opponent's best reply, where a reply
 * that takes a defended piece is charged the capturer back, and a reply that
 * mates counts as losing everything). Stalemating counts as a draw. When a
 * piece or more ahead, equal material is broken by leaving the opponent the
 * fewest replies without repeating a position. Promotions are to a queen
 * (unless an under-promotion mates). Remaining ties go to the RNG.
 */
function chessMove(state: ChessState, rng: Rng): string | undefined {
  const board = new Chess(state.fen);
  const us = board.turn();
  const all = board.moves({ verbose: true });

  const mates = all.filter((m) => m.san.endsWith("#"));
  if (mates.length > 0) {
    const plain = mates.filter((m) => !m.promotion || m.promotion === "q");
    return pick(plain.length > 0 ? plain : mates, rng)!.lan;
  }

  const balance = material(board, us) - material(board, us === "w" ? "b" : "w");
  const seen = new Set(state.positionKeys);
  let bestScore = -Infinity;
  let best: Move[] = [];
  for (const m of all) {
    if (m.promotion && m.promotion !== "q") continue;
    const score = scoreMove(m, us, balance, seen);
    if (score > bestScore) {
      bestScore = score;
      best = [m];
    } else if (score === bestScore) {
      best.push(m);
    }
  }
  return pick(best, rng)?.lan;
}

function scoreMove(m: Move, us: Color, balance: number, seen: ReadonlySet<string>): number {
  const gain = (m.captured ? VALUE[m.captured] : 0) + (m.promotion ? VALUE[m.promotion] - VALUE.p : 0);
  // chess.js wrote this FEN itself, so its (costly) validation can be skipped.
  const after = new Chess(m.after, { skipValidation: true });
  // SAN is far cheaper than verbose moves in chess.js, and carries what we need: "x", target square, "=Q", "#".
  const replies = after.moves();
  // Stalemate (mates were handled before) is a draw: worth minus our current lead.
  if (replies.length === 0) return -balance * PAWN;
  let worst = 0; // the opponent can always just make a quiet move
  for (const san of replies) {
    if (san.endsWith("#")) return (gain - MATE) * PAWN;
    worst = Math.max(worst, replyGain(after, san, us));
  }
  const net = gain - worst;
  if (balance + net < 3) return net * PAWN;
  // A piece up, squeeze the opponent's mobility and avoid repeating: steers towards
  // mate instead of drifting into a repetition or the fifty-move rule.
  const repeats = seen.has(m.after.split(" ", 4).join(" "));
  return net * PAWN - replies.length - (repeats ? PAWN / 2 : 0);
}

/** What the opponent's reply `san` wins in `after`, net of our recapture when the square is defended. */
function replyGain(after: Chess, san: string, us: Color): number {
  let s = san.replace(/[+#]$/, "");
  let promotedTo: PieceSymbol | null = null;
  const eq = s.indexOf("=");
  if (eq >= 0) {
    promotedTo = s.charAt(eq + 1).toLowerCase() as PieceSymbol;
    s = s.slice(0, eq);
  }
  const promotion = promotedTo ? VALUE[promotedTo] - VALUE.p : 0;
  const capture = s.includes("x");
  if (!capture && promotion === 0) return 0; // castling and quiet moves win nothing
  const target = s.slice(-2) as Square;
  // An empty target on a capture is en passant: a pawn.
  let gain = (capture ? VALUE[after.get(target)?.type ?? "p"] : 0) + promotion;
  if (after.isAttacked(target, us)) {
    const mover = s.charAt(0);
    const capturer: PieceSymbol = promotedTo ?? ("NBRQK".includes(mover) ? (mover.toLowerCase() as PieceSymbol) : "p");
    gain -= VALUE[capturer];
  }
  return gain;
}

function material(board: Chess, color: Color): number {
  let sum = 0;
  for (const row of board.board()) {
    for (const sq of row) if (sq && sq.color === color) sum += VALUE[sq.type];
  }
  return sum;
}
