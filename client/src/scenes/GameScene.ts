/**
 * The one Phaser scene: hosts the board of the game on screen (Connect Four or
 * chess), forwards pointer input to it and keeps it sized to the canvas.
 */
import Phaser from "phaser";
import { ChessBoard } from "../boards/chessBoard.ts";
import { Connect4Board } from "../boards/connect4Board.ts";
import type { BoardLabel, Point } from "../boards/geometry.ts";
import { PALETTE } from "../boards/palette.ts";
import type { Board, BoardCallbacks, BoardInput } from "../boards/types.ts";

export const GAME_SCENE_KEY = "game";

export class GameScene extends Phaser.Scene {
  private board: Board | null = null;
  private boardKind: BoardInput["kind"] | null = null;
  private pending: BoardInput | null = null;
  private callbacks: BoardCallbacks;
  private readyResolve!: () => void;
  /** Resolves once `create` ran (the board can be drawn). */
  readonly ready: Promise<void>;
  private created = false;

  constructor(callbacks: BoardCallbacks) {
    super({ key: GAME_SCENE_KEY });
    this.callbacks = callbacks;
    this.ready = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
  }

  create(): void {
    this.cameras.main.setBackgroundColor(PALETTE.background);
    this.input.on("pointerdown", (p: Phaser.Input.Pointer) => this.board?.pointerDown(p.x, p.y));
    this.input.on("pointermove", (p: Phaser.Input.Pointer) => this.board?.pointerMove(p.x, p.y, p.isDown));
    this.input.on("pointerup", (p: Phaser.Input.Pointer) => this.board?.pointerUp(p.x, p.y));
    this.input.on("pointerupoutside", (p: Phaser.Input.Pointer) => this.board?.pointerUp(p.x, p.y));
    this.input.on("gameout", () => this.board?.pointerOut());
    this.scale.on("resize", (size: Phaser.Structs.Size) => {
      this.cameras.resize(size.width, size.height);
      this.board?.resize(size.width, size.height);
    });
    this.created = true;
    if (this.pending) {
      const p = this.pending;
      this.pending = null;
      this.show(p);
    }
    this.readyResolve();
  }

  /** Draw (or redraw) a board. */
  show(input: BoardInput): void {
    if (!this.created) {
      this.pending = input;
      return;
    }
    if (this.boardKind !== input.kind || !this.board) {
      this.board?.destroy();
      const { width, height } = this.scale;
      this.board =
        input.kind === "chess"
          ? new ChessBoard(this, this.callbacks, width, height)
          : new Connect4Board(this, this.callbacks, width, height);
      this.boardKind = input.kind;
    }
    this.board.render(input);
  }

  /** Re-measure after the canvas' container changed size or became visible. */
  relayout(): void {
    if (!this.created) return;
    const { width, height } = this.scale;
    this.cameras.resize(width, height);
    this.board?.resize(width, height);
  }

  cancelInteraction(): void {
    this.board?.cancelInteraction();
  }

  /** Canvas point of a board location (see Board.pointOf), or null when no such board is shown. */
  pointOf(kind: BoardInput["kind"], key: string): Point | null {
    if (!this.board || this.boardKind !== kind) return null;
    return this.board.pointOf(key);
  }

  /** The coordinates drawn on the board of that kind (canvas points), or [] when no such board is shown. */
  labels(kind: BoardInput["kind"]): BoardLabel[] {
    if (!this.board || this.boardKind !== kind) return [];
    return this.board.labels();
  }
}
