/**
 * Battleship board geometry and fleet drafting (pure: no Phaser, no DOM).
 *
 * Two 10×10 grids: the viewer's own fleet and the enemy's waters (for a
 * spectator, the bottom seat's fleet and the other's). Side by side on a wide
 * canvas (own left), stacked on a tall one (enemy on top, as the opponent's
 * card is). Each grid has a title line and its coordinates (a–j above, 1–10 on
 * the left); a row under the grids holds the placement buttons.
 */
import { BS_FLEET, BS_SIZE, bsParsePlacement, bsPlacement, bsShipCells } from "@tabula/shared/rules";
import type { Point } from "./geometry.ts";

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BattleshipLayout {
  /** Cell size, px. */
  cell: number;
  /** Top-left corner of each grid's first cell: own fleet, enemy waters. */
  own: Point;
  target: Point;
  /** Baseline of each grid's title (its top). */
  ownTitle: Point;
  targetTitle: Point;
  /** Placement buttons. */
  random: Rect;
  confirm: Rect;
  /** True when the grids are side by side. */
  wide: boolean;
}

// In cell units: the title line, the coordinates' margin, the button row and its hint line.
const TITLE = 1;
const COORDS = 0.7;
const BUTTONS = 2.5;

/** The layout for a `width` × `height` canvas (px). */
export function battleshipLayout(width: number, height: number): BattleshipLayout {
  const wide = width >= height * 1.25;
  const gridW = COORDS + BS_SIZE;
  const gridH = TITLE + COORDS + BS_SIZE;
  const cell = Math.max(
    8,
    Math.floor(
      wide
        ? Math.min(width / (2 * gridW + 1.2), height / (gridH + BUTTONS + 0.4))
        : Math.min(width / (gridW + 0.4), height / (2 * gridH + BUTTONS + 0.8)),
    ),
  );
  const gw = gridW * cell;
  const gh = gridH * cell;
  let own: Point;
  let target: Point;
  let bottom: number;
  if (wide) {
    const x0 = (width - (2 * gw + cell)) / 2;
    const y0 = (height - (gh + BUTTONS * cell)) / 2;
    own = { x: x0 + COORDS * cell, y: y0 + (TITLE + COORDS) * cell };
    target = { x: x0 + gw + cell + COORDS * cell, y: own.y };
    bottom = y0 + gh;
  } else {
    const x0 = (width - gw) / 2;
    const y0 = (height - (2 * gh + 0.4 * cell + BUTTONS * cell)) / 2;
    target = { x: x0 + COORDS * cell, y: y0 + (TITLE + COORDS) * cell };
    own = { x: target.x, y: y0 + gh + 0.4 * cell + (TITLE + COORDS) * cell };
    bottom = own.y + BS_SIZE * cell;
  }
  const titleOf = (p: Point): Point => ({ x: p.x + (BS_SIZE * cell) / 2, y: p.y - (TITLE + COORDS) * cell });
  const bw = Math.min(5 * cell, (BS_SIZE * cell) / 2 - cell / 4);
  const by = bottom + 0.4 * cell;
  const bh = 1.2 * cell;
  return {
    cell,
    own,
    target,
    ownTitle: titleOf(own),
    targetTitle: titleOf(target),
    random: { x: own.x, y: by, w: bw, h: bh },
    confirm: { x: own.x + BS_SIZE * cell - bw, y: by, w: bw, h: bh },
    wide,
  };
}

/** The cell (0..99) of grid `origin` under point (x, y), or null. */
export function cellAt(origin: Point, cell: number, x: number, y: number): number | null {
  const col = Math.floor((x - origin.x) / cell);
  const row = Math.floor((y - origin.y) / cell);
  return col >= 0 && col < BS_SIZE && row >= 0 && row < BS_SIZE ? row * BS_SIZE + col : null;
}

/** Centre of cell `index` of grid `origin`. */
export function cellCentre(origin: Point, cell: number, index: number): Point {
  return { x: origin.x + ((index % BS_SIZE) + 0.5) * cell, y: origin.y + (Math.floor(index / BS_SIZE) + 0.5) * cell };
}

export function inRect(r: Rect, x: number, y: number): boolean {
  return x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
}

// ---------------------------------------------------------------------------
// Drafting a fleet before sending it

/** A fleet being placed: each ship (in BS_FLEET order) by its first cell and direction. */
export type Draft = ReadonlyArray<{ cell: number; dir: "h" | "v" }>;

/** The draft of a placement move ("a1h,…"), or null if it is not a valid fleet. */
export function draftOf(move: string): Draft | null {
  const p = bsParsePlacement(move);
  if (!p.ok) return null;
  return p.ships.map((s) => ({ cell: s.cells[0]!, dir: s.cells.length > 1 && s.cells[1]! - s.cells[0]! === 1 ? "h" : "v" }));
}

/** The placement move of a draft. */
export function draftMove(draft: Draft): string {
  return bsPlacement(draft.map((s) => [s.cell, s.dir] as const));
}

/** The cells of ship `i` of the draft (empty if it leaves the board). */
export function draftCells(draft: Draft, i: number): number[] {
  const s = draft[i];
  return s ? (bsShipCells(s.cell, BS_FLEET[i]!, s.dir) ?? []) : [];
}

/** Index of the ship covering `cell`, or -1. */
export function shipAt(draft: Draft, cell: number): number {
  return draft.findIndex((_, i) => draftCells(draft, i).includes(cell));
}

/** The draft with ship `i` moved to start at `cell` (and turned to `dir`), or null when that is not a valid fleet. */
export function moveShip(draft: Draft, i: number, cell: number, dir: "h" | "v" = draft[i]!.dir): Draft | null {
  const next = draft.map((s, k) => (k === i ? { cell, dir } : s));
  return bsParsePlacement(draftMove(next)).ok ? next : null;
}

/** The draft with ship `i` turned about its first cell, or null when it would not fit. */
export function rotateShip(draft: Draft, i: number): Draft | null {
  const s = draft[i]!;
  return moveShip(draft, i, s.cell, s.dir === "h" ? "v" : "h");
}
