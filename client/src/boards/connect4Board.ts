/**
 * Connect Four drawn with Phaser graphics: a 7×6 grid with a preview strip on
 * top. Click a column, or press anywhere over the board and drag the disc to a
 * column and release. Only legal columns react; the hovered column is lit and
 * its disc previewed. The last disc is marked, the winning four outlined.
 * Coordinates as the move list writes them: a–g under the columns, 1–6 up
 * the left side.
 */
import type Phaser from "phaser";
import { c4DropRow, type Seat } from "@tabula/shared/rules";
import { cellIndex, isConnect4View, lastMoveCell, type Connect4View } from "../views.ts";
import {
  type BoardLabel,
  C4_FRAME,
  cellCenter,
  columnAt,
  type Connect4Layout,
  connect4Labels,
  connect4Layout,
  type Point,
  previewCenter,
} from "./geometry.ts";
import { PALETTE } from "./palette.ts";
import type { Board, BoardCallbacks, BoardInput } from "./types.ts";

export class Connect4Board implements Board {
  private readonly scene: Phaser.Scene;
  private readonly callbacks: BoardCallbacks;
  private readonly grid: Phaser.GameObjects.Graphics;
  private readonly overlay: Phaser.GameObjects.Graphics;
  private readonly ghost: Phaser.GameObjects.Graphics;
  private readonly falling: Phaser.GameObjects.Graphics;
  private coords: Phaser.GameObjects.Text[] = [];
  private input: BoardInput | null = null;
  private layout: Connect4Layout;
  private width: number;
  private height: number;
  private hoverCol: number | null = null;
  private dragging = false;
  /** Cell index hidden in the static drawing while its disc falls. */
  private fallingCell: number | null = null;
  private fallTween: Phaser.Tweens.Tween | null = null;

  constructor(scene: Phaser.Scene, callbacks: BoardCallbacks, width: number, height: number) {
    this.scene = scene;
    this.callbacks = callbacks;
    this.width = width;
    this.height = height;
    this.layout = connect4Layout(width, height);
    this.grid = scene.add.graphics().setDepth(1);
    this.falling = scene.add.graphics().setDepth(2);
    this.overlay = scene.add.graphics().setDepth(3);
    this.ghost = scene.add.graphics().setDepth(4);
  }

  private get view(): Connect4View | null {
    const v = this.input?.view;
    return isConnect4View(v) ? v : null;
  }

  render(input: BoardInput): void {
    const prev = this.view;
    this.input = input;
    const view = this.view;
    if (!view) return;
    if (view.rows !== this.layout.rows || view.columns !== this.layout.columns) {
      this.layout = connect4Layout(this.width, this.height, view.rows, view.columns);
    }
    const cell = lastMoveCell(view);
    const isNewDisc = cell !== null && (!prev || prev.board[cell] === -1);
    if (input.animate && isNewDisc) this.startFall(view, cell);
    else if (this.fallingCell !== null && !isNewDisc) this.stopFall();
    if (!this.canMove()) {
      this.dragging = false;
    }
    this.draw();
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    const v = this.view;
    this.layout = connect4Layout(width, height, v?.rows ?? 6, v?.columns ?? 7);
    this.stopFall();
    this.draw();
  }

  private canMove(): boolean {
    return !!this.input && this.input.moverSeat !== null && this.input.legalMoves.length > 0;
  }

  private isLegal(col: number | null): col is number {
    return col !== null && this.canMove() && this.input!.legalMoves.includes(String(col));
  }

