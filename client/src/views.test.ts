import { describe, expect, it } from "vitest";
import {
  cellIndex,
  glyphOf,
  isChessView,
  isConnect4View,
  kingSquare,
  lastMoveCell,
  pieceSeat,
  squareName,
  movesBetween,
  movesByOrigin,
  parseFenBoard,
  parseSquare,
} from "./views.ts";
import type { Connect4View } from "./views.ts";

describe("chess helpers", () => {
  it("reads a FEN's placement", () => {
    const b = parseFenBoard("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
    expect(b.get("e4")).toBe("P");
    expect(b.get("e2")).toBeUndefined();
    expect(b.get("d8")).toBe("q");
    expect(b.size).toBe(32);
    expect(kingSquare(b, 0)).toBe("e1");
    expect(kingSquare(b, 1)).toBe("e8");
  });
  it("parses squares and groups moves", () => {
    expect(parseSquare("a1")).toEqual({ file: 0, rank: 0 });
    expect(parseSquare("h8")).toEqual({ file: 7, rank: 7 });
    expect(parseSquare("i9")).toBeNull();
    const moves = ["e7e8q", "e7e8r", "e7e8b", "e7e8n", "a2a3"];
    expect(movesByOrigin(moves).get("e7")).toHaveLength(4);
    expect(movesBetween(moves, "e7", "e8")).toHaveLength(4);
    expect(movesBetween(moves, "a2", "a3")).toEqual(["a2a3"]);
  });
});

describe("connect four helpers", () => {
  const board = new Array<number>(42).fill(-1);
  board[3] = 0;
  board[10] = 1;
  const view: Connect4View = {
    kind: "connect4",
    rows: 6,
    columns: 7,
    board,
    toMove: 0,
    ply: 2,
    result: null,
    lastMove: { column: 3, row: 1, cell: 10 },
  };
  it("finds cells and the last disc", () => {
    expect(cellIndex(view, 1, 3)).toBe(10);
    expect(lastMoveCell(view)).toBe(10);
    expect(lastMoveCell({ ...view, lastMove: null })).toBeNull();
  });
});

describe("view guards and glyphs", () => {
  it("tells the games' views apart, and rejects anything else", () => {
    expect(isConnect4View({ kind: "connect4" })).toBe(true);
    expect(isChessView({ kind: "chess" })).toBe(true);
    for (const v of [null, undefined, 3, "chess", { kind: "go" }]) {
      expect(isConnect4View(v)).toBe(false);
      expect(isChessView(v)).toBe(false);
    }
  });
  it("names squares, colours pieces and draws glyphs in text presentation", () => {
    expect(squareName(4, 3)).toBe("e4");
    expect([pieceSeat("Q"), pieceSeat("q")]).toEqual([0, 1]);
    expect(glyphOf("N")).toBe("\u265E\uFE0E");
    expect(glyphOf("n")).toBe(glyphOf("N"));
    expect(glyphOf("x")).toBe("?");
    expect(kingSquare(new Map(), 0)).toBeNull();
  });
});
