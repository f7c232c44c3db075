/**
 * Small pure helpers to read the rules views the client draws (what
 * `def.view(state, seat)` returns for each game; the types come from the
 * shared rules). No DOM, no Phaser.
 */
import type { BattleshipView, ChessView, Connect4View, Seat } from "@tabula/shared/rules";

export type { BattleshipView, ChessView, Connect4View };

export type BoardViewModel = Connect4View | ChessView | BattleshipView;

export function isConnect4View(v: unknown): v is Connect4View {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "connect4";
}

export function isChessView(v: unknown): v is ChessView {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "chess";
}

export function isBattleshipView(v: unknown): v is BattleshipView {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "battleship";
}

// ---------------------------------------------------------------------------
// Connect Four

/** Cell index of (row, column), row 0 = bottom. */
export function cellIndex(view: Pick<Connect4View, "columns">, row: number, col: number): number {
  return row * view.columns + col;
}

/** The cell of the last disc (the shared view says where it landed), or null before the first move. */
export function lastMoveCell(view: Pick<Connect4View, "lastMove">): number | null {
  return view.lastMove?.cell ?? null;
}

// ---------------------------------------------------------------------------
// Chess

export const FILES = "abcdefgh";

/** "e4" → { file: 4, rank: 3 } (0-based), or null. */
export function parseSquare(square: string): { file: number; rank: number } | null {
  if (!/^[a-h][1-8]$/.test(square)) return null;
  return { file: FILES.indexOf(square[0]!), rank: Number(square[1]) - 1 };
}

export function squareName(file: number, rank: number): string {
  return `${FILES[file]}${rank + 1}`;
}

/** Piece placement of a FEN: square name → piece letter (upper case white, lower case black). */
export function parseFenBoard(fen: string): Map<string, string> {
  const placement = fen.split(" ")[0] ?? "";
  const out = new Map<string, string>();
  const ranks = placement.split("/");
  ranks.forEach((row, i) => {
    const rank = 7 - i;
    let file = 0;
    for (const ch of row) {
      if (/\d/.test(ch)) file += Number(ch);
      else {
        if (file < 8 && rank >= 0) out.set(squareName(file, rank), ch);
        file++;
      }
    }
  });
  return out;
}

/** Square of the king of `seat` (0 white, 1 black), or null. */
export function kingSquare(board: Map<string, string>, seat: Seat): string | null {
  const k = seat === 0 ? "K" : "k";
  for (const [sq, p] of board) if (p === k) return sq;
  return null;
}

export function pieceSeat(piece: string): Seat {
  return piece === piece.toUpperCase() ? 0 : 1;
}

/** Legal UCI moves grouped by origin square. */
export function movesByOrigin(moves: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of moves) {
    const from = m.slice(0, 2);
    const list = out.get(from);
    if (list) list.push(m);
    else out.set(from, [m]);
  }
  return out;
}

/** The legal moves from `from` to `to` (several when they are promotions). */
export function movesBetween(moves: readonly string[], from: string, to: string): string[] {
  return moves.filter((m) => m.slice(0, 2) === from && m.slice(2, 4) === to);
}

/** Glyphs (the solid set, coloured when drawn); U+FE0E asks for text presentation, never emoji. */
export const PIECE_GLYPHS: Record<string, string> = {
  k: "\u265A\uFE0E",
  q: "\u265B\uFE0E",
  r: "\u265C\uFE0E",
  b: "\u265D\uFE0E",
  n: "\u265E\uFE0E",
  p: "\u265F\uFE0E",
};

export function glyphOf(piece: string): string {
  return PIECE_GLYPHS[piece.toLowerCase()] ?? "?";
}
