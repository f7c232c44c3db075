/**
 * Owns the Phaser.Game (created on first use, inside #board) and its scene;
 * the game screen and the replay viewer draw through it.
 */
import Phaser from "phaser";
import type { Point } from "./boards/geometry.ts";
import { PALETTE } from "./boards/palette.ts";
import type { BoardCallbacks, BoardInput } from "./boards/types.ts";
import { GameScene } from "./scenes/GameScene.ts";

export class BoardView {
  private readonly parent: HTMLElement;
  private game: Phaser.Game | null = null;
  private scene: GameScene | null = null;
  /** Where board callbacks go (the game screen or nothing in replays). */
  handler: BoardCallbacks | null = null;
  private observer: ResizeObserver | null = null;

  constructor(parent: HTMLElement) {
    this.parent = parent;
  }

  /** Create the Phaser game now (idempotent); the scene is usable once `ready` resolves. */
  init(): void {
    this.ensure();
  }

  private ensure(): GameScene {
    if (this.scene) return this.scene;
    const callbacks: BoardCallbacks = {
      move: (m) => this.handler?.move(m),
      promotion: (from, to, choices) => this.handler?.promotion(from, to, choices),
    };
    const scene = new GameScene(callbacks);
    this.scene = scene;
    this.game = new Phaser.Game({
      type: Phaser.AUTO,
      parent: this.parent,
      backgroundColor: PALETTE.background,
      banner: false,
      scale: { mode: Phaser.Scale.RESIZE, width: "100%", height: "100%" },
      input: { mouse: { preventDefaultWheel: false } },
      scene: [scene],
    });
    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => this.refresh());
      this.observer.observe(this.parent);
    }
    return scene;
  }

  show(input: BoardInput): void {
    this.ensure().show(input);
  }

  /** Call after the board's container was shown or resized. */
  refresh(): void {
    if (!this.game) return;
    this.game.scale.refresh();
    this.scene?.relayout();
  }

  cancelInteraction(): void {
    this.scene?.cancelInteraction();
  }

  get ready(): Promise<void> {
    return this.ensure().ready;
  }

  /** Viewport (CSS pixel) coordinates of a board location — what a test's mouse click needs. */
  clientPoint(kind: BoardInput["kind"], key: string): Point | null {
    const scene = this.scene;
    const canvas = this.game?.canvas;
    if (!scene || !canvas || !this.game) return null;
    const p = scene.pointOf(kind, key);
    if (!p) return null;
    const rect = canvas.getBoundingClientRect();
    const sx = rect.width / (this.game.scale.width || rect.width || 1);
    const sy = rect.height / (this.game.scale.height || rect.height || 1);
    return { x: Math.round(rect.left + p.x * sx), y: Math.round(rect.top + p.y * sy) };
  }

  /** Canvas-relative point of a board location (for positioning DOM overlays over the board). */
  canvasPoint(kind: BoardInput["kind"], key: string): Point | null {
    return this.scene?.pointOf(kind, key) ?? null;
  }
}
