/**
 * Battleship drawn with Phaser graphics: your fleet and the enemy's waters
 * (battleshipLayout.ts). While you place your fleet, drag a ship to move it,
 * click it to turn it, "Random layout" draws a new fleet and "Confirm fleet"
 * sends it; then click a cell of the enemy's waters to fire. Shots show as a
 * dot (miss), a red mark (hit) or a dark red ship (sunk); the last shot is
 * ringed. The board only ever has what the server showed this viewer.
 */
import type Phaser from "phaser";
import { type BattleshipView, BS_SIZE, bsCell, bsCellName, bsRandomPlacement, createRng, type Seat } from "@tabula/shared/rules";
import { t } from "../i18n/index.ts";
import { isBattleshipView } from "../views.ts";
import {
  type BattleshipLayout,
  battleshipLayout,
  cellAt,
  cellCentre,
  type Draft,
  draftCells,
  draftMove,
  draftOf,
  inRect,
  moveShip,
  type Rect,
  rotateShip,
  shipAt,
} from "./battleshipLayout.ts";
import type { BoardLabel, Point } from "./geometry.ts";
import type { Board, BoardCallbacks, BoardInput } from "./types.ts";

const COLOURS = {
  water: 0x12324f,
  grid: 0x29557c,
  ship: 0x8e9aa6,
  shipEdge: 0x5d6873,
  revealed: 0x6b7785,
  hit: 0xe8484f,
  sunk: 0x8a1f26,
  miss: 0xb9c9d8,
  pending: 0xf5c542,
  last: 0xffffff,
  hover: 0xffffff,
  good: 0x3ecf8e,
  bad: 0xe8484f,
  button: 0x2452c9,
  buttonEdge: 0x1a3c99,
} as const;

/** A ship being dragged: which, where it was grabbed (cells from its first), where it would go. */
interface Drag {
  ship: number;
  grab: number;
  at: Point;
  moved: boolean;
}

export class BattleshipBoard implements Board {
  private readonly callbacks: BoardCallbacks;
  private readonly g: Phaser.GameObjects.Graphics;
  private readonly overlay: Phaser.GameObjects.Graphics;
  private readonly texts: Phaser.GameObjects.Text[] = [];
  private readonly scene: Phaser.Scene;
  private input: BoardInput | null = null;
  private layout: BattleshipLayout;
  private hover: number | null = null;
  private draft: Draft | null = null;
  private drag: Drag | null = null;

  constructor(scene: Phaser.Scene, callbacks: BoardCallbacks, width: number, height: number) {
    this.scene = scene;
    this.callbacks = callbacks;
    this.layout = battleshipLayout(width, height);
    this.g = scene.add.graphics().setDepth(1);
    this.overlay = scene.add.graphics().setDepth(2);
  }

  private get view(): BattleshipView | null {
    const v = this.input?.view;
    return isBattleshipView(v) ? v : null;
  }

  /** The seat whose fleet is drawn as "own" (the viewer's, or the bottom seat for a spectator). */
  private get me(): Seat {
    return this.input?.orientation ?? 0;
  }

  /** Whether the viewer is placing its fleet right now. */
  private get placing(): boolean {
    const v = this.view;
    return !!v && !!this.input && this.input.moverSeat !== null && v.ply < 2 && v.toMove === this.input.moverSeat;
  }

  private get shooting(): boolean {
    const v = this.view;
    return !!v && !!this.input && this.input.moverSeat !== null && v.ply >= 2 && this.input.legalMoves.length > 0;
  }

  render(input: BoardInput): void {
    this.input = input;
    if (this.placing) {
      this.draft ??= draftOf(bsRandomPlacement(createRng(String(Math.random()))));
    } else {
      this.draft = null;
      this.drag = null;
    }
    this.draw();
  }

  resize(width: number, height: number): void {
    this.layout = battleshipLayout(width, height);
    this.draw();
  }

