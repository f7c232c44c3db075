/**
 * Board geometry in canvas (game) pixels — pure, so it is unit-tested and
 * shared by drawing, hit-testing and the test hooks.
 */
import { parseSquare, squareName } from "../views.ts";

export interface Point {
  x: number;
  y: number;
}

// ---------------------------------------------------------------------------
// Chess: an 8×8 board, white at the bottom unless flipped (black's view).

export interface ChessLayout {
  x0: number;
  y0: number;
  cell: number;
  flipped: boolean;
}

export function chessLayout(width: number, height: number, flipped: boolean, margin = 12): ChessLayout {
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

export function connect4Layout(width: number, height: number, rows = 6, columns = 7, margin = 12): Connect4Layout {
  // The frame drawn around the grid adds about 0.3 cell to the width and height.
  const cell = Math.max(8, Math.floor(Math.min((width - 2 * margin) / (columns + 0.3), (height - 2 * margin) / (rows + 1.55))));
  const totalH = cell * (rows + 1.55);
  const x0 = Math.floor((width - columns * cell) / 2);
  const y0 = Math.floor((height - totalH) / 2);
  return { x0, y0, gridTop: y0 + Math.round(cell * 1.25), cell, rows, columns };
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
