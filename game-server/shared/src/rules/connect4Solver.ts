/**
 * A Connect Four search: negamax with alpha-beta over a small mutable board,
 * a transposition table, move ordering (immediate threats, then the move that
 * improves the static evaluation most, centre first on ties) and iterative
 * deepening within a node budget. Pure and deterministic: the same position
 * and budget always give the same answer (no clock is read; the budget counts
 * nodes, not milliseconds, so a loaded machine plays the same moves).
 *
 * The board keeps, for each of the 69 lines of four, how many discs each side
 * has in it (updated when a disc is dropped or taken back). A line with four of
 * one side is a win; a line with three and an empty fourth is a threat; the
 * evaluation sums lines only one side occupies (1, 5, 25 for 1, 2, 3 discs)
 * and adds a bonus for threats on the row parity that favours their owner
 * (Allis' "odd threats" for the first player, even ones for the second).
 *
 * Scores are from the side to move's point of view: `WIN - n` for a win whose
 * last disc is the n-th of the game (a sooner win is worth more), minus that
 * for a loss, 0 for a draw, and evaluations stay well inside ±WIN_FLOOR.
 */
import { C4_COLUMNS, C4_ROWS, type Connect4State } from "./connect4.ts";
import { createRng, type Rng } from "./rng.ts";

const CELLS = C4_COLUMNS * C4_ROWS;
/** A win's score before the number of discs is subtracted. */
export const C4_WIN = 1000;
/** Any score at or above this (or at or below its negation) is a proven result, not an estimate. */
export const C4_WIN_FLOOR = C4_WIN - CELLS - 1;
const EVAL_LIMIT = 800;
// The fourth entry is a won line's: search never plays a winning disc, but a given position may hold one.
const LINE_WEIGHT = [0, 1, 5, 25, 100];
/** A threat (three and an empty cell) on the row parity that favours its owner. */
const PARITY_BONUS = 40;
/** Centre first: the centre columns take part in the most lines. */
const CENTRE_ORDER = [3, 2, 4, 1, 5, 0, 6];

/** Every line of four as its four cells (cell = row * 7 + column). */
const LINES: number[][] = [];
for (let r = 0; r < C4_ROWS; r++) {
  for (let c = 0; c < C4_COLUMNS; c++) {
    for (const [dr, dc] of [
      [0, 1],
      [1, 0],
      [1, 1],
      [1, -1],
    ] as const) {
      const cells = [0, 1, 2, 3].map((k) => [r + k * dr, c + k * dc] as const);
      if (cells.every(([rr, cc]) => rr >= 0 && rr < C4_ROWS && cc >= 0 && cc < C4_COLUMNS)) {
        LINES.push(cells.map(([rr, cc]) => rr * C4_COLUMNS + cc));
      }
    }
  }
}
/** The lines through each cell, flat: cell c's are LINES_OF[LINES_AT[c]] .. LINES_OF[LINES_AT[c + 1] - 1]. */
const LINES_AT = new Int32Array(CELLS + 1);
const LINES_OF = new Int32Array(LINES.length * 4);
for (let cell = 0, k = 0; cell < CELLS; cell++) {
  LINES_AT[cell] = k;
  LINES.forEach((line, i) => {
    if (line.includes(cell)) LINES_OF[k++] = i;
  });
  LINES_AT[cell + 1] = k;
}
const NL = LINES.length;
const LINE_CELLS = Int32Array.from(LINES.flat());

// Zobrist keys (two 32-bit halves per cell and side), from a fixed seed: the same on every run.
const ZOBRIST = (() => {
  const rng = createRng("tabula-connect4-zobrist");
  const keys = new Uint32Array(CELLS * 2 * 2);
  for (let i = 0; i < keys.length; i++) keys[i] = Math.floor(rng.next() * 2 ** 32);
  return keys;
})();

const TT_BITS = 19;
const TT_SIZE = 1 << TT_BITS;
const EXACT = 1;
const LOWER = 2;
const UPPER = 3;

/** What a search found. */
export interface C4SearchResult {
  /** The chosen column, 0..6. */
  column: number;
  /** Its score (see the header): |score| ≥ C4_WIN_FLOOR is a proven win or loss. */
  score: number;
  /** Deepest completed iteration, plies. */
  depth: number;
  /** Nodes searched, all iterations. */
  nodes: number;
  /** The score is the game-theoretic value (a proven result, or every line searched to the end). */
  exact: boolean;
  /** Each root column's score at the last completed iteration (null: full or not searched). */
  rootScores: (number | null)[];
}

