import { describe, expect, it } from "vitest";
import { ColumnHeights, COLUMNS, ROWS } from "./board.ts";

describe("ColumnHeights", () => {
  it("counts drops per column and ignores what names no column or overfills one", () => {
    const h = new ColumnHeights();
    for (const c of ["3", "3", "0", 6, "7", "-1", "x"]) h.drop(c);
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => h.height(c))).toEqual([1, 0, 0, 2, 0, 0, 1]);
    for (let i = 0; i < 10; i++) h.drop("3");
    expect(h.height(3)).toBe(ROWS);
  });

  it("reads a board: row 0 at the bottom, -1 empty", () => {
    const board = new Array(COLUMNS * ROWS).fill(-1);
    board[0 * 7 + 2] = 0;
    board[1 * 7 + 2] = 1;
    board[0 * 7 + 5] = 1;
    const h = new ColumnHeights();
    h.drop("0");
    h.fromBoard(board);
    expect([0, 1, 2, 3, 4, 5, 6].map((c) => h.height(c))).toEqual([0, 0, 2, 0, 0, 1, 0]);
  });

  it("picks only columns that are not full, null on a full board", () => {
    const h = new ColumnHeights();
    for (const c of [0, 1, 2, 4, 5, 6]) for (let i = 0; i < ROWS; i++) h.drop(c);
    for (const r of [0, 0.3, 0.99]) expect(h.pick(() => r)).toBe("3");
    for (let i = 0; i < ROWS; i++) h.drop(3);
    expect(h.pick()).toBeNull();
    h.reset();
    expect(h.pick(() => 0)).toBe("0");
    expect(h.pick(() => 0.999)).toBe("6");
  });
});