  private text(x: number, y: number, s: string, size: number, colour = "#e6ecef", originY = 0.5): void {
    const txt = this.scene.add
      .text(x, y, s, { fontFamily: "system-ui, sans-serif", fontSize: `${Math.max(9, Math.round(size))}px`, color: colour })
      .setOrigin(0.5, originY)
      .setDepth(3);
    this.texts.push(txt);
  }

  private draw(): void {
    this.g.clear();
    this.overlay.clear();
    for (const txt of this.texts.splice(0)) txt.destroy();
    const v = this.view;
    if (!v) return;
    const l = this.layout;
    const me = this.me;
    const enemy = (1 - me) as Seat;
    // While the game is on a player's view holds its whole fleet only; otherwise name the fleets by colour.
    const player = v.result === null && v.complete[me] && !v.complete[enemy];
    const fleetName = (seat: Seat) => (seat === 0 ? t("battleship:blueFleet") : t("battleship:orangeFleet"));
    this.text(l.ownTitle.x, l.ownTitle.y + l.cell * 0.4, player ? t("battleship:yourFleet") : fleetName(me), l.cell * 0.6);
    this.text(
      l.targetTitle.x,
      l.targetTitle.y + l.cell * 0.4,
      player ? t("battleship:enemyWaters") : fleetName(enemy),
      l.cell * 0.6,
    );
    this.drawGrid(l.own, v, me, this.draft);
    this.drawGrid(l.target, v, enemy, null);
    const centre = l.own.x + (BS_SIZE * l.cell) / 2;
    if (this.placing) {
      this.button(l.random, t("battleship:randomLayout"));
      this.button(l.confirm, t("battleship:confirmFleet"));
      this.text(centre, l.random.y + l.random.h + l.cell * 0.45, t("battleship:placeHint"), l.cell * 0.4, "#9fb2c2");
    } else if (v.ply < 2 && v.result === null) {
      this.text(centre, l.random.y + l.random.h / 2, t("battleship:waitingForFleets"), l.cell * 0.45, "#9fb2c2");
    }
    if (this.shooting && this.hover !== null && this.input!.legalMoves.includes(bsCellName(this.hover))) {
      const c = cellCentre(l.target, l.cell, this.hover);
      this.overlay.lineStyle(Math.max(2, l.cell * 0.08), COLOURS.hover, 0.9);
      this.overlay.strokeRect(c.x - l.cell / 2 + 1, c.y - l.cell / 2 + 1, l.cell - 2, l.cell - 2);
    }
    if (this.drag?.moved && this.draft) this.drawDragged(this.draft, this.drag);
  }