export interface C4SearchOptions {
  /** Nodes to spend, all iterations together (default 200,000: ~200 ms of CPU on a loaded 2-core machine). */
  nodeBudget?: number;
  /** Deepest iteration, plies (default: to the end of the game). */
  maxDepth?: number;
  /**
   * Score every root move in a full window (slower: for a level that wants every move's value, e.g.
   * to add noise). Default false: plain alpha-beta, only the best move's score is exact.
   */
  scoreAllRootMoves?: boolean;
}

class BudgetExhausted extends Error {}

/** A mutable Connect Four board tuned for search; only ever used inside one `c4Search` call. */
class SearchBoard {
  readonly cells = new Int8Array(CELLS).fill(-1);
  readonly heights = new Int8Array(C4_COLUMNS);
  /** count[side * LINES.length + line]: discs of `side` in `line`. */
  readonly count = new Uint8Array(2 * NL);
  /**
   * threat[side * 42 + cell]: lines through the empty `cell` where `side` has the other three discs
   * (a disc of `side` there connects four). Only read for empty cells.
   */
  readonly threat = new Uint8Array(2 * CELLS);
  ply = 0;
  hashLo = 0;
  hashHi = 0;
  /** Incremental line score of side 0 minus side 1 (without the parity bonus). */
  lineScore = 0;

  constructor(board: readonly number[]) {
    for (let row = 0; row < C4_ROWS; row++) {
      for (let col = 0; col < C4_COLUMNS; col++) {
        const seat = board[row * C4_COLUMNS + col];
        if (seat === 0 || seat === 1) this.put(col, seat);
      }
    }
  }

  get toMove(): 0 | 1 {
    return (this.ply & 1) as 0 | 1;
  }

  playable(col: number): boolean {
    return this.heights[col]! < C4_ROWS;
  }

  /** Whether `side` dropping in `col` (playable) connects four. */
  winsAt(col: number, side: number): boolean {
    return this.threat[side * CELLS + this.heights[col]! * C4_COLUMNS + col]! > 0;
  }

  /** The empty cell of `line` other than `except` (the line holds three discs of one side). */
  private emptyOf(line: number, except: number): number {
    for (let k = line * 4; k < line * 4 + 4; k++) {
      const c = LINE_CELLS[k]!;
      if (c !== except && this.cells[c] === -1) return c;
    }
    return -1;
  }

  /** How much `side` dropping in `col` (playable) would raise its line score (for move ordering). */
  gainAt(col: number, side: number): number {
    const cell = this.heights[col]! * C4_COLUMNS + col;
    const mine = side * NL;
    const theirs = (1 - side) * NL;
    const count = this.count;
    let gain = 0;
    for (let k = LINES_AT[cell]!, end = LINES_AT[cell + 1]!; k < end; k++) {
      const line = LINES_OF[k]!;
      const a = count[mine + line]!;
      const b = count[theirs + line]!;
      if (b === 0) gain += LINE_WEIGHT[a + 1]! - LINE_WEIGHT[a]!;
      else if (a === 0) gain += LINE_WEIGHT[b]!;
    }
    return gain;
  }

  /** Drop a disc of `side` in `col` (a position's own discs are put in any order by the constructor). */
  put(col: number, side: number): void {
    const cell = this.heights[col]! * C4_COLUMNS + col;
    this.cells[cell] = side;
    this.heights[col]!++;
    this.ply++;
    const z = (cell * 2 + side) * 2;
    this.hashLo ^= ZOBRIST[z]!;
    this.hashHi ^= ZOBRIST[z + 1]!;
    const mine = side * NL;
    const theirs = (1 - side) * NL;
    const sign = side === 0 ? 1 : -1;
    for (let k = LINES_AT[cell]!, end = LINES_AT[cell + 1]!; k < end; k++) {
      const line = LINES_OF[k]!;
      const a = this.count[mine + line]!;
      const b = this.count[theirs + line]!;
      // Before: our a discs scored if they had none; their b discs scored if we had none.
      if (b === 0) {
        this.lineScore += sign * (LINE_WEIGHT[a + 1]! - LINE_WEIGHT[a]!);
        if (a === 2) this.threat[side * CELLS + this.emptyOf(line, cell)]!++;
        else if (a === 3) this.threat[side * CELLS + cell]!--; // (a given position's) threat filled by its owner
      } else if (a === 0) this.lineScore += sign * LINE_WEIGHT[b]!; // their line is dead now
      this.count[mine + line] = a + 1;
    }
  }

