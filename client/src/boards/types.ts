/**
 * What a board drawing receives and reports. Boards draw a rules view and
 * turn pointer input into move strings; they never decide legality themselves:
 * `legalMoves` comes from the shared rules (see rulesState.ts).
 */
import type { GameKind, Seat } from "@tabula/shared/rules";
import type { BoardViewModel } from "../views.ts";
import type { BoardLabel, Point } from "./geometry.ts";

export interface BoardInput {
  kind: GameKind;
  view: BoardViewModel;
  /** Seat drawn at the bottom (chess: seat 1 = the board flipped for black). */
  orientation: Seat;
  /** The seat the user may move for right now, or null (not their turn, spectator, replay, move pending). */
  moverSeat: Seat | null;
  /** Legal moves of `moverSeat` (from the shared rules). */
  legalMoves: readonly string[];
  /** Animate the last move (a new move just arrived). */
  animate: boolean;
  /** The premove queued during the opponent's turn (chess UCI, Connect Four column), drawn highlighted. */
  premove?: string | null;
}

export interface BoardCallbacks {
  /** The user chose a complete, legal move. */
  move(move: string): void;
  /** Chess: a pawn reaches the last rank; ask which piece (the answer is a `move` call with the full UCI). */
  promotion(from: string, to: string, choices: readonly string[]): void;
}

export interface Board {
  render(input: BoardInput): void;
  resize(width: number, height: number): void;
  pointerDown(x: number, y: number): void;
  pointerMove(x: number, y: number, down: boolean): void;
  pointerUp(x: number, y: number): void;
  /** The pointer left the canvas. */
  pointerOut(): void;
  /** Cancel a selection / drag (e.g. the promotion picker was dismissed). */
  cancelInteraction(): void;
  /** Canvas point of a board location: Connect Four column "0".."6" (its top cell), chess square "e4". */
  pointOf(key: string): Point | null;
  /** The coordinates drawn beside or on the board, as drawn (canvas points of their centres). */
  labels(): BoardLabel[];
  destroy(): void;
}
