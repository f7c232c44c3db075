/**
 * A chess board drawn with Phaser: squares and highlights in one graphics
 * object, pieces as Unicode glyph texts. Click a piece then a target square,
 * or drag the piece and drop it: what that means is decided in chessInput.ts
 * (from the legal moves handed in, i.e. the shared rules); this file draws it.
 * Dots mark quiet targets, rings captures. Last move and check are
 * highlighted; the board is flipped when black sits at the bottom.
 */
import type Phaser from "phaser";
import type { Seat } from "@tabula/shared/rules";
import { glyphOf, isChessView, kingSquare, parseFenBoard, parseSquare, pieceSeat, type ChessView } from "../views.ts";
import { type ChessAction, ChessInput } from "./chessInput.ts";
import {
  type BoardLabel,
  type ChessLayout,
  chessCoordinates,
  chessLayout,
  type Point,
  squareAt,
  squareCenter,
  squareOrigin,
} from "./geometry.ts";
import { PALETTE, PIECE_FONT } from "./palette.ts";
import type { Board, BoardCallbacks, BoardInput } from "./types.ts";

const FILES = "abcdefgh";

export class ChessBoard implements Board {
  private readonly scene: Phaser.Scene;
  private readonly callbacks: BoardCallbacks;
  private readonly squares: Phaser.GameObjects.Graphics;
  private readonly hints: Phaser.GameObjects.Graphics;
  private coords: Phaser.GameObjects.Text[] = [];
  private pieces = new Map<string, Phaser.GameObjects.Text>();
  private input: BoardInput | null = null;
  private layout: ChessLayout;
  private width: number;
  private height: number;
  private position = new Map<string, string>();
  private readonly pointer = new ChessInput();
  private moveTween: Phaser.Tweens.Tween | null = null;

  constructor(scene: Phaser.Scene, callbacks: BoardCallbacks, width: number, height: number) {
    this.scene = scene;
    this.callbacks = callbacks;
    this.width = width;
    this.height = height;
    this.layout = chessLayout(width, height, false);
    this.squares = scene.add.graphics().setDepth(1);
    this.hints = scene.add.graphics().setDepth(3);
  }

  private get view(): ChessView | null {
    const v = this.input?.view;
    return isChessView(v) ? v : null;
  }

  render(input: BoardInput): void {
    const prevFen = this.view?.fen;
    this.input = input;
    const view = this.view;
    if (!view) return;
    const flipped = input.orientation === 1;
    if (flipped !== this.layout.flipped) this.layout = chessLayout(this.width, this.height, flipped);
    this.position = parseFenBoard(view.fen);
    this.pointer.setLegalMoves(input.moverSeat === null ? [] : input.legalMoves);
    this.drawSquares();
    this.drawPieces();
    this.drawHints();
    if (input.animate && view.lastMove && prevFen !== view.fen) this.animateMove(view.lastMove.from, view.lastMove.to);
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.layout = chessLayout(width, height, this.layout.flipped);
    if (!this.view) return;
    this.drawSquares();
    this.drawPieces();
    this.drawHints();
  }

  // -------------------------------------------------------------------------
  // Drawing

  private drawSquares(): void {
    const g = this.squares;
    const l = this.layout;
    const view = this.view;
    g.clear();
    for (const t of this.coords) t.destroy();
    this.coords = [];
    if (!view) return;
    g.fillStyle(0x000000, 0.35);
    g.fillRect(l.x0 - 3, l.y0 - 3, l.cell * 8 + 6, l.cell * 8 + 6);
    for (let rank = 0; rank < 8; rank++) {
      for (let file = 0; file < 8; file++) {
        const sq = `${FILES[file]}${rank + 1}`;
        const o = squareOrigin(sq, l)!;
        const light = (file + rank) % 2 === 1;
        g.fillStyle(light ? PALETTE.light : PALETTE.dark, 1);
        g.fillRect(o.x, o.y, l.cell, l.cell);
      }
    }
    const mark = (sq: string, color: number, alpha: number) => {
      const o = squareOrigin(sq, l);
      if (!o) return;
      g.fillStyle(color, alpha);
      g.fillRect(o.x, o.y, l.cell, l.cell);
    };
    if (view.lastMove) {
      mark(view.lastMove.from, PALETTE.lastMove, 0.55);
      mark(view.lastMove.to, PALETTE.lastMove, 0.65);
    }
    const premove = this.input?.premove;
    if (premove) {
      mark(premove.slice(0, 2), PALETTE.premove, 0.5);
      mark(premove.slice(2, 4), PALETTE.premove, 0.6);
    }
    if (this.pointer.selected) mark(this.pointer.selected, PALETTE.selected, 0.45);
    if (view.check) {
      // The side to move is in check (after a checkmate nobody is "to move": it is the side whose turn it would be).
      const checked: Seat = view.toMove ?? (view.ply % 2 === 0 ? 0 : 1);
      const k = kingSquare(this.position, checked);
      const c = k ? squareCenter(k, l) : null;
      if (c) {
        g.fillStyle(PALETTE.check, 0.35);
        g.fillCircle(c.x, c.y, l.cell * 0.5);
        g.fillStyle(PALETTE.check, 0.55);
        g.fillCircle(c.x, c.y, l.cell * 0.36);
      }
    }
    // Coordinates inside the edge squares (files along the bottom row, ranks up the left column), either way round.
    const size = Math.max(9, Math.round(l.cell * 0.17));
    for (const c of chessCoordinates(l.flipped)) {
      const o = squareOrigin(c.square, l)!;
      const s = parseSquare(c.square)!;
      const light = (s.file + s.rank) % 2 === 1;
      const bottomRight = c.corner === "bottom-right";
      this.coords.push(
        this.scene.add
          .text(bottomRight ? o.x + l.cell - 3 : o.x + 3, bottomRight ? o.y + l.cell - 2 : o.y + 2, c.text, {
            fontFamily: "system-ui, sans-serif",
            fontSize: `${size}px`,
            color: light ? PALETTE.coordOnLight : PALETTE.coordOnDark,
            fontStyle: "bold",
          })
          .setOrigin(bottomRight ? 1 : 0, bottomRight ? 1 : 0)
          .setDepth(2),
      );
    }
  }