  play(col: number): void {
    this.put(col, this.toMove);
  }

  undo(col: number): void {
    this.heights[col]!--;
    this.ply--;
    const side = this.toMove;
    const cell = this.heights[col]! * C4_COLUMNS + col;
    this.cells[cell] = -1;
    const z = (cell * 2 + side) * 2;
    this.hashLo ^= ZOBRIST[z]!;
    this.hashHi ^= ZOBRIST[z + 1]!;
    const mine = side * NL;
    const theirs = (1 - side) * NL;
    const sign = side === 0 ? 1 : -1;
    for (let k = LINES_AT[cell]!, end = LINES_AT[cell + 1]!; k < end; k++) {
      const line = LINES_OF[k]!;
      const a = this.count[mine + line]! - 1;
      const b = this.count[theirs + line]!;
      if (b === 0) {
        this.lineScore -= sign * (LINE_WEIGHT[a + 1]! - LINE_WEIGHT[a]!);
        if (a === 2) this.threat[side * CELLS + this.emptyOf(line, cell)]!--;
        else if (a === 3) this.threat[side * CELLS + cell]!++;
      } else if (a === 0) this.lineScore -= sign * LINE_WEIGHT[b]!;
      this.count[mine + line] = a;
    }
  }

  /** Static evaluation for the side to move: line scores plus well-placed threats. */
  evaluate(): number {
    let score = this.lineScore;
    for (let cell = 0; cell < CELLS; cell++) {
      if (this.cells[cell] !== -1) continue;
      // Rows 1, 3, 5 (0-based 0, 2, 4) favour the first player, rows 2, 4, 6 the second.
      const odd = Math.floor(cell / C4_COLUMNS) % 2 === 0;
      if (odd && this.threat[cell]! > 0) score += PARITY_BONUS;
      if (!odd && this.threat[CELLS + cell]! > 0) score -= PARITY_BONUS;
    }
    const mine = this.toMove === 0 ? score : -score;
    return Math.max(-EVAL_LIMIT, Math.min(EVAL_LIMIT, mine));
  }
}

/** One search: the board, its table and its node count. */
class Search {
  nodes = 0;
  private readonly budget: number;
  readonly board: SearchBoard;
  private readonly ttCheck = new Int32Array(TT_SIZE);
  private readonly ttScore = new Int16Array(TT_SIZE);
  private readonly ttDepth = new Int8Array(TT_SIZE).fill(-1);
  private readonly ttFlag = new Uint8Array(TT_SIZE);
  private readonly ttMove = new Int8Array(TT_SIZE);

  constructor(board: SearchBoard, budget: number) {
    this.board = board;
    this.budget = budget;
  }

  /** Per ply, the columns to search in order (7 slots each), and their ordering keys. */
  private readonly moveBuf = new Int8Array((CELLS + 1) * C4_COLUMNS);
  private readonly keyBuf = new Int32Array((CELLS + 1) * C4_COLUMNS);

  /**
   * Fill this ply's slots of moveBuf with the playable columns in search order: `first` (if
   * playable), then by how much they raise our line score (with `byGain`), centre first on ties.
   * Returns how many.
   */
  orderInto(first: number, byGain: boolean): number {
    const b = this.board;
    const base = b.ply * C4_COLUMNS;
    const moves = this.moveBuf;
    const keys = this.keyBuf;
    const side = b.toMove;
    let n = 0;
    for (let k = 0; k < C4_COLUMNS; k++) {
      const col = CENTRE_ORDER[k]!;
      if (!b.playable(col)) continue;
      const key = col === first ? 1 << 30 : byGain ? b.gainAt(col, side) : 0;
      let i = n++;
      while (i > 0 && keys[base + i - 1]! < key) {
        moves[base + i] = moves[base + i - 1]!;
        keys[base + i] = keys[base + i - 1]!;
        i--;
      }
      moves[base + i] = col;
      keys[base + i] = key;
    }
    return n;
  }