  private drawGrid(origin: Point, v: BattleshipView, owner: Seat, draft: Draft | null): void {
    const { cell } = this.layout;
    const g = this.g;
    const size = BS_SIZE * cell;
    g.fillStyle(COLOURS.water, 1);
    g.fillRect(origin.x, origin.y, size, size);
    g.lineStyle(1, COLOURS.grid, 1);
    for (let i = 0; i <= BS_SIZE; i++) {
      g.lineBetween(origin.x + i * cell, origin.y, origin.x + i * cell, origin.y + size);
      g.lineBetween(origin.x, origin.y + i * cell, origin.x + size, origin.y + i * cell);
    }
    for (let i = 0; i < BS_SIZE; i++) {
      this.text(origin.x + (i + 0.5) * cell, origin.y - cell * 0.35, "abcdefghij"[i]!, cell * 0.38, "#9fb2c2");
      this.text(origin.x - cell * 0.4, origin.y + (i + 0.5) * cell, String(i + 1), cell * 0.38, "#9fb2c2");
    }
    const shots = v.shots[(1 - owner) as Seat];
    const fired = new Map(shots.map((s) => [s.cell, s.outcome]));
    // Ships: the draft being placed, else the fleet as this viewer knows it.
    const ships = draft ? draft.map((_, i) => draftCells(draft, i)) : v.fleets[owner].map((s) => s.cells);
    for (const [i, cells] of ships.entries()) {
      if (this.drag?.moved && draft && i === this.drag.ship) continue;
      const sunk = cells.every((c) => fired.has(c));
      // An enemy ship still afloat is only known once the game is over: drawn faded.
      const revealed = !draft && owner !== this.me && !sunk;
      this.drawShip(g, origin, cells, sunk ? COLOURS.sunk : revealed ? COLOURS.revealed : COLOURS.ship, revealed ? 0.6 : 1);
    }
    for (const s of shots) {
      const c = cellCentre(origin, cell, s.cell);
      if (s.outcome === "miss") {
        g.fillStyle(COLOURS.miss, 0.9);
        g.fillCircle(c.x, c.y, cell * 0.12);
      } else if (s.outcome === "pending") {
        g.lineStyle(Math.max(2, cell * 0.08), COLOURS.pending, 1);
        g.strokeCircle(c.x, c.y, cell * 0.28);
      } else {
        g.lineStyle(Math.max(2, cell * 0.12), COLOURS.hit, 1);
        const r = cell * 0.26;
        g.lineBetween(c.x - r, c.y - r, c.x + r, c.y + r);
        g.lineBetween(c.x - r, c.y + r, c.x + r, c.y - r);
      }
    }
    const last = v.lastShot;
    if (last && last.seat !== owner) {
      const c = cellCentre(origin, cell, last.cell);
      this.overlay.lineStyle(Math.max(2, cell * 0.07), COLOURS.last, 0.9);
      this.overlay.strokeCircle(c.x, c.y, cell * 0.44);
    }
  }

  private drawShip(g: Phaser.GameObjects.Graphics, origin: Point, cells: readonly number[], colour: number, alpha: number): void {
    if (cells.length === 0) return;
    const { cell } = this.layout;
    const a = cellCentre(origin, cell, Math.min(...cells));
    const b = cellCentre(origin, cell, Math.max(...cells));
    const inset = cell * 0.14;
    g.fillStyle(colour, alpha);
    g.fillRoundedRect(
      a.x - cell / 2 + inset,
      a.y - cell / 2 + inset,
      b.x - a.x + cell - 2 * inset,
      b.y - a.y + cell - 2 * inset,
      cell * 0.3,
    );
  }

  private drawDragged(draft: Draft, drag: Drag): void {
    const l = this.layout;
    const target = this.dropTarget(draft, drag);
    const cells =
      target === null
        ? []
        : draftCells(
            draft.map((s, i) => (i === drag.ship ? { ...s, cell: target } : s)),
            drag.ship,
          );
    const valid = target !== null && moveShip(draft, drag.ship, target) !== null;
    if (cells.length > 0) this.drawShip(this.overlay, l.own, cells, valid ? COLOURS.good : COLOURS.bad, 0.75);
    this.overlay.fillStyle(COLOURS.ship, 0.5);
    this.overlay.fillCircle(drag.at.x, drag.at.y, l.cell * 0.3);
  }

  /** Where the dragged ship's first cell would go (the grabbed cell under the pointer). */
  private dropTarget(draft: Draft, drag: Drag): number | null {
    const l = this.layout;
    const under = cellAt(l.own, l.cell, drag.at.x, drag.at.y);
    if (under === null) return null;
    const step = draft[drag.ship]!.dir === "h" ? 1 : BS_SIZE;
    const first = under - drag.grab * step;
    if (first < 0 || (step === 1 && Math.floor(first / BS_SIZE) !== Math.floor(under / BS_SIZE))) return null;
    return first;
  }

  private button(r: Rect, label: string): void {
    const g = this.g;
    const radius = r.h * 0.25;
    g.fillStyle(COLOURS.buttonEdge, 1);
    g.fillRoundedRect(r.x, r.y + 2, r.w, r.h, radius);
    g.fillStyle(COLOURS.button, 1);
    g.fillRoundedRect(r.x, r.y, r.w, r.h, radius);
    this.text(r.x + r.w / 2, r.y + r.h / 2, label, Math.min(r.h * 0.42, (r.w / Math.max(6, label.length)) * 1.7));
  }

