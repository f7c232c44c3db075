import { describe, expect, it } from "vitest";
import { connect4, type Connect4State } from "./connect4.ts";
import { C4_WIN_FLOOR, c4LevelMove, c4Search } from "./connect4Solver.ts";
import { createRng } from "./rng.ts";

function c4(moves: string): Connect4State {
  let s = connect4.setup("t");
  for (const m of moves) {
    const r = connect4.apply(s, m, connect4.toMove(s)!);
    if (!r.ok) throw new Error(`${moves}: ${r.error.message}`);
    s = r.state;
  }
  return s;
}

/** The game-theoretic value for the side to move (1 win, 0 draw, -1 loss), by plain exhaustive negamax. */
function bruteForce(s: Connect4State): number {
  const seat = connect4.toMove(s);
  if (seat === null) return s.result?.winner === null ? 0 : -1; // the previous mover won (or the board is full)
  let best = -1;
  for (const m of connect4.legalMoves(s, seat)) {
    const r = connect4.apply(s, m, seat);
    if (!r.ok) throw new Error(r.error.message);
    const v = r.state.result?.winner === seat ? 1 : -bruteForce(r.state);
    if (v > best) best = v;
    if (best === 1) break;
  }
  return best;
}

const sign = (score: number) => (score >= C4_WIN_FLOOR ? 1 : score <= -C4_WIN_FLOOR ? -1 : score === 0 ? 0 : Number.NaN);

describe("connect4 solver", () => {
  it("takes a win in one, and blocks the opponent's", () => {
    // Red has d1 e1 f1: c1 or g1 wins.
    const win = c4Search(c4("304050").board);
    expect([2, 6]).toContain(win.column);
    expect(win.exact).toBe(true);
    // Red b1 c1 d1, yellow a1 g1: yellow to move must take e1.
    expect(c4Search(c4("10263").board).column).toBe(4);
  });

  it("sees a double threat as a proven loss for the side that faces it", () => {
    // Red c1 d1 e1 with b1 and f1 both empty: yellow to move has lost.
    const r = c4Search(c4("26364").board);
    expect(r.exact).toBe(true);
    expect(r.score).toBeLessThanOrEqual(-C4_WIN_FLOOR);
  });

  it("agrees with exhaustive search on every position of random games with up to 9 empty cells", () => {
    let checked = 0;
    // Random games often end early: take the first 25 that reach 9 empty cells undecided.
    for (let g = 0; g < 1000 && checked < 25; g++) {
      const rng = createRng(`solver-${g}`);
      let s = connect4.setup("t");
      while (!s.result && s.moves.length < 33) {
        const moves = connect4.legalMoves(s, connect4.toMove(s)!);
        const r = connect4.apply(s, moves[rng.int(moves.length)]!, connect4.toMove(s)!);
        if (!r.ok) throw new Error(r.error.message);
        s = r.state;
      }
      if (s.result) continue;
      const r = c4Search(s.board, { nodeBudget: 5_000_000 });
      expect(r.exact, s.moves.join("")).toBe(true);
      expect(sign(r.score), s.moves.join("")).toBe(bruteForce(s));
      // The chosen move keeps that value.
      const after = connect4.apply(s, String(r.column), connect4.toMove(s)!);
      if (!after.ok) throw new Error(after.error.message);
      const kept = after.state.result ? (after.state.result.winner === null ? 0 : 1) : -bruteForce(after.state);
      expect(kept, s.moves.join("")).toBe(bruteForce(s));
      checked++;
    }
    expect(checked).toBe(25);
  });

  it("opens in the centre (the only winning first move) and stays within its node budget", () => {
    expect(c4Search(c4("").board).column).toBe(3);
    const r = c4Search(c4("3").board, { nodeBudget: 50_000 });
    expect(r.column).toBe(3);
    expect(r.nodes).toBeLessThanOrEqual(50_001);
    expect(r.depth).toBeGreaterThanOrEqual(6);
  });

  it("is deterministic: the same position and budget give the same move", () => {
    const s = c4("33224");
    expect(c4Search(s.board, { nodeBudget: 30_000 })).toEqual(c4Search(s.board, { nodeBudget: 30_000 }));
    expect(c4LevelMove(s, "medium", createRng("x")).column).toBe(c4LevelMove(s, "medium", createRng("x")).column);
  });

  it("medium never misses a win in one nor walks into a loss in one it can avoid", () => {
    for (let i = 0; i < 10; i++) {
      expect([2, 6]).toContain(c4LevelMove(c4("304050"), "medium", createRng(`m${i}`)).column);
      expect(c4LevelMove(c4("10263"), "medium", createRng(`m${i}`)).column).toBe(4);
    }
  });

  it("refuses a full board", () => {
    expect(() => c4Search(new Array(42).fill(0).map((_, i) => (Math.floor(i / 7) + ((i % 7) >> 1)) % 2))).toThrow(/full/);
  });
});