  /** The playable columns in search order (see orderInto), as a fresh array. */
  order(first: number): number[] {
    const n = this.orderInto(first, true);
    const base = this.board.ply * C4_COLUMNS;
    return Array.from(this.moveBuf.subarray(base, base + n));
  }

  negamax(depth: number, alpha: number, beta: number): number {
    if (++this.nodes > this.budget) throw new BudgetExhausted();
    const b = this.board;
    const me = b.toMove;
    const them = 1 - me;
    for (let col = 0; col < C4_COLUMNS; col++) {
      if (b.playable(col) && b.winsAt(col, me)) return C4_WIN - (b.ply + 1);
    }
    if (b.ply >= CELLS - 1) return 0; // our (last) disc cannot win: a draw
    let forced = -1;
    let threats = 0;
    for (let col = 0; col < C4_COLUMNS; col++) {
      if (b.playable(col) && b.winsAt(col, them)) {
        threats++;
        forced = col;
      }
    }
    if (threats >= 2) return -(C4_WIN - (b.ply + 2));
    if (depth <= 0) return b.evaluate();

    // We cannot win with this disc (checked above): our soonest win is our next one.
    const best = C4_WIN - (b.ply + 3);
    if (beta > best) {
      beta = best;
      if (alpha >= beta) return beta;
    }

    const slot = b.hashLo & (TT_SIZE - 1);
    const check = b.hashHi | 0;
    let ttMove = -1;
    if (this.ttDepth[slot]! >= 0 && this.ttCheck[slot] === check) {
      ttMove = this.ttMove[slot]!;
      if (this.ttDepth[slot]! >= depth) {
        const s = this.ttScore[slot]!;
        const flag = this.ttFlag[slot];
        if (flag === EXACT) return s;
        if (flag === LOWER && s >= beta) return s;
        if (flag === UPPER && s <= alpha) return s;
      }
    }

    const alpha0 = alpha;
    const base = b.ply * C4_COLUMNS;
    let n = 1;
    if (forced >= 0) this.moveBuf[base] = forced;
    else n = this.orderInto(ttMove, true);
    let bestScore = -C4_WIN;
    let bestMove = this.moveBuf[base]!;
    for (let k = 0; k < n; k++) {
      const col = this.moveBuf[base + k]!;
      b.play(col);
      // A disc that lets them win right on top of it loses at once: no need to search it.
      const losing = b.playable(col) && b.winsAt(col, them);
      const score = losing ? -(C4_WIN - (b.ply + 1)) : -this.negamax(depth - 1, -beta, -alpha);
      b.undo(col);
      if (score > bestScore) {
        bestScore = score;
        bestMove = col;
      }
      if (score > alpha) alpha = score;
      if (alpha >= beta) break;
    }

    this.ttCheck[slot] = check;
    this.ttScore[slot] = bestScore;
    this.ttDepth[slot] = Math.min(depth, 127);
    this.ttFlag[slot] = bestScore <= alpha0 ? UPPER : bestScore >= beta ? LOWER : EXACT;
    this.ttMove[slot] = bestMove;
    return bestScore;
  }
}

/**
 * Search the position `board` (42 cells, row 0 at the bottom, -1 empty, else the seat; seat 0 moved
 * first) for the side to move, deepening one ply at a time until the result is proven, the end of
 * the game is reached, `maxDepth` is done, or the node budget runs out (the last completed iteration
 * answers). Throws if the game is over (no empty cell, or a side has already connected four).
 */