  pointerDown(x: number, y: number): void {
    const l = this.layout;
    if (this.placing && this.draft) {
      if (inRect(l.random, x, y)) {
        this.draft = draftOf(bsRandomPlacement(createRng(String(Math.random()))));
        this.draw();
        return;
      }
      if (inRect(l.confirm, x, y)) {
        this.callbacks.move(draftMove(this.draft));
        return;
      }
      const cell = cellAt(l.own, l.cell, x, y);
      const ship = cell === null ? -1 : shipAt(this.draft, cell);
      if (ship >= 0) {
        const cells = draftCells(this.draft, ship);
        this.drag = { ship, grab: cells.indexOf(cell!), at: { x, y }, moved: false };
      }
    }
  }

  pointerMove(x: number, y: number, _down: boolean): void {
    if (this.drag) {
      const l = this.layout;
      if (Math.hypot(x - this.drag.at.x, y - this.drag.at.y) > l.cell * 0.3) this.drag.moved = true;
      if (this.drag.moved) this.drag.at = { x, y };
      this.draw();
      return;
    }
    const cell = this.shooting ? cellAt(this.layout.target, this.layout.cell, x, y) : null;
    if (cell !== this.hover) {
      this.hover = cell;
      this.draw();
    }
  }

  pointerUp(x: number, y: number): void {
    const drag = this.drag;
    this.drag = null;
    if (drag && this.draft) {
      if (!drag.moved) this.draft = rotateShip(this.draft, drag.ship) ?? this.draft;
      else {
        const target = this.dropTarget(this.draft, { ...drag, at: { x, y } });
        if (target !== null) this.draft = moveShip(this.draft, drag.ship, target) ?? this.draft;
      }
      this.draw();
      return;
    }
    if (!this.shooting) return;
    const cell = cellAt(this.layout.target, this.layout.cell, x, y);
    if (cell !== null && this.input!.legalMoves.includes(bsCellName(cell))) {
      this.hover = null;
      this.callbacks.move(bsCellName(cell));
    }
  }

  pointerOut(): void {
    this.hover = null;
    this.drag = null;
    this.draw();
  }

  cancelInteraction(): void {
    this.drag = null;
    this.draw();
  }

  /** "b5" or "target:b5": a cell of the enemy waters; "own:b5": of your fleet; "random", "confirm": the buttons. */
  pointOf(key: string): Point | null {
    const l = this.layout;
    if (key === "random" || key === "confirm") {
      const r = l[key];
      return { x: r.x + r.w / 2, y: r.y + r.h / 2 };
    }
    const [grid, name] = key.includes(":") ? key.split(":", 2) : ["target", key];
    const cell = bsCell(name ?? "");
    if (cell === null || (grid !== "own" && grid !== "target")) return null;
    return cellCentre(grid === "own" ? l.own : l.target, l.cell, cell);
  }

  /** The coordinates drawn on both grids (a–j above, 1–10 on the left), canvas pixels. */
  labels(): BoardLabel[] {
    const { cell, own, target } = this.layout;
    return [own, target].flatMap((o) =>
      Array.from({ length: BS_SIZE }, (_, i) => [
        { text: "abcdefghij"[i]!, x: Math.round(o.x + (i + 0.5) * cell), y: Math.round(o.y - cell * 0.35) },
        { text: String(i + 1), x: Math.round(o.x - cell * 0.4), y: Math.round(o.y + (i + 0.5) * cell) },
      ]).flat(),
    );
  }

  destroy(): void {
    for (const txt of this.texts.splice(0)) txt.destroy();
    this.g.destroy();
    this.overlay.destroy();
  }
}
