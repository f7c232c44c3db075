import { BS_SIZE, bsParsePlacement } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import {
  battleshipLayout,
  cellAt,
  cellCentre,
  draftMove,
  draftOf,
  inRect,
  moveShip,
  rotateShip,
  shipAt,
} from "./battleshipLayout.ts";

const FLEET = "a1h,a3v,c3h,j1v,g9h";

describe("battleship layout", () => {
  it("puts the grids side by side on a wide canvas and stacked on a tall one, inside the canvas", () => {
    for (const [w, h, wide] of [
      [1000, 600, true],
      [390, 600, false],
    ] as const) {
      const l = battleshipLayout(w, h);
      expect(l.wide).toBe(wide);
      for (const o of [l.own, l.target]) {
        expect(o.x).toBeGreaterThanOrEqual(0);
        expect(o.y).toBeGreaterThanOrEqual(0);
        expect(o.x + BS_SIZE * l.cell).toBeLessThanOrEqual(w);
        expect(o.y + BS_SIZE * l.cell).toBeLessThanOrEqual(h);
      }
      expect(l.confirm.y + l.confirm.h).toBeLessThanOrEqual(h);
      // The grids and the buttons do not overlap.
      expect(inRect(l.random, l.confirm.x + 1, l.confirm.y + 1)).toBe(false);
      expect(cellAt(l.own, l.cell, l.random.x + 1, l.random.y + 1)).toBeNull();
      expect(cellAt(l.target, l.cell, l.own.x + 1, l.own.y + 1)).toBeNull();
    }
  });

  it("finds the cell under a point and the centre of a cell, both ways", () => {
    const l = battleshipLayout(1000, 600);
    for (const cell of [0, 9, 41, 90, 99]) {
      const c = cellCentre(l.target, l.cell, cell);
      expect(cellAt(l.target, l.cell, c.x, c.y)).toBe(cell);
    }
    expect(cellAt(l.target, l.cell, l.target.x - 1, l.target.y)).toBeNull();
  });
});

describe("drafting a fleet", () => {
  it("round-trips a placement move", () => {
    expect(draftMove(draftOf(FLEET)!)).toBe(FLEET);
    expect(draftOf("a1h")).toBeNull();
  });

  it("moves and turns ships only where the fleet stays valid", () => {
    const d = draftOf(FLEET)!;
    expect(shipAt(d, 2)).toBe(0); // c1 is on the carrier a1–e1
    expect(shipAt(d, 99)).toBe(-1);
    // The destroyer g9–h9 moves to a10–b10; onto the carrier it may not.
    expect(draftMove(moveShip(d, 4, 90)!)).toBe("a1h,a3v,c3h,j1v,a10h");
    expect(moveShip(d, 4, 1)).toBeNull();
    // The battleship a3 turned rightwards would cross the cruiser at c3; the destroyer turns freely.
    expect(rotateShip(d, 1)).toBeNull();
    const turned = rotateShip(d, 4)!;
    expect(draftMove(turned)).toBe("a1h,a3v,c3h,j1v,g9v");
    expect(bsParsePlacement(draftMove(turned)).ok).toBe(true);
  });
});