export function c4Search(board: readonly number[], options: C4SearchOptions = {}): C4SearchResult {
  const budget = options.nodeBudget ?? 200_000;
  const sb = new SearchBoard(board);
  const empties = CELLS - sb.ply;
  const root = CENTRE_ORDER.filter((c) => sb.playable(c));
  if (root.length === 0) throw new Error("c4Search: the board is full");
  const search = new Search(sb, budget);
  const maxDepth = Math.min(options.maxDepth ?? empties, empties);
  const me = sb.toMove;

  // The one opening move known to win (Allis, 1988), which a depth-limited search may not see.
  if (sb.ply === 0)
    return { column: 3, score: 0, depth: 0, nodes: 0, exact: false, rootScores: new Array(C4_COLUMNS).fill(null) };
  // A win in one needs no search.
  const win = root.find((c) => sb.winsAt(c, me));
  if (win !== undefined) {
    const score = C4_WIN - (sb.ply + 1);
    const rootScores = Array.from({ length: C4_COLUMNS }, (_, c) => (c === win ? score : null));
    return { column: win, score, depth: 1, nodes: 1, exact: true, rootScores };
  }

  let result: C4SearchResult | null = null;
  for (let depth = 1; depth <= maxDepth; depth++) {
    // The previous iteration's best move first: the cheapest way to a good alpha.
    const moves = search.order(result?.column ?? -1);
    const scores: (number | null)[] = new Array(C4_COLUMNS).fill(null);
    let alpha = -C4_WIN;
    let bestScore = -C4_WIN - 1;
    let bestMove = moves[0]!;
    try {
      for (const col of moves) {
        sb.play(col);
        const losing = sb.playable(col) && sb.winsAt(col, 1 - me);
        const lower = options.scoreAllRootMoves ? -C4_WIN : alpha;
        const score = losing ? -(C4_WIN - (sb.ply + 1)) : -search.negamax(depth - 1, -C4_WIN, -lower);
        sb.undo(col);
        scores[col] = score;
        if (score > bestScore) {
          bestScore = score;
          bestMove = col;
        }
        if (score > alpha) alpha = score;
      }
    } catch (err) {
      // The throw left discs on the board below the root: it is not used again.
      if (!(err instanceof BudgetExhausted)) throw err;
      break;
    }
    const exact = Math.abs(bestScore) >= C4_WIN_FLOOR || depth >= empties;
    result = { column: bestMove, score: bestScore, depth, nodes: search.nodes, exact, rootScores: scores };
    // A proven loss may still be a slow one: only a proven win (or the whole game searched) ends the deepening.
    if (bestScore >= C4_WIN_FLOOR || depth >= empties) break;
    if (bestScore <= -C4_WIN_FLOOR && moves.every((c) => (scores[c] ?? 0) <= -C4_WIN_FLOOR)) break;
  }
  if (!result) {
    // Not even depth 1 fit the budget (a budget under ~10 nodes): the centre-most move.
    return {
      column: root[0]!,
      score: 0,
      depth: 0,
      nodes: search.nodes,
      exact: false,
      rootScores: new Array(C4_COLUMNS).fill(null),
    };
  }
  result.nodes = search.nodes;
  return result;
}

/** Node budgets per searching level (see docs: measured CPU per move). */
export const C4_LEVELS = {
  /** Deep search: solves the position exactly as soon as the budget allows (usually from ~move 12). */
  hard: { nodeBudget: 200_000 },
  /** Four plies, every root move scored, then noise of up to ±NOISE on each. */
  medium: { nodeBudget: 60_000, maxDepth: 4, noise: 30 },
} as const;

/**
 * The medium or hard level's move for the side to move on `state`'s board (the easy level is the
 * built-in policy in bot.ts). Hard: the best move of the deepest search the budget allows. Medium:
 * a 4-ply search whose root scores get up to ±30 of noise from `rng` — it sees wins, losses and
 * threats a few moves ahead but misjudges quieter positions. Deterministic given `rng`'s seed.
 */
export function c4LevelMove(state: Connect4State, level: "medium" | "hard", rng: Rng): C4SearchResult {
  if (level === "hard") return c4Search(state.board, { nodeBudget: C4_LEVELS.hard.nodeBudget });
  const m = C4_LEVELS.medium;
  const r = c4Search(state.board, { nodeBudget: m.nodeBudget, maxDepth: m.maxDepth, scoreAllRootMoves: true });
  let best = r.column;
  let bestNoisy = Number.NEGATIVE_INFINITY;
  for (const col of CENTRE_ORDER) {
    const s = r.rootScores[col];
    if (s === null || s === undefined) continue;
    // Proven results stay as they are: medium never walks into a loss it has seen, nor misses a win.
    const noisy = Math.abs(s) >= C4_WIN_FLOOR ? s : s + (rng.next() * 2 - 1) * m.noise;
    if (noisy > bestNoisy) {
      bestNoisy = noisy;
      best = col;
    }
  }
  return { ...r, column: best };
}
