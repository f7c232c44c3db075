import { describe, expect, it } from "vitest";
import { chooseBotMove } from "./bot.ts";
import { chess, chessFromFen } from "./chess.ts";
import type { ChessState } from "./chess.ts";
import { connect4 } from "./connect4.ts";
import type { Connect4State } from "./connect4.ts";
import { createRng } from "./rng.ts";
import type { GameDefinition, GameResult, Seat } from "./types.ts";

const SEEDS = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Plays bot against bot from `def.setup(seed)`, checking each bot move is legal. */
function botGame<S>(def: GameDefinition<S>, seed: string, cap: number): { result: GameResult | null; plies: number } {
  let state = def.setup(seed);
  for (let ply = 0; ply < cap; ply++) {
    const seat = def.toMove(state);
    if (seat === null) return { result: def.result(state), plies: ply };
    const move = chooseBotMove(def, state, seat, createRng(`${seed}:${ply}`));
    expect(def.legalMoves(state, seat)).toContain(move);
    const r = def.apply(state, move, seat);
    if (!r.ok) throw new Error(`bot move ${move} rejected: ${r.error.message}`);
    state = r.state;
  }
  return { result: def.result(state), plies: cap };
}

function c4(moves: string): Connect4State {
  let s = connect4.setup("t");
  for (const m of moves) {
    const r = connect4.apply(s, m, connect4.toMove(s)!);
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
  }
  return s;
}

function chessAfter(moves: string, state: ChessState = chess.setup("t")): ChessState {
  for (const m of moves.split(" ").filter(Boolean)) {
    const r = chess.apply(state, m, chess.toMove(state)!);
    if (!r.ok) throw new Error(r.error.message);
    state = r.state;
  }
  return state;
}

/** Every move the bot picks for `seat` over many RNG seeds. */
function botChoices<S>(def: GameDefinition<S>, state: S, seat: Seat, n = 30): Set<string> {
  return new Set(SEEDS(n, "choice").map((seed) => chooseBotMove(def, state, seat, createRng(seed))));
}

describe("connect4 bot", () => {
  it("plays legal moves to a result in bot-vs-bot games", () => {
    const reasons = new Set<string>();
    for (const seed of SEEDS(60, "c4")) {
      const { result, plies } = botGame(connect4, seed, 42);
      expect(result, seed).not.toBeNull();
      expect(plies).toBeLessThanOrEqual(42);
      reasons.add(result!.reason);
    }
    expect(reasons.has("connect-four")).toBe(true);
  });

  it("takes an immediate win, even over blocking", () => {
    // Red has 0 1 2 on the bottom row; yellow has three stacked in column 6.
    expect(botChoices(connect4, c4("061626"), 0)).toEqual(new Set(["3"]));
  });

  it("blocks the opponent's immediate win", () => {
    // Red has 0 1 2 on the bottom row.
    expect(botChoices(connect4, c4("06162"), 1)).toEqual(new Set(["3"]));
    // Yellow has three stacked in column 4.
    expect(botChoices(connect4, c4("041404"), 0)).toEqual(new Set(["4"]));
  });

  it("does not play under the opponent's winning cell", () => {
    // Yellow owns cells 0-2 of row 1; a red disc in column 3 would let yellow win on top of it.
    const s = c4("01205162");
    expect(connect4.toMove(s)).toBe(0);
    const choices = botChoices(connect4, s, 0, 60);
    expect(choices.has("3")).toBe(false);
    expect(choices.size).toBeGreaterThan(1);
  });

  it("is deterministic for a given RNG seed and refuses when it cannot move", () => {
    const s = c4("33");
    expect(chooseBotMove(connect4, s, 0, createRng("k"))).toBe(chooseBotMove(connect4, s, 0, createRng("k")));
    expect(() => chooseBotMove(connect4, s, 1, createRng("k"))).toThrow();
  });
});

describe("chess bot", () => {
  // Three whole games of several hundred plies each: seconds of CPU on a loaded 2-core machine, and
  // ~4x more under V8 coverage (`npm test`).
  it("plays legal moves to a result in bot-vs-bot games", { timeout: 120_000 }, () => {
    for (const seed of SEEDS(3, "chess")) {
      const { result, plies } = botGame(chess, seed, 800);
      expect(result, `${seed} after ${plies} plies`).not.toBeNull();
    }
  });

  it("mates in one when it can", () => {
    // Scholar's mate for white.
    expect(botChoices(chess, chessAfter("e2e4 e7e5 f1c4 b8c6 d1h5 g8f6"), 0)).toEqual(new Set(["h5f7"]));
    // Back-rank mate for black.
    expect(botChoices(chess, chessFromFen("6k1/8/8/8/8/8/r4PPP/6K1 b - - 0 1"), 1)).toEqual(new Set(["a2a1"]));
    // Fool's mate for black.
    expect(botChoices(chess, chessAfter("f2f3 e7e5 g2g4"), 1)).toEqual(new Set(["d8h4"]));
  });

  it("takes a free queen and does not trade its queen for a defended pawn", () => {
    expect(botChoices(chess, chessFromFen("4k3/8/8/3q4/4P3/8/8/4K3 w - - 0 1"), 0)).toEqual(new Set(["e4d5"]));
    const defended = botChoices(chess, chessFromFen("4k3/2p5/3p4/8/8/8/3Q4/4K3 w - - 0 1"), 0);
    expect(defended.has("d2d6")).toBe(false);
  });

  it("moves an attacked queen out of danger", () => {
    // The queen on e4 is attacked by the pawn on f5 and no capture wins anything back.
    const choices = botChoices(chess, chessFromFen("4k3/8/8/5p2/4Q3/8/8/4K3 w - - 0 1"), 0);
    for (const m of choices) expect(m.startsWith("e4")).toBe(true);
  });

  it("avoids allowing mate in one", () => {
    // Black threatens Ra1#: white must make luft or step off the back rank.
    const s = chessFromFen("r5k1/5ppp/8/8/8/8/5PPP/6K1 w - - 0 1");
    for (const m of botChoices(chess, s, 0)) expect(["f2f3", "f2f4", "g2g3", "g2g4", "h2h3", "h2h4", "g1f1"]).toContain(m);
  });

  it("promotes to a queen", () => {
    expect(botChoices(chess, chessFromFen("8/P6k/8/8/8/8/8/K7 w - - 0 1"), 0)).toEqual(new Set(["a7a8q"]));
  });

  it("is deterministic for a given RNG seed and refuses when it cannot move", () => {
    const s = chess.setup("t");
    expect(chooseBotMove(chess, s, 0, createRng("k"))).toBe(chooseBotMove(chess, s, 0, createRng("k")));
    expect(() => chooseBotMove(chess, s, 1, createRng("k"))).toThrow();
  });
});