  private draw(): void {
    const view = this.view;
    const l = this.layout;
    const g = this.grid;
    g.clear();
    this.overlay.clear();
    if (!view) {
      this.drawGhost(null);
      return;
    }
    const w = l.columns * l.cell;
    const h = l.rows * l.cell;
    const pad = Math.round(l.cell * C4_FRAME);
    // Frame and holes.
    g.fillStyle(PALETTE.c4BoardEdge, 1);
    g.fillRoundedRect(l.x0 - pad, l.gridTop - pad + 4, w + 2 * pad, h + 2 * pad, pad * 1.5);
    g.fillStyle(PALETTE.c4Board, 1);
    g.fillRoundedRect(l.x0 - pad, l.gridTop - pad, w + 2 * pad, h + 2 * pad, pad * 1.5);
    const r = l.cell * 0.4;
    for (let row = 0; row < view.rows; row++) {
      for (let col = 0; col < view.columns; col++) {
        const idx = cellIndex(view, row, col);
        const { x, y } = cellCenter(row, col, l);
        const v = view.board[idx] ?? -1;
        if (v === 0 || v === 1) {
          if (idx === this.fallingCell) {
            g.fillStyle(PALETTE.c4Hole, 1);
            g.fillCircle(x, y, r);
          } else this.drawDisc(g, x, y, r, v);
        } else {
          g.fillStyle(PALETTE.c4Hole, 1);
          g.fillCircle(x, y, r);
        }
      }
    }
    // Hovered column.
    if (this.isLegal(this.hoverCol)) {
      this.overlay.fillStyle(PALETTE.c4Hover, 0.07);
      this.overlay.fillRect(l.x0 + this.hoverCol * l.cell, l.gridTop - pad, l.cell, h + 2 * pad);
      const row = c4DropRow(view.board, this.hoverCol);
      if (row >= 0 && !this.dragging) {
        const c = cellCenter(row, this.hoverCol, l);
        this.overlay.lineStyle(Math.max(2, l.cell * 0.04), PALETTE.c4Discs[this.input!.moverSeat as Seat], 0.7);
        this.overlay.strokeCircle(c.x, c.y, r * 0.92);
      }
    }
    // A queued premove: its column tinted, the cell its disc would land in ringed.
    const premove = this.input?.premove;
    if (premove) {
      const col = Number(premove);
      this.overlay.fillStyle(PALETTE.premove, 0.22);
      this.overlay.fillRect(l.x0 + col * l.cell, l.gridTop - pad, l.cell, h + 2 * pad);
      const row = c4DropRow(view.board, col);
      if (row >= 0) {
        const c = cellCenter(row, col, l);
        this.overlay.lineStyle(Math.max(2, l.cell * 0.05), PALETTE.premove, 0.95);
        this.overlay.strokeCircle(c.x, c.y, r * 0.92);
      }
    }
    // Last move and winning line.
    const last = lastMoveCell(view);
    if (last !== null && last !== this.fallingCell) {
      const row = Math.floor(last / view.columns);
      const c = cellCenter(row, last % view.columns, l);
      this.overlay.fillStyle(0xffffff, 0.85);
      this.overlay.fillCircle(c.x, c.y, r * 0.18);
    }
    if (view.winningLine && this.fallingCell === null) {
      this.overlay.lineStyle(Math.max(3, l.cell * 0.07), PALETTE.c4Win, 0.95);
      for (const idx of view.winningLine) {
        const c = cellCenter(Math.floor(idx / view.columns), idx % view.columns, l);
        this.overlay.strokeCircle(c.x, c.y, r * 0.8);
      }
    }
    this.drawCoordinates();
    this.drawGhost(null);
  }

  /** Letters under the columns, numbers up the left side (redrawn only when the layout changes). */
  private drawCoordinates(): void {
    const labels = connect4Labels(this.layout);
    const same =
      this.coords.length === labels.length &&
      this.coords.every((t, i) => t.x === labels[i]!.x && t.y === labels[i]!.y && t.text === labels[i]!.text);
    if (same) return;
    for (const t of this.coords) t.destroy();
    const size = Math.max(9, Math.round(this.layout.cell * 0.26));
    this.coords = labels.map((label) =>
      this.scene.add
        .text(label.x, label.y, label.text, {
          fontFamily: "system-ui, sans-serif",
          fontSize: `${size}px`,
          color: PALETTE.c4Coord,
          fontStyle: "bold",
        })
        .setOrigin(0.5, 0.5)
        .setDepth(1),
    );
  }

