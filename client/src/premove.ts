/**
 * Premove (pure, unit-tested): during the opponent's turn the player may queue
 * one move; it is played the moment the turn comes if it is legal then, and
 * dropped silently otherwise. The board offers the moves a premove may be: in
 * chess every square the player's pieces could reach once the opponent has
 * moved — their moving patterns, whatever stands in the way (the opponent may
 * move it), except squares the player's own pieces hold; a pawn that reaches
 * the last rank becomes a queen — and in Connect Four every column not full.
 */
import type { Seat } from "@tabula/shared/rules";
import { type BoardViewModel, isChessView, isConnect4View, parseFenBoard, pieceSeat, squareName } from "./views.ts";

const KNIGHT: ReadonlyArray<[number, number]> = [
  [1, 2],
  [2, 1],
  [2, -1],
  [1, -2],
  [-1, -2],
  [-2, -1],
  [-2, 1],
  [-1, 2],
];
const DIAGONALS: ReadonlyArray<[number, number]> = [
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
];
const LINES: ReadonlyArray<[number, number]> = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
];
const KING = [...DIAGONALS, ...LINES];

const onBoard = (f: number, r: number) => f >= 0 && f < 8 && r >= 0 && r < 8;

/** Squares a piece of type `type` (lower case) on (file, rank) of `seat` may premove to, by pattern alone. */
function patternTargets(type: string, file: number, rank: number, seat: Seat): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const steps = (dirs: ReadonlyArray<[number, number]>) => {
    for (const [df, dr] of dirs) if (onBoard(file + df, rank + dr)) out.push([file + df, rank + dr]);
  };
  const rays = (dirs: ReadonlyArray<[number, number]>) => {
    for (const [df, dr] of dirs) {
      for (let f = file + df, r = rank + dr; onBoard(f, r); f += df, r += dr) out.push([f, r]);
    }
  };
  const forward = seat === 0 ? 1 : -1;
  switch (type) {
    case "p":
      steps([
        [0, forward],
        [1, forward],
        [-1, forward],
      ]);
      if (rank === (seat === 0 ? 1 : 6)) out.push([file, rank + 2 * forward]);
      break;
    case "n":
      steps(KNIGHT);
      break;
    case "b":
      rays(DIAGONALS);
      break;
    case "r":
      rays(LINES);
      break;
    case "q":
      rays(KING);
      break;
    case "k":
      steps(KING);
      // Castling, while king and rook stand on their squares (the rules decide when it is played).
      if (file === 4 && rank === (seat === 0 ? 0 : 7)) out.push([6, rank], [2, rank]);
      break;
  }
  return out;
}

/** The moves the board offers as premoves for `seat` (chess UCI, Connect Four columns), from the view shown. */
export function premoveCandidates(view: BoardViewModel | null, seat: Seat): string[] {
  if (isConnect4View(view)) {
    const top = (view.rows - 1) * view.columns;
    const open: string[] = [];
    for (let c = 0; c < view.columns; c++) if (view.board[top + c] === -1) open.push(String(c));
    return open;
  }
  if (!isChessView(view)) return [];
  const board = parseFenBoard(view.fen);
  const moves: string[] = [];
  for (const [from, piece] of board) {
    if (pieceSeat(piece) !== seat) continue;
    const file = from.charCodeAt(0) - 97;
    const rank = Number(from[1]) - 1;
    const type = piece.toLowerCase();
    for (const [f, r] of patternTargets(type, file, rank, seat)) {
      const to = squareName(f, r);
      const there = board.get(to);
      if (there && pieceSeat(there) === seat) continue;
      // A premoved pawn reaching the last rank becomes a queen (no picker while waiting).
      moves.push(type === "p" && (r === 7 || r === 0) ? `${from}${to}q` : `${from}${to}`);
    }
  }
  return moves;
}

/** The one queued move. */
export class Premove {
  private queued: string | null = null;

  /** The queued move, or null. */
  get move(): string | null {
    return this.queued;
  }

  /** Queue `move` (replacing any queued one). */
  set(move: string): void {
    this.queued = move;
  }

  /** Drop the queued move; whether there was one. */
  cancel(): boolean {
    const had = this.queued !== null;
    this.queued = null;
    return had;
  }

  /**
   * The turn came: the queued move if it is among `legal` (the rules' legal
   * moves now), else null. Either way it is no longer queued.
   */
  take(legal: readonly string[]): string | null {
    const move = this.queued;
    this.queued = null;
    return move !== null && legal.includes(move) ? move : null;
  }
}
