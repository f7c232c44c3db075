/**
 * Owns the Phaser.Game (created on first use, inside #board) and its scene;
 * the game screen and the replay viewer draw through it. It also keeps which
 * games the viewer turned the board round in (the flip button), for as long
 * as the page lives. Phaser and the scene are fetched on first use too
 * (lazyChunks.ts): the lobby does not wait for them.
 */
import type Phaser from "phaser";
import type { Seat } from "@tabula/shared/rules";
import { BoardFlips } from "./boards/flips.ts";
import type { BoardLabel, Point } from "./boards/geometry.ts";
import { type BoardEngine, loadBoardEngine } from "./lazyChunks.ts";
import { PALETTE } from "./boards/palette.ts";
import type { BoardCallbacks, BoardInput } from "./boards/types.ts";
import type { GameScene } from "./scenes/GameScene.ts";

/** Frames keep being drawn this long after the last change or pointer activity (longer than any animation), ms. */
const AWAKE_AFTER_CHANGE_MS = 1500;

export class BoardView {
  private readonly parent: HTMLElement;
  private game: Phaser.Game | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private scene: GameScene | null = null;
  /** Where board callbacks go (the game screen or nothing in replays). */
  handler: BoardCallbacks | null = null;
  private observer: ResizeObserver | null = null;
  private engine: BoardEngine | null = null;
  /** The latest board asked for before the engine arrived. */
  private pending: BoardInput | null = null;
  private readonly flips = new BoardFlips();
  private flipButton: HTMLElement | null = null;

  constructor(parent: HTMLElement) {
    this.parent = parent;
  }

  /** Fetch the engine and create the Phaser game now (idempotent); the scene is usable once `ready` resolves. */
  init(): void {
    void this.load().catch(() => {}); // `ready` reports a failed fetch to whoever waits for the board
  }

  /** The scene, once the engine chunk is loaded (then a board asked for meanwhile is drawn). */
  private async load(): Promise<GameScene> {
    this.engine ??= await loadBoardEngine();
    const scene = this.ensure();
    if (this.pending) this.show(this.pending);
    return scene;
  }

  private ensure(): GameScene {
    if (this.scene) return this.scene;
    if (!this.engine) throw new Error("the board engine is not loaded yet");
    const { Phaser, GameScene } = this.engine;
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
      // A board game needs no 60 fps: a disc falls and a piece slides smoothly at 30, and a
      // page that draws half as often leaves the main thread free for the network and the
      // heartbeat (without a GPU every frame is drawn in software).
      fps: { limit: 30 },
      scene: [scene],
    });
    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => this.refresh());
      this.observer.observe(this.parent);
    }
    // Phaser handles input events as they come, loop or not; only drawing needs the loop.
    for (const type of ["pointerdown", "pointermove", "pointerup", "pointerleave", "wheel"])
      this.parent.addEventListener(type, () => this.awake(), { capture: true, passive: true });
    // (Phaser wakes its loop itself when the page becomes visible again: let it sleep again after.)
    document.addEventListener("visibilitychange", () => this.awake());
    void scene.ready.then(() => this.awake());
    return scene;
  }

  /**
   * Draw frames for a while: a board is still most of the time, and without a
   * GPU every frame is drawn in software, taking the main thread from the
   * network and the heartbeat. The loop sleeps once nothing changed for
   * AWAKE_AFTER_CHANGE_MS and wakes on the next change or pointer activity.
   */
  private awake(): void {
    const loop = this.game?.loop;
    if (!loop) return;
    if (!loop.running) loop.wake(true);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.game && document.visibilityState !== "hidden") this.game.loop.sleep();
    }, AWAKE_AFTER_CHANGE_MS);
  }

  show(input: BoardInput): void {
    // Only chess has sides to turn round: Connect Four looks the same from both seats.
    if (this.flipButton) this.flipButton.hidden = input.kind !== "chess";
    if (!this.engine) {
      this.pending = input;
      this.init();
      return;
    }
    this.pending = null;
    this.ensure().show(input);
    this.awake();
  }

  /** The flip button: a click turns the board of the game on screen round. */
  bindFlipButton(button: HTMLElement): void {
    this.flipButton = button;
    button.addEventListener("click", () => this.flips.toggle());
  }

  /** `gameId` is now on the board; `redraw` redraws its screen (board and cards) after a flip (BoardFlips). */
  attachGame(gameId: string, redraw: () => void): void {
    this.flips.attach(gameId, redraw);
  }

  /** The seat drawn at the bottom of `gameId`'s board: `natural`, or the other one once flipped (BoardFlips). */
  bottomSeat(gameId: string, natural: Seat): Seat {
    return this.flips.bottomSeat(gameId, natural);
  }

  /** Call after the board's container was shown or resized. */
  refresh(): void {
    if (!this.game) return;
    this.game.scale.refresh();
    this.scene?.relayout();
    this.awake();
  }

  cancelInteraction(): void {
    this.scene?.cancelInteraction();
    this.awake();
  }

  get ready(): Promise<void> {
    return this.load().then((scene) => scene.ready);
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

  /** The coordinates drawn on the board (viewport CSS pixels of their centres), for the tests. */
  clientLabels(kind: BoardInput["kind"]): BoardLabel[] {
    const canvas = this.game?.canvas;
    if (!this.scene || !canvas || !this.game) return [];
    const rect = canvas.getBoundingClientRect();
    const sx = rect.width / (this.game.scale.width || rect.width || 1);
    const sy = rect.height / (this.game.scale.height || rect.height || 1);
    return this.scene
      .labels(kind)
      .map((l) => ({ text: l.text, x: Math.round(rect.left + l.x * sx), y: Math.round(rect.top + l.y * sy) }));
  }

  /** Canvas-relative point of a board location (for positioning DOM overlays over the board). */
  canvasPoint(kind: BoardInput["kind"], key: string): Point | null {
    return this.scene?.pointOf(kind, key) ?? null;
  }
}
