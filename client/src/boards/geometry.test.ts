import { describe, expect, it } from "vitest";
import {
  C4_FRAME,
  cellCenter,
  chessCoordinates,
  chessLayout,
  columnAt,
  connect4Labels,
  connect4Layout,
  squareAt,
  squareCenter,
  squareOrigin,
} from "./geometry.ts";

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
    const l = connect4Layout(790, 812);
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

describe("board size", () => {
  it("runs a phone's board almost edge to edge and keeps a desktop's margin", () => {
    expect(chessLayout(390, 390, false).cell * 8).toBeGreaterThanOrEqual(376);
    expect(chessLayout(940, 748, false).y0).toBeGreaterThanOrEqual(11);
    const c4 = connect4Layout(390, 390);
    expect(c4.cell).toBeGreaterThanOrEqual(47);
  });
});

describe("coordinates", () => {
  it("chess: files along the bottom and ranks up the left, whichever side is at the bottom", () => {
    const white = chessCoordinates(false);
    expect(white.filter((c) => c.corner === "bottom-right").map((c) => c.square)).toEqual(
      "abcdefgh".split("").map((f) => `${f}1`),
    );
    expect(white.filter((c) => c.corner === "top-left").map((c) => c.text)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    const black = chessCoordinates(true);
    expect(black.filter((c) => c.corner === "bottom-right").map((c) => c.text)).toEqual("hgfedcba".split(""));
    expect(black.filter((c) => c.corner === "bottom-right").every((c) => c.square.endsWith("8"))).toBe(true);
    expect(black.filter((c) => c.corner === "top-left").map((c) => c.square)).toEqual([
      "h8",
      "h7",
      "h6",
      "h5",
      "h4",
      "h3",
      "h2",
      "h1",
    ]);
    // Drawn where they say: the bottom row and the left column of the board as shown.
    for (const flipped of [false, true]) {
      const l = chessLayout(400, 400, flipped);
      for (const c of chessCoordinates(flipped)) {
        const o = squareOrigin(c.square, l)!;
        if (c.corner === "bottom-right") expect(o.y).toBe(l.y0 + 7 * l.cell);
        else expect(o.x).toBe(l.x0);
      }
    }
  });

  it("connect four: a–g under the columns, 1–6 up the left side, inside the canvas at every size", () => {
    for (const [w, h] of [
      [390, 390],
      [504, 350],
      [940, 748],
      [300, 600],
    ] as const) {
      const l = connect4Layout(w, h);
      const labels = connect4Labels(l);
      const letters = labels.filter((x) => /[a-z]/.test(x.text));
      const numbers = labels.filter((x) => /\d/.test(x.text));
      expect(letters.map((x) => x.text)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
      expect(numbers.map((x) => x.text)).toEqual(["1", "2", "3", "4", "5", "6"]);
      const gridBottom = l.gridTop + l.rows * l.cell;
      letters.forEach((x, col) => {
        expect(x.x).toBe(cellCenter(0, col, l).x);
        expect(x.y).toBeGreaterThan(gridBottom + l.cell * C4_FRAME);
      });
      numbers.forEach((x, row) => {
        expect(x.y).toBe(cellCenter(row, 0, l).y);
        expect(x.x).toBeLessThan(l.x0 - l.cell * C4_FRAME);
      });
      // Half a label's size inside the canvas on every side.
      const half = l.cell * 0.15;
      for (const x of labels) {
        expect(x.x - half).toBeGreaterThanOrEqual(0);
        expect(x.x + half).toBeLessThanOrEqual(w);
        expect(x.y - half).toBeGreaterThanOrEqual(0);
        expect(x.y + half).toBeLessThanOrEqual(h);
      }
      // The grid's right frame stays inside too.
      expect(l.x0 + l.columns * l.cell + l.cell * C4_FRAME).toBeLessThanOrEqual(w);
    }
  });
});