  private drawPieces(): void {
    this.moveTween?.stop();
    this.moveTween = null;
    for (const t of this.pieces.values()) t.destroy();
    this.pieces.clear();
    const l = this.layout;
    const fontSize = Math.round(l.cell * 0.78);
    for (const [sq, piece] of this.position) {
      const c = squareCenter(sq, l);
      if (!c) continue;
      const white = pieceSeat(piece) === 0;
      const t = this.scene.add
        .text(c.x, c.y + l.cell * 0.02, glyphOf(piece), {
          fontFamily: PIECE_FONT,
          fontSize: `${fontSize}px`,
          color: white ? PALETTE.whitePiece : PALETTE.blackPiece,
          stroke: white ? PALETTE.whiteStroke : PALETTE.blackStroke,
          strokeThickness: Math.max(1.5, l.cell * 0.035),
          padding: { x: 2, y: 2 },
        })
        .setOrigin(0.5, 0.5)
        .setDepth(4);
      this.pieces.set(sq, t);
    }
  }

  private drawHints(): void {
    const g = this.hints;
    g.clear();
    const l = this.layout;
    const from = this.pointer.active;
    if (!from) return;
    const targets = this.pointer.targets(from);
    for (const to of targets) {
      const c = squareCenter(to, l);
      if (!c) continue;
      if (this.position.has(to)) {
        g.lineStyle(Math.max(2, l.cell * 0.07), PALETTE.hint, 0.5);
        g.strokeCircle(c.x, c.y, l.cell * 0.45);
      } else {
        g.fillStyle(PALETTE.hint, 0.45);
        g.fillCircle(c.x, c.y, l.cell * 0.15);
      }
    }
    const hover = this.pointer.hover;
    if (this.pointer.dragFrom && hover && targets.has(hover)) {
      const o = squareOrigin(hover, l)!;
      g.lineStyle(Math.max(2, l.cell * 0.05), 0xffffff, 0.7);
      g.strokeRect(o.x + 1, o.y + 1, l.cell - 2, l.cell - 2);
    }
  }

  private animateMove(from: string, to: string): void {
    const piece = this.pieces.get(to);
    const a = squareCenter(from, this.layout);
    const b = squareCenter(to, this.layout);
    if (!piece || !a || !b) return;
    const dy = this.layout.cell * 0.02;
    piece.setPosition(a.x, a.y + dy).setDepth(6);
    this.moveTween = this.scene.tweens.add({
      targets: piece,
      x: b.x,
      y: b.y + dy,
      duration: 160,
      ease: "Quad.easeOut",
      onComplete: () => piece.setDepth(4),
    });
  }

  // -------------------------------------------------------------------------
  // Input (decided by ChessInput; drawn here)

  private act(action: ChessAction): void {
    if (action?.kind === "move") this.callbacks.move(action.move);
    else if (action?.kind === "promotion") this.callbacks.promotion(action.from, action.to, action.choices);
  }

  pointerDown(x: number, y: number): void {
    if (!this.view) return;
    const action = this.pointer.down(squareAt(x, y, this.layout), { x, y });
    const lifted = this.pointer.dragFrom;
    if (lifted) this.pieces.get(lifted)?.setDepth(7);
    this.redrawSelection();
    this.act(action);
  }

  pointerMove(x: number, y: number, down: boolean): void {
    if (!down) return;
    const dragged = this.pointer.dragFrom;
    const { follow, hoverChanged } = this.pointer.drag(squareAt(x, y, this.layout), { x, y });
    if (follow && dragged) this.pieces.get(dragged)?.setPosition(x, y);
    if (hoverChanged) this.drawHints();
  }

  pointerUp(x: number, y: number): void {
    const { action, returned } = this.pointer.up(squareAt(x, y, this.layout));
    if (returned) this.returnPiece(returned);
    this.redrawSelection();
    this.act(action);
  }

  pointerOut(): void {
    const returned = this.pointer.out();
    if (returned) this.returnPiece(returned);
    this.drawHints();
  }

  cancelInteraction(): void {
    const returned = this.pointer.cancel();
    if (returned) this.returnPiece(returned);
    this.redrawSelection();
  }

  private returnPiece(sq: string): void {
    const c = squareCenter(sq, this.layout);
    const t = this.pieces.get(sq);
    if (c && t) t.setPosition(c.x, c.y + this.layout.cell * 0.02).setDepth(4);
  }

  private redrawSelection(): void {
    // Squares hold the selection highlight; coordinates are redrawn with them.
    this.drawSquares();
    this.drawHints();
  }

  pointOf(key: string): Point | null {
    return squareCenter(key, this.layout);
  }

  labels(): BoardLabel[] {
    return this.coords.map((t) => {
      const c = t.getCenter();
      return { text: t.text, x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
    });
  }

  destroy(): void {
    this.moveTween?.stop();
    this.squares.destroy();
    this.hints.destroy();
    for (const t of this.coords) t.destroy();
    for (const t of this.pieces.values()) t.destroy();
    this.pieces.clear();
  }
}
