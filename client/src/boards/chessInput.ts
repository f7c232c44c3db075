/**
 * Chess board input without Phaser (pure, unit-tested): which piece is
 * selected or dragged, which squares it may go to, and what a click, a drag
 * and a drop mean — a move, a promotion choice, or nothing. Legal moves come
 * from the shared rules (handed in); chessBoard.ts draws what this decides.
 */
import { movesBetween, movesByOrigin } from "../views.ts";
import type { Point } from "./geometry.ts";

/** What the user did: a complete move, or a pawn reaching the last rank (ask which piece). */
export type ChessAction =
  | { kind: "move"; move: string }
  | { kind: "promotion"; from: string; to: string; choices: string[] }
  | null;

/** A press that moves less than this (canvas px) before release is a click, not a drag. */
export const DRAG_THRESHOLD_PX = 4;

export class ChessInput {
  private byOrigin = new Map<string, string[]>();
  /** The selected piece's square (click-click moves). */
  selected: string | null = null;
  /** The square whose piece is being dragged. */
  dragFrom: string | null = null;
  /** The square under a dragged piece. */
  hover: string | null = null;
  /** A press on an already-selected piece: releasing there deselects it. */
  private pressWasSelected = false;
  private dragMoved = false;
  private downAt: Point | null = null;

  /** The mover's legal moves (UCI), or none; a selection they no longer allow is dropped. */
  setLegalMoves(moves: readonly string[]): void {
    this.byOrigin = movesByOrigin(moves);
    if (this.selected && !this.byOrigin.has(this.selected)) this.selected = null;
    if (this.dragFrom && !this.byOrigin.has(this.dragFrom)) this.dragFrom = null;
  }

  /** The square whose targets are shown: the dragged piece, else the selected one. */
  get active(): string | null {
    return this.dragFrom ?? this.selected;
  }

  /** Squares the piece on `from` may go to. */
  targets(from: string | null): Set<string> {
    return new Set((from ? (this.byOrigin.get(from) ?? []) : []).map((m) => m.slice(2, 4)));
  }

  /** Press on `square` (null: off the board) at canvas point `at`. */
  down(square: string | null, at: Point): ChessAction {
    this.downAt = at;
    this.dragMoved = false;
    if (this.selected && square !== this.selected && this.isTarget(this.selected, square)) {
      return this.play(this.selected, square!);
    }
    if (square !== null && this.byOrigin.has(square)) {
      this.pressWasSelected = this.selected === square;
      this.selected = square;
      this.dragFrom = square;
    } else {
      this.selected = null;
      this.dragFrom = null;
    }
    return null;
  }

  /**
   * The pointer moved over `square` with the button down. Returns whether the
   * dragged piece follows it (a drag is under way) and whether the hovered square changed.
   */
  drag(square: string | null, at: Point): { follow: boolean; hoverChanged: boolean } {
    if (!this.dragFrom) return { follow: false, hoverChanged: false };
    if (this.downAt && !this.dragMoved && Math.hypot(at.x - this.downAt.x, at.y - this.downAt.y) < DRAG_THRESHOLD_PX) {
      return { follow: false, hoverChanged: false };
    }
    this.dragMoved = true;
    const hoverChanged = square !== this.hover;
    this.hover = square;
    return { follow: true, hoverChanged };
  }

  /** Release over `square`. `returned`: the square whose piece goes back in place (it was dragged). */
  up(square: string | null): { action: ChessAction; returned: string | null } {
    const from = this.dragFrom;
    this.dragFrom = null;
    this.hover = null;
    if (!from) return { action: null, returned: null };
    if (square && square !== from && this.isTarget(from, square)) return { action: this.play(from, square), returned: from };
    if (square === from && this.pressWasSelected && !this.dragMoved) this.selected = null; // a second click deselects
    return { action: null, returned: from };
  }

  /** The pointer left the board: a dragged piece goes back (returned), the selection stays. */
  out(): string | null {
    const from = this.dragFrom;
    this.dragFrom = null;
    this.hover = null;
    return from;
  }

  /** Drop everything (e.g. the promotion picker was dismissed). Returns the dragged piece's square, if any. */
  cancel(): string | null {
    const from = this.out();
    this.selected = null;
    return from;
  }

  private isTarget(from: string, to: string | null): boolean {
    return to !== null && movesBetween(this.byOrigin.get(from) ?? [], from, to).length > 0;
  }

  /** from → to: one move, or the promotion choice when several pieces are possible (the selection stays for it). */
  private play(from: string, to: string): ChessAction {
    const moves = movesBetween(this.byOrigin.get(from) ?? [], from, to);
    if (moves.length === 1) {
      this.selected = null;
      return { kind: "move", move: moves[0]! };
    }
    this.selected = from;
    return { kind: "promotion", from, to, choices: moves.map((m) => m.slice(4)).filter(Boolean) };
  }
}
