import { describe, expect, it } from "vitest";
import { cellCenter, chessLayout, columnAt, connect4Layout, squareAt, squareCenter } from "./geometry.ts";

describe("chess geometry", () => {
  it("puts a1 bottom-left for white and top-right for black", () => {
    const white = chessLayout(824, 824, false);
    const black = chessLayout(824, 824, true);
    expect(white.cell).toBe(100);
    expect(squareCenter("a1", white)).toEqual({ x: 62, y: 762 });
    expect(squareCenter("a1", black)).toEqual({ x: 762, y: 62 });
    expect(squareCenter("e4", white)).toEqual({ x: 462, y: 462 });
  });
  it("hit-tests squares, both ways round", () => {
    for (const flipped of [false, true]) {
      const l = chessLayout(500, 420, flipped);
      for (const sq of ["a1", "h8", "e4", "d5", "b7"]) {
        const c = squareCenter(sq, l)!;
        expect(squareAt(c.x, c.y, l)).toBe(sq);
      }
      expect(squareAt(0, 0, l)).toBeNull();
    }
  });
});

describe("connect four geometry", () => {
  it("maps columns and cells", () => {
    const l = connect4Layout(754, 800);
    expect(l.cell).toBe(100);
    expect(columnAt(l.x0 + 5, l)).toBe(0);
    expect(columnAt(l.x0 + 6 * 100 + 99, l)).toBe(6);
    expect(columnAt(l.x0 - 1, l)).toBeNull();
    const bottom = cellCenter(0, 3, l);
    const top = cellCenter(5, 3, l);
    expect(bottom.x).toBe(top.x);
    expect(bottom.y - top.y).toBe(500);
    expect(top.y).toBeGreaterThan(l.gridTop);
    expect(columnAt(top.x, l)).toBe(3);
  });
});
