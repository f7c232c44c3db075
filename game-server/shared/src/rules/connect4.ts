/**
 * Connect Four: 7 columns × 6 rows, discs fall to the lowest empty cell.
 *
 * Move notation: the column as a one-character string "0".."6" (0 = leftmost).
 * Board layout (state and view): row-major, row 0 is the BOTTOM row, so the
 * cell of (row, column) is `row * 7 + column`; a cell holds -1 when empty, else
 * the seat (0 = red, moves first; 1 = yellow).
 */
import type { ApplyResult, GameDefinition, GameResult, RuleError, Seat, TimeControl } from "./types.ts";

export const C4_COLUMNS = 7;
export const C4_ROWS = 6;
const CELLS = C4_COLUMNS * C4_ROWS;
const EMPTY = -1;
const COLUMN_LETTERS = "abcdefg";

/** Full Connect Four state: plain JSON, never mutated (apply returns a new object). */
export interface Connect4State {
  /** The game seed (Connect Four uses no randomness; kept for uniformity). */
  readonly seed: string;
  /** 42 cells, row-major, row 0 = bottom: -1 empty, else the seat owning the disc. */
  readonly board: readonly number[];
  /** Moves played so far, in notation ("0".."6"). */
  readonly moves: readonly string[];
  /** Set once the game is over by the rules. */
  readonly result: GameResult | null;
}

/** What a seat or spectator sees (the same for everyone: perfect information). */
export interface Connect4View {
  kind: "connect4";
  rows: 6;
  columns: 7;
  /** Copy of the board: 42 cells, row-major, row 0 = bottom, -1 empty or the seat. */
  board: number[];
  toMove: Seat | null;
  ply: number;
  result: GameResult | null;
  /** Where the last disc landed (cell = row * 7 + column), null before the first move. */
  lastMove: { column: number; row: number; cell: number } | null;
  /** On a connect-four win: every cell of the winning run(s) through the last disc, ascending. Absent otherwise. */
  winningLine?: number[];
}

const TIME_CONTROLS: readonly TimeControl[] = [
  { id: "1+5", initialSeconds: 60, incrementSeconds: 5 },
  { id: "3+5", initialSeconds: 180, incrementSeconds: 5 },
];

// The four line directions as (dRow, dColumn): horizontal, vertical, diagonal /, diagonal \.
const DIRECTIONS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 0],
  [1, 1],
  [1, -1],
];

/** Row (0 = bottom) a disc dropped in `column` would land on, or -1 if the column is full. */
export function c4DropRow(board: readonly number[], column: number): number {
  for (let row = 0; row < C4_ROWS; row++) {
    if (board[row * C4_COLUMNS + column] === EMPTY) return row;
  }
  return -1;
}

/**
 * Cells of the runs of `seat`'s discs through (row, column) that are at least
 * four long, treating that cell as `seat`'s disc whatever it holds. Empty: no win there.
 */
function runsThrough(board: readonly number[], row: number, column: number, seat: number): number[] {
  const cells: number[] = [];
  for (const [dr, dc] of DIRECTIONS) {
    const run = [row * C4_COLUMNS + column];
    for (const sign of [1, -1]) {
      let r = row + sign * dr;
      let c = column + sign * dc;
      while (r >= 0 && r < C4_ROWS && c >= 0 && c < C4_COLUMNS && board[r * C4_COLUMNS + c] === seat) {
        run.push(r * C4_COLUMNS + c);
        r += sign * dr;
        c += sign * dc;
      }
    }
    if (run.length >= 4) cells.push(...run);
  }
  return [...new Set(cells)].sort((x, y) => x - y);
}

/** Whether `seat` dropping a disc in `column` right now would connect four (false if the column is full). */
export function c4WinsAt(board: readonly number[], column: number, seat: Seat): boolean {
  const row = c4DropRow(board, column);
  return row >= 0 && runsThrough(board, row, column, seat).length > 0;
}

function parseColumn(move: unknown): number | null {
  return typeof move === "string" && /^[0-6]$/.test(move) ? Number(move) : null;
}

function toMove(state: Connect4State): Seat | null {
  return state.result ? null : ((state.moves.length % 2) as Seat);
}

function fail(code: RuleError["code"], message: string): ApplyResult<Connect4State> {
  return { ok: false, error: { code, message } };
}

/** Where the last disc landed, recovered from the board (the top disc of the last column). */
function lastDisc(state: Connect4State): { column: number; row: number; cell: number } | null {
  const last = state.moves[state.moves.length - 1];
  if (last === undefined) return null;
  const column = Number(last);
  const free = c4DropRow(state.board, column);
  const row = (free < 0 ? C4_ROWS : free) - 1;
  return { column, row, cell: row * C4_COLUMNS + column };
}

/** Connect Four rules. Seat 0 (Red) moves first. */
export const connect4: GameDefinition<Connect4State, Connect4View> = {
  id: "connect4",
  name: "Connect Four",
  seatNames: ["Red", "Yellow"],
  publicView: true, // perfect information: everyone sees the whole board
  timeControls: TIME_CONTROLS,

  setup(seed) {
    return { seed, board: new Array<number>(CELLS).fill(EMPTY), moves: [], result: null };
  },

  ply(state) {
    return state.moves.length;
  },

  toMove,

  legalMoves(state, seat) {
    if (toMove(state) !== seat) return [];
    const moves: string[] = [];
    for (let column = 0; column < C4_COLUMNS; column++) {
      if (c4DropRow(state.board, column) >= 0) moves.push(String(column));
    }
    return moves;
  },

  apply(state, move, seat) {
    const column = parseColumn(move);
    if (column === null) return fail("BAD_MOVE_FORMAT", `a Connect Four move is a column "0".."6", got ${JSON.stringify(move)}`);
    if (state.result) return fail("GAME_OVER", "the game is over");
    if (toMove(state) !== seat) return fail("NOT_YOUR_TURN", "it is not your turn");
    const row = c4DropRow(state.board, column);
    if (row < 0) return fail("ILLEGAL_MOVE", `column ${COLUMN_LETTERS[column]} is full`);

    const board = state.board.slice();
    board[row * C4_COLUMNS + column] = seat;
    const moves = [...state.moves, move as string];
    let result: GameResult | null = null;
    if (runsThrough(board, row, column, seat).length > 0) result = { winner: seat, reason: "connect-four" };
    else if (moves.length === CELLS) result = { winner: null, reason: "board-full" };
    // Column letter a..g plus the row (1 = bottom) the disc lands on, e.g. "d1".
    const notation = COLUMN_LETTERS[column] + String(row + 1);
    return { ok: true, state: { seed: state.seed, board, moves, result }, notation };
  },

  result(state) {
    return state.result;
  },

  // No cheap exact test for "can never connect four" exists, so only a full board rules a win out.
  canWin(state) {
    return state.board.includes(EMPTY);
  },

  view(state) {
    const lastMove = lastDisc(state);
    const view: Connect4View = {
      kind: "connect4",
      rows: 6,
      columns: 7,
      board: state.board.slice(),
      toMove: toMove(state),
      ply: state.moves.length,
      result: state.result,
      lastMove,
    };
    if (state.result?.reason === "connect-four" && lastMove) {
      view.winningLine = runsThrough(state.board, lastMove.row, lastMove.column, state.board[lastMove.cell]);
    }
    return view;
  },
};
