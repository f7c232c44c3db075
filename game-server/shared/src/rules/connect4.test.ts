import { describe, expect, it } from "vitest";
import { connect4 } from "./connect4.ts";
import type { Connect4State } from "./connect4.ts";
import type { Seat } from "./types.ts";

/** Plays `moves` (each a column digit) from the start, asserting every one is accepted. */
function play(moves: string, seed = "s"): Connect4State {
  let state = connect4.setup(seed);
  for (const m of moves) {
    const seat = connect4.toMove(state);
    expect(seat, `game over before ${m}`).not.toBeNull();
    const r = connect4.apply(state, m, seat as Seat);
    if (!r.ok) throw new Error(`move ${m} rejected: ${r.error.message}`);
    state = r.state;
  }
  return state;
}

/** Freezes `value` recursively so any mutation by the rules throws (ESM code is strict). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const cell = (row: number, column: number) => row * 7 + column;

// Row by row, columns in this order, fills the board with the column colours
// A A B B A A B (A = red at the bottom, B = yellow at the bottom): no line of four anywhere.
const FULL_BOARD_DRAW = "0213465".repeat(6);

describe("connect4 setup and legal moves", () => {
  it("starts empty with red (seat 0) to move and every column legal", () => {
    const s = connect4.setup("seed-1");
    expect(s.board).toHaveLength(42);
    expect(s.board.every((c) => c === -1)).toBe(true);
    expect(connect4.ply(s)).toBe(0);
    expect(connect4.toMove(s)).toBe(0);
    expect(connect4.result(s)).toBeNull();
    expect(connect4.legalMoves(s, 0)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(connect4.legalMoves(s, 1)).toEqual([]);
  });

  it("is deterministic and JSON-serialisable", () => {
    expect(connect4.setup("x")).toEqual(connect4.setup("x"));
    const s = play("3344");
    const copy = JSON.parse(JSON.stringify(s)) as Connect4State;
    expect(copy).toEqual(s);
    const r = connect4.apply(copy, "2", 0);
    expect(r.ok).toBe(true);
  });

  it("drops discs to the lowest free cell and alternates seats", () => {
    const s = play("333");
    expect(s.board[cell(0, 3)]).toBe(0);
    expect(s.board[cell(1, 3)]).toBe(1);
    expect(s.board[cell(2, 3)]).toBe(0);
    expect(connect4.toMove(s)).toBe(1);
    expect(connect4.ply(s)).toBe(3);
  });

  it("removes a full column from the legal moves", () => {
    const s = play("000000");
    expect(connect4.legalMoves(s, 0)).toEqual(["1", "2", "3", "4", "5", "6"]);
  });
});

describe("connect4 wins", () => {
  const cases: { name: string; moves: string; winner: Seat; line: number[] }[] = [
    { name: "horizontal", moves: "0011223", winner: 0, line: [0, 1, 2, 3] },
    { name: "vertical", moves: "0101010", winner: 0, line: [cell(0, 0), cell(1, 0), cell(2, 0), cell(3, 0)] },
    { name: "diagonal /", moves: "01122323363", winner: 0, line: [cell(0, 0), cell(1, 1), cell(2, 2), cell(3, 3)] },
    { name: "diagonal \\", moves: "65544343303", winner: 0, line: [cell(3, 3), cell(2, 4), cell(1, 5), cell(0, 6)] },
    { name: "vertical by yellow", moves: "01012131", winner: 1, line: [cell(0, 1), cell(1, 1), cell(2, 1), cell(3, 1)] },
  ];
  for (const c of cases) {
    it(`detects a ${c.name} four`, () => {
      const before = play(c.moves.slice(0, -1));
      expect(connect4.result(before)).toBeNull();
      const s = play(c.moves);
      expect(connect4.result(s)).toEqual({ winner: c.winner, reason: "connect-four" });
      expect(connect4.toMove(s)).toBeNull();
      expect(connect4.legalMoves(s, 0)).toEqual([]);
      expect(connect4.legalMoves(s, 1)).toEqual([]);
      expect(connect4.view(s, null).winningLine).toEqual([...c.line].sort((a, b) => a - b));
    });
  }

  it("reports every cell of a five-long run", () => {
    // Red fills the gap of 0 1 _ 3 4 on the bottom row: a run of five.
    const five = play("0011334" + "62");
    expect(connect4.result(five)).toEqual({ winner: 0, reason: "connect-four" });
    expect(connect4.view(five, 0).winningLine).toEqual([0, 1, 2, 3, 4]);
  });

  it("declares a draw on a full board without a four", () => {
    const before = play(FULL_BOARD_DRAW.slice(0, -1));
    expect(connect4.result(before)).toBeNull();
    expect(connect4.canWin(before, 0)).toBe(true);
    const s = play(FULL_BOARD_DRAW);
    expect(connect4.ply(s)).toBe(42);
    expect(connect4.result(s)).toEqual({ winner: null, reason: "board-full" });
    expect(connect4.toMove(s)).toBeNull();
    expect(connect4.canWin(s, 0)).toBe(false);
    expect(connect4.canWin(s, 1)).toBe(false);
    expect(connect4.view(s, null).winningLine).toBeUndefined();
  });
});

describe("connect4 rejects bad moves without touching the state", () => {
  function expectRejected(state: Connect4State, move: unknown, seat: Seat, code: string) {
    const snapshot = JSON.stringify(state);
    const r = connect4.apply(deepFreeze(state), move as string, seat);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toBeTruthy();
    }
    expect(JSON.stringify(state)).toBe(snapshot);
  }

  it("a full column is ILLEGAL_MOVE", () => {
    expectRejected(play("000000"), "0", 0, "ILLEGAL_MOVE");
  });

  it("out-of-range and non-numeric columns are BAD_MOVE_FORMAT", () => {
    const s = play("3");
    for (const bad of ["7", "-1", "10", "", " 3", "3 ", "03", "a", "d", "3.0", 3, null, undefined, {}, ["3"]]) {
      expectRejected(s, bad, 1, "BAD_MOVE_FORMAT");
    }
  });

  it("moving out of turn is NOT_YOUR_TURN", () => {
    expectRejected(connect4.setup("s"), "3", 1, "NOT_YOUR_TURN");
    expectRejected(play("3"), "3", 0, "NOT_YOUR_TURN");
    expectRejected(play("3"), "3", 2 as Seat, "NOT_YOUR_TURN");
  });

  it("any move after the end is GAME_OVER", () => {
    const won = play("0101010");
    expectRejected(won, "3", 1, "GAME_OVER");
    expectRejected(won, "3", 0, "GAME_OVER");
    expectRejected(play(FULL_BOARD_DRAW), "3", 0, "GAME_OVER");
  });

  it("apply never mutates its input", () => {
    const s = deepFreeze(play("3324"));
    const snapshot = JSON.stringify(s);
    const r = connect4.apply(s, "4", 0);
    expect(r.ok).toBe(true);
    expect(JSON.stringify(s)).toBe(snapshot);
    if (r.ok) {
      expect(r.state).not.toBe(s);
      expect(r.state.board).not.toBe(s.board);
      expect(r.state.moves).toEqual(["3", "3", "2", "4", "4"]);
    }
  });
});

describe("connect4 view and notation", () => {
  it("shows the same board to both seats and spectators", () => {
    const s = play("3324");
    const v = connect4.view(s, 0);
    expect(connect4.view(s, 1)).toEqual(v);
    expect(connect4.view(s, null)).toEqual(v);
    expect(v).toEqual({
      kind: "connect4",
      rows: 6,
      columns: 7,
      board: s.board,
      toMove: 0,
      ply: 4,
      result: null,
      lastMove: { column: 4, row: 0, cell: cell(0, 4) },
    });
    expect(v.board).not.toBe(s.board);
    expect(v.board[cell(1, 3)]).toBe(1);
  });

  it("has no last move at the start and points at the top disc later", () => {
    expect(connect4.view(connect4.setup("s"), null).lastMove).toBeNull();
    expect(connect4.view(play("333"), null).lastMove).toEqual({ column: 3, row: 2, cell: cell(2, 3) });
    expect(connect4.view(play("000000"), null).lastMove).toEqual({ column: 0, row: 5, cell: cell(5, 0) });
  });

  it("names each applied move by column letter and landing row", () => {
    const notation = (state: Connect4State, move: string) => {
      const r = connect4.apply(state, move, connect4.toMove(state) ?? 0);
      return r.ok ? r.notation : r.error.code;
    };
    expect(notation(connect4.setup("s"), "0")).toBe("a1");
    expect(notation(play("33"), "3")).toBe("d3");
    expect(notation(connect4.setup("s"), "6")).toBe("g1");
    expect(notation(play("000000"), "0")).toBe("ILLEGAL_MOVE");
    expect(notation(connect4.setup("s"), "9")).toBe("BAD_MOVE_FORMAT");
  });

  it("offers 1+5 (default) and 3+5", () => {
    expect(connect4.timeControls.map((t) => t.id)).toEqual(["1+5", "3+5"]);
    expect(connect4.timeControls[0]).toEqual({ id: "1+5", initialSeconds: 60, incrementSeconds: 5 });
    expect(connect4.seatNames).toEqual(["Red", "Yellow"]);
  });
});
