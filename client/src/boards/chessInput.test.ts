import { describe, expect, it } from "vitest";
import { ChessInput } from "./chessInput.ts";

const at = { x: 100, y: 100 };
const far = { x: 160, y: 100 };
const MOVES = ["e2e4", "e2e3", "g1f3", "a7a8q", "a7a8r", "a7a8b", "a7a8n"];

function input(moves = MOVES) {
  const i = new ChessInput();
  i.setLegalMoves(moves);
  return i;
}

describe("ChessInput: click, then click", () => {
  it("selects a piece that can move and shows where it may go", () => {
    const i = input();
    expect(i.down("e2", at)).toBeNull();
    expect(i.up("e2").action).toBeNull();
    expect(i.selected).toBe("e2");
    expect(i.active).toBe("e2");
    expect([...i.targets("e2")].sort()).toEqual(["e3", "e4"]);
  });

  it("plays the move on a click on a target", () => {
    const i = input();
    i.down("e2", at);
    i.up("e2");
    expect(i.down("e4", at)).toEqual({ kind: "move", move: "e2e4" });
    expect(i.selected).toBeNull();
  });

  it("a click elsewhere drops the selection; a second click on the piece deselects it", () => {
    const i = input();
    i.down("e2", at);
    i.up("e2");
    expect(i.down("h5", at)).toBeNull();
    expect(i.selected).toBeNull();
    i.down("e2", at);
    i.up("e2");
    i.down("e2", at);
    i.up("e2");
    expect(i.selected).toBeNull();
  });

  it("cannot select what cannot move, or anything off the board", () => {
    const i = input();
    i.down("e7", at);
    expect(i.selected).toBeNull();
    i.down(null, at);
    expect(i.active).toBeNull();
    expect(i.targets(null).size).toBe(0);
  });

  it("a promotion asks which piece, keeping the pawn selected", () => {
    const i = input();
    i.down("a7", at);
    i.up("a7");
    expect(i.down("a8", at)).toEqual({ kind: "promotion", from: "a7", to: "a8", choices: ["q", "r", "b", "n"] });
    expect(i.selected).toBe("a7");
  });
});

describe("ChessInput: drag and drop", () => {
  it("a drag follows the pointer past a few pixels and plays where it is dropped", () => {
    const i = input();
    i.down("g1", at);
    expect(i.drag("g1", { x: 102, y: 101 })).toEqual({ follow: false, hoverChanged: false });
    expect(i.drag("f3", far)).toEqual({ follow: true, hoverChanged: true });
    expect(i.drag("f3", { x: 161, y: 100 })).toEqual({ follow: true, hoverChanged: false });
    expect(i.hover).toBe("f3");
    expect(i.up("f3")).toEqual({ action: { kind: "move", move: "g1f3" }, returned: "g1" });
    expect(i.dragFrom).toBeNull();
  });

  it("a drop on a square it cannot reach puts the piece back, still selected", () => {
    const i = input();
    i.down("g1", at);
    i.drag("g4", far);
    expect(i.up("g4")).toEqual({ action: null, returned: "g1" });
    expect(i.selected).toBe("g1");
  });

  it("leaving the board or cancelling puts a dragged piece back", () => {
    const i = input();
    i.down("e2", at);
    expect(i.out()).toBe("e2");
    expect(i.selected).toBe("e2");
    i.down("e2", at);
    expect(i.cancel()).toBe("e2");
    expect(i.selected).toBeNull();
    expect(i.drag("e4", far)).toEqual({ follow: false, hoverChanged: false });
    expect(i.up("e4")).toEqual({ action: null, returned: null });
  });

  it("a selection the new legal moves do not allow is dropped (the turn passed)", () => {
    const i = input();
    i.down("e2", at);
    i.setLegalMoves([]);
    expect(i.selected).toBeNull();
    expect(i.dragFrom).toBeNull();
  });
});