  private drawDisc(g: Phaser.GameObjects.Graphics, x: number, y: number, r: number, seat: number, alpha = 1): void {
    const s = seat === 1 ? 1 : 0;
    g.fillStyle(PALETTE.c4DiscEdges[s], alpha);
    g.fillCircle(x, y, r);
    g.fillStyle(PALETTE.c4Discs[s], alpha);
    g.fillCircle(x, y, r * 0.82);
  }

  /** The hovering (or dragged) disc. */
  private drawGhost(at: Point | null): void {
    const g = this.ghost;
    g.clear();
    if (!this.canMove()) return;
    const seat = this.input!.moverSeat as Seat;
    const l = this.layout;
    const r = l.cell * 0.4;
    if (this.dragging && at) {
      this.drawDisc(g, at.x, at.y, r, seat, 0.95);
    } else if (this.isLegal(this.hoverCol)) {
      const p = previewCenter(this.hoverCol, l);
      this.drawDisc(g, p.x, p.y, r, seat, 0.55);
    }
  }

  private startFall(view: Connect4View, cell: number): void {
    this.stopFall();
    const l = this.layout;
    const row = Math.floor(cell / view.columns);
    const col = cell % view.columns;
    const seat = view.board[cell] ?? 0;
    const target = cellCenter(row, col, l);
    const start = previewCenter(col, l);
    this.fallingCell = cell;
    const g = this.falling;
    g.clear();
    this.drawDisc(g, 0, 0, l.cell * 0.4, seat);
    g.setPosition(start.x, start.y);
    this.fallTween = this.scene.tweens.add({
      targets: g,
      y: target.y,
      duration: 180 + 45 * (view.rows - row),
      ease: "Bounce.easeOut",
      onComplete: () => this.stopFall(true),
    });
  }

  private stopFall(redraw = false): void {
    this.fallTween?.stop();
    this.fallTween = null;
    this.falling.clear();
    if (this.fallingCell !== null) {
      this.fallingCell = null;
      if (redraw) this.draw();
    }
  }

  pointerDown(x: number, _y: number): void {
    const col = columnAt(x, this.layout);
    if (!this.isLegal(col)) return;
    this.dragging = true;
    this.hoverCol = col;
    this.draw();
    this.drawGhost({ x, y: _y });
  }

  pointerMove(x: number, y: number, _down: boolean): void {
    const col = columnAt(x, this.layout);
    if (col !== this.hoverCol) {
      this.hoverCol = col;
      this.draw();
    }
    if (this.dragging) this.drawGhost({ x, y });
  }

  pointerUp(x: number, _y: number): void {
    if (!this.dragging) return;
    this.dragging = false;
    const col = columnAt(x, this.layout);
    if (this.isLegal(col)) {
      this.hoverCol = null;
      this.callbacks.move(String(col));
    }
    this.draw();
  }

  pointerOut(): void {
    this.hoverCol = null;
    this.dragging = false;
    this.draw();
  }

  cancelInteraction(): void {
    this.dragging = false;
    this.draw();
  }

  pointOf(key: string): Point | null {
    if (!/^\d+$/.test(key)) return null;
    const col = Number(key);
    const l = this.layout;
    if (col < 0 || col >= l.columns) return null;
    return cellCenter(l.rows - 1, col, l);
  }

  labels(): BoardLabel[] {
    return this.coords.map((t) => ({ text: t.text, x: Math.round(t.x), y: Math.round(t.y) }));
  }

  destroy(): void {
    this.stopFall();
    this.grid.destroy();
    this.overlay.destroy();
    this.ghost.destroy();
    this.falling.destroy();
    for (const t of this.coords) t.destroy();
    this.coords = [];
  }
}
