/**
 * Board geometry in canvas (game) pixels — pure, so it is unit-tested and
 * shared by drawing, hit-testing and the test hooks.
 */
import { parseSquare, squareName } from "../views.ts";

export interface Point {
  x: number;
  y: number;
}

/** Room left around a board, in pixels: 1.5 % of the smaller side, at least 3 and at most 12. */
export function defaultMargin(width: number, height: number): number {
  return Math.max(3, Math.min(12, Math.floor(Math.min(width, height) * 0.015)));
}

// ---------------------------------------------------------------------------
// Chess: an 8×8 board, white at the bottom unless flipped (black's view).

export interface ChessLayout {
  x0: number;
  y0: number;
  cell: number;
  flipped: boolean;
}

/**
 * The largest 8×8 board centred in width × height (canvas pixels). `margin`
 * (pixels on each side) defaults to 1.5 % of the smaller side, at most 12: a
 * phone's board runs almost edge to edge, as on lichess.
 */
export function chessLayout(width: number, height: number, flipped: boolean, margin = defaultMargin(width, height)): ChessLayout {
  const cell = Math.max(8, Math.floor((Math.min(width, height) - 2 * margin) / 8));
  return { x0: Math.floor((width - 8 * cell) / 2), y0: Math.floor((height - 8 * cell) / 2), cell, flipped };
}

/** Top-left corner of a square's cell. */
export function squareOrigin(square: string, l: ChessLayout): Point | null {
  const s = parseSquare(square);
  if (!s) return null;
  const col = l.flipped ? 7 - s.file : s.file;
  const row = l.flipped ? s.rank : 7 - s.rank;
  return { x: l.x0 + col * l.cell, y: l.y0 + row * l.cell };
}

export function squareCenter(square: string, l: ChessLayout): Point | null {
  const o = squareOrigin(square, l);
  return o ? { x: o.x + l.cell / 2, y: o.y + l.cell / 2 } : null;
}

/** The square under a point, or null outside the board. */
export function squareAt(x: number, y: number, l: ChessLayout): string | null {
  const col = Math.floor((x - l.x0) / l.cell);
  const row = Math.floor((y - l.y0) / l.cell);
  if (col < 0 || col > 7 || row < 0 || row > 7) return null;
  const file = l.flipped ? 7 - col : col;
  const rank = l.flipped ? row : 7 - row;
  return squareName(file, rank);
}

/** A chess coordinate, drawn inside a square's corner: a file letter in the bottom row, a rank digit in the left column. */
export interface ChessCoordinate {
  text: string;
  square: string;
  /** Files sit in the square's bottom-right corner, ranks in its top-left. */
  corner: "bottom-right" | "top-left";
}

/**
 * The coordinates along the board's bottom and left edges as shown: white's
 * view has a…h on rank 1 and 1…8 up file a; flipped, h…a on rank 8 and 8…1
 * up file h. Listed left to right, then bottom to top.
 */
export function chessCoordinates(flipped: boolean): ChessCoordinate[] {
  const files = "abcdefgh";
  const out: ChessCoordinate[] = [];
  const bottomRank = flipped ? 8 : 1;
  for (let col = 0; col < 8; col++) {
    const file = files[flipped ? 7 - col : col]!;
    out.push({ text: file, square: `${file}${bottomRank}`, corner: "bottom-right" });
  }
  const leftFile = flipped ? "h" : "a";
  for (let row = 0; row < 8; row++) {
    const rank = flipped ? 8 - row : row + 1;
    out.push({ text: String(rank), square: `${leftFile}${rank}`, corner: "top-left" });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Connect Four: a grid of rows × columns with a one-cell "preview" strip above
// it where the disc to drop hovers.

export interface Connect4Layout {
  x0: number;
  /** Top of the preview strip. */
  y0: number;
  /** Top of the grid. */
  gridTop: number;
  cell: number;
  rows: number;
  columns: number;
}

/** Height of the strip above the grid where the disc to drop hovers, in cells. */
const C4_PREVIEW = 1.25;
/** The blue frame around the grid, in cells (each side). */
export const C4_FRAME = 0.12;
/** The coordinate strips: letters below the frame, numbers left of it, in cells. */
const C4_LABELS = 0.42;

/**
 * The largest Connect Four board that fits width × height (canvas pixels):
 * the preview strip, the framed grid, and its coordinates (letters under the
 * columns, numbers up the left side), centred as a whole.
 */
export function connect4Layout(
  width: number,
  height: number,
  rows = 6,
  columns = 7,
  margin = defaultMargin(width, height),
): Connect4Layout {
  const wideCells = columns + 2 * C4_FRAME + C4_LABELS;
  // The frame's 4 px drop shadow is about 0.08 cell.
  const tallCells = rows + C4_PREVIEW + C4_FRAME + 0.08 + C4_LABELS;
  const cell = Math.max(8, Math.floor(Math.min((width - 2 * margin) / wideCells, (height - 2 * margin) / tallCells)));
  const x0 = Math.floor((width - wideCells * cell) / 2 + (C4_LABELS + C4_FRAME) * cell);
  const y0 = Math.floor((height - tallCells * cell) / 2);
  return { x0, y0, gridTop: y0 + Math.round(cell * C4_PREVIEW), cell, rows, columns };
}

/** Centre of cell (row, col); row 0 is the bottom row. */
export function cellCenter(row: number, col: number, l: Connect4Layout): Point {
  return { x: l.x0 + col * l.cell + l.cell / 2, y: l.gridTop + (l.rows - 1 - row) * l.cell + l.cell / 2 };
}

/** Centre of the hovering disc above `col`. */
export function previewCenter(col: number, l: Connect4Layout): Point {
  return { x: l.x0 + col * l.cell + l.cell / 2, y: l.y0 + l.cell / 2 };
}

/** The column under x (any y), or null outside the board's width. */
export function columnAt(x: number, l: Connect4Layout): number | null {
  const col = Math.floor((x - l.x0) / l.cell);
  return col >= 0 && col < l.columns ? col : null;
}

/** A coordinate drawn beside a board: its text and the canvas point it is centred on. */
export interface BoardLabel {
  text: string;
  x: number;
  y: number;
}

/**
 * Connect Four's coordinates as the move list writes them ("d1" = column d,
 * bottom row): a letter under each column, a number left of each row, 1 at
 * the bottom.
 */
export function connect4Labels(l: Connect4Layout): BoardLabel[] {
  const labels: BoardLabel[] = [];
  const frame = C4_FRAME * l.cell;
  const strip = C4_LABELS * l.cell;
  const below = l.gridTop + l.rows * l.cell + frame + 4 + strip / 2;
  for (let col = 0; col < l.columns; col++) {
    labels.push({ text: String.fromCharCode(97 + col), x: l.x0 + col * l.cell + l.cell / 2, y: Math.round(below) });
  }
  const left = l.x0 - frame - strip / 2;
  for (let row = 0; row < l.rows; row++) {
    labels.push({ text: String(row + 1), x: Math.round(left), y: cellCenter(row, 0, l).y });
  }
  return labels;
}
