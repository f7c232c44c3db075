import { describe, expect, it } from "vitest";
import { chess, chessFromFen } from "./chess.ts";
import type { ChessState } from "./chess.ts";
import type { Seat } from "./types.ts";

const START = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";
// Standard Kiwipete (chessprogramming.org/Perft_Results, position 2).
const KIWIPETE = "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1";
// Positions 3 (en passant, pins, checks) and 4 (promotions, castling) from the same page.
const POSITION_3 = "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1";
const POSITION_4 = "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1";

/** Plays UCI `moves` (space-separated) from `state`, asserting every one is accepted. */
function play(moves: string, state: ChessState = chess.setup("s")): ChessState {
  for (const m of moves.split(/\s+/).filter(Boolean)) {
    const seat = chess.toMove(state);
    if (seat === null) throw new Error(`game over before ${m}`);
    const r = chess.apply(state, m, seat);
    if (!r.ok) throw new Error(`move ${m} rejected: ${r.error.code} ${r.error.message}`);
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

/** Perft through our interface only: legalMoves + apply, bulk-counted at the last ply. */
function perft(state: ChessState, depth: number): number {
  const seat = chess.toMove(state);
  if (seat === null) return 0;
  const moves = chess.legalMoves(state, seat);
  if (depth === 1) return moves.length;
  let nodes = 0;
  for (const m of moves) {
    const r = chess.apply(state, m, seat);
    if (!r.ok) throw new Error(`legal move ${m} rejected in ${state.fen}: ${r.error.message}`);
    nodes += perft(r.state, depth - 1);
  }
  return nodes;
}

const placement = (s: ChessState) => s.fen.split(" ")[0];
/** The piece on `square` of the state's FEN ("" when empty). */
function pieceAt(s: ChessState, square: string): string {
  const file = square.charCodeAt(0) - 97;
  const rank = Number(square[1]);
  const row = placement(s)!
    .split("/")
    [8 - rank]!.replace(/\d/g, (d) => ".".repeat(Number(d)));
  return row[file] === "." ? "" : row[file]!;
}

describe("chess perft through the interface", () => {
  it("start position: 20, 400, 8902", () => {
    const s = chess.setup("p");
    expect(perft(s, 1)).toBe(20);
    expect(perft(s, 2)).toBe(400);
    expect(perft(s, 3)).toBe(8902);
  });

  it("Kiwipete: 48, 2039", () => {
    const s = chessFromFen(KIWIPETE);
    expect(perft(s, 1)).toBe(48);
    expect(perft(s, 2)).toBe(2039);
  });

  it("position 3: 14, 191, 2812 and position 4: 6, 264", () => {
    expect(perft(chessFromFen(POSITION_3), 3)).toBe(2812);
    expect(perft(chessFromFen(POSITION_3), 1)).toBe(14);
    expect(perft(chessFromFen(POSITION_4), 1)).toBe(6);
    expect(perft(chessFromFen(POSITION_4), 2)).toBe(264);
  });
});

describe("chess setup and state", () => {
  it("starts from the standard position with white (seat 0) to move", () => {
    const s = chess.setup("seed");
    expect(s).toEqual({
      seed: "seed",
      fen: START,
      moves: [],
      positionKeys: [START.split(" ").slice(0, 4).join(" ")],
      result: null,
    });
    expect(chess.ply(s)).toBe(0);
    expect(chess.toMove(s)).toBe(0);
    expect(chess.result(s)).toBeNull();
    expect(chess.legalMoves(s, 1)).toEqual([]);
    expect(chess.legalMoves(s, 0)).toContain("e2e4");
    expect(chess.legalMoves(s, 0)).toContain("g1f3");
  });

  it("is plain JSON that survives a round trip", () => {
    const s = play("e2e4 c7c5 g1f3");
    const copy = JSON.parse(JSON.stringify(s)) as ChessState;
    expect(copy).toEqual(s);
    expect(play("d7d6", copy).moves).toEqual(["e2e4", "c7c5", "g1f3", "d7d6"]);
  });

  it("apply never mutates its input", () => {
    const s = deepFreeze(play("e2e4 e7e5"));
    const snapshot = JSON.stringify(s);
    const r = chess.apply(s, "g1f3", 0);
    expect(r.ok).toBe(true);
    expect(JSON.stringify(s)).toBe(snapshot);
    if (r.ok) {
      expect(r.state.moves).toEqual(["e2e4", "e7e5", "g1f3"]);
      expect(chess.ply(r.state)).toBe(3);
      expect(chess.toMove(r.state)).toBe(1);
    }
  });

  it("chessFromFen takes the side to move from the FEN and rejects bad FENs", () => {
    const s = chessFromFen("4k3/8/8/8/8/8/4P3/4K3 b - - 0 1");
    expect(chess.toMove(s)).toBe(1);
    expect(chess.ply(s)).toBe(0);
    expect(() => chessFromFen("not a fen")).toThrow();
    expect(() => chessFromFen("8/8/8/8/8/8/8/8 w - - 0 1")).toThrow();
  });
});

describe("chess results", () => {
  it("fool's mate: black wins by checkmate", () => {
    const s = play("f2f3 e7e5 g2g4 d8h4");
    expect(chess.result(s)).toEqual({ winner: 1, reason: "checkmate" });
    expect(chess.toMove(s)).toBeNull();
    expect(chess.legalMoves(s, 0)).toEqual([]);
    expect(chess.view(s, null).check).toBe(true);
  });

  it("scholar's mate: white wins by checkmate", () => {
    const before = play("e2e4 e7e5 f1c4 b8c6 d1h5 g8f6");
    expect(chess.result(before)).toBeNull();
    const s = play("h5f7", before);
    expect(chess.result(s)).toEqual({ winner: 0, reason: "checkmate" });
  });

  it("stalemate: Sam Loyd's ten-move stalemate", () => {
    const s = play("e2e3 a7a5 d1h5 a8a6 h5a5 h7h5 h2h4 a6h6 a5c7 f7f6 c7d7 e8f7 d7b7 d8d3 b7b8 d3h7 b8c8 f7g6 c8e6");
    expect(chess.result(s)).toEqual({ winner: null, reason: "stalemate" });
    expect(chess.view(s, null).check).toBe(false);
  });

  it("stalemate from a FEN: queen takes the last squares", () => {
    const s = play("b5b6", chessFromFen("k7/8/8/1Q6/8/8/8/7K w - - 0 1"));
    expect(chess.result(s)).toEqual({ winner: null, reason: "stalemate" });
  });

  it("threefold repetition: knights shuffling home twice", () => {
    const shuffle = "g1f3 g8f6 f3g1 f6g8";
    const twice = play(`${shuffle} ${shuffle}`.split(" ").slice(0, 7).join(" "));
    expect(chess.result(twice)).toBeNull();
    const s = play(`${shuffle} ${shuffle}`);
    expect(chess.result(s)).toEqual({ winner: null, reason: "threefold-repetition" });
  });

  it("threefold repetition: a double pawn step with no possible en-passant capture does not make a new position", () => {
    // After e2e4 no black pawn can take en passant, so the position after e4 recurs after each knight round trip.
    const moves = "e2e4 g8f6 g1f3 f6g8 f3g1 g8f6 g1f3 f6g8 f3g1".split(" ");
    expect(chess.result(play(moves.slice(0, 8).join(" ")))).toBeNull();
    expect(chess.result(play(moves.join(" ")))).toEqual({ winner: null, reason: "threefold-repetition" });
  });

  it("threefold repetition: a position with a legal en-passant capture differs from the same placement later", () => {
    const start = chessFromFen("4k3/8/8/8/3p4/8/4P3/4K3 w - - 0 1");
    const round = "e8d8 e1d1 d8e8 d1e1";
    // The placement after e4 is now seen for the third time, but the first time
    // d4xe3 en passant was possible, so it was a different position.
    const afterTwo = play(`e2e4 ${round} ${round}`, start);
    expect(afterTwo.fen.split(" ")[3]).toBe("-");
    expect(chess.result(afterTwo)).toBeNull();
    // The position after the first e8d8 is the first to occur three times.
    const s = play(`e2e4 ${round} ${round} e8d8`, start);
    expect(chess.result(s)).toEqual({ winner: null, reason: "threefold-repetition" });
    // The en-passant square is written only while the capture is possible.
    expect(play("e2e4", start).fen.split(" ")[3]).toBe("e3");
  });

  it("fifty-move rule: a quiet move at halfmove clock 99 draws", () => {
    const before = chessFromFen("8/8/8/4k3/8/8/4K3/R7 w - - 99 80");
    expect(chess.result(before)).toBeNull();
    const s = play("a1a2", before);
    expect(s.fen.split(" ")[4]).toBe("100");
    expect(chess.result(s)).toEqual({ winner: null, reason: "fifty-move-rule" });
  });

  it("fifty-move rule: checkmate on the hundredth half-move still wins, a capture resets the clock", () => {
    const mate = play("a1a8", chessFromFen("7k/8/6K1/8/8/8/8/R7 w - - 99 80"));
    expect(chess.result(mate)).toEqual({ winner: 0, reason: "checkmate" });
    const capture = play("a1a7", chessFromFen("8/r7/8/4k3/8/8/4K3/R7 w - - 99 80"));
    expect(chess.result(capture)).toBeNull();
    expect(capture.fen.split(" ")[4]).toBe("0");
  });

  it("insufficient material: capture down to K v K and to K+B v K", () => {
    const kk = play("e2d2", chessFromFen("8/8/8/4k3/8/8/3rK3/8 w - - 0 1"));
    expect(chess.result(kk)).toEqual({ winner: null, reason: "insufficient-material" });
    const kbk = play("e1c3", chessFromFen("8/8/8/4k3/8/2r5/8/K3B3 w - - 0 1"));
    expect(chess.result(kbk)).toEqual({ winner: null, reason: "insufficient-material" });
    expect(chess.result(chessFromFen("8/8/8/4k3/8/8/8/4K3 w - - 0 1"))).toEqual({
      winner: null,
      reason: "insufficient-material",
    });
  });

  it("any move after the end is GAME_OVER", () => {
    const s = deepFreeze(play("f2f3 e7e5 g2g4 d8h4"));
    const r = chess.apply(s, "e2e4", 0);
    expect(r).toEqual({ ok: false, error: { code: "GAME_OVER", message: expect.any(String) } });
  });
});

describe("chess special moves", () => {
  const CASTLE = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1";

  it("castles both sides when allowed", () => {
    const s = chessFromFen(CASTLE);
    expect(chess.legalMoves(s, 0)).toEqual(expect.arrayContaining(["e1g1", "e1c1"]));
    const short = play("e1g1", s);
    expect(pieceAt(short, "g1")).toBe("K");
    expect(pieceAt(short, "f1")).toBe("R");
    expect(pieceAt(short, "h1")).toBe("");
    expect(short.fen.split(" ")[2]).toBe("kq");
    const long = play("e1c1", s);
    expect(pieceAt(long, "c1")).toBe("K");
    expect(pieceAt(long, "d1")).toBe("R");
    expect(pieceAt(long, "a1")).toBe("");
    const black = play("e1g1 e8c8", s);
    expect(pieceAt(black, "c8")).toBe("k");
    expect(pieceAt(black, "d8")).toBe("r");
    expect(black.fen.split(" ")[2]).toBe("-");
  });

  it("does not castle through, out of or into check, nor after the king moved", () => {
    const throughF1 = chessFromFen("r3k2r/8/8/8/2b5/8/8/R3K2R w KQkq - 0 1");
    expect(chess.legalMoves(throughF1, 0)).not.toContain("e1g1");
    expect(chess.legalMoves(throughF1, 0)).toContain("e1c1");
    expect(chess.apply(throughF1, "e1g1", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    const inCheck = chessFromFen("r3k2r/8/8/8/8/8/4r3/R3K2R w KQkq - 0 1");
    expect(chess.legalMoves(inCheck, 0)).not.toContain("e1g1");
    expect(chess.legalMoves(inCheck, 0)).not.toContain("e1c1");
    const intoG1 = chessFromFen("r3k2r/8/8/8/8/8/6r1/R3K2R w KQkq - 0 1");
    expect(chess.legalMoves(intoG1, 0)).not.toContain("e1g1");
    expect(chess.legalMoves(intoG1, 0)).toContain("e1c1");
    // b1 attacked does not stop the long castle (only the king's path matters).
    const b1 = chessFromFen("1r2k2r/8/8/8/8/8/8/R3K2R w KQk - 0 1");
    expect(chess.legalMoves(b1, 0)).toContain("e1c1");
    const moved = play("e1f1 e8f8 f1e1 f8e8", chessFromFen(CASTLE));
    expect(chess.legalMoves(moved, 0)).not.toContain("e1g1");
    expect(chess.legalMoves(moved, 0)).not.toContain("e1c1");
  });

  it("en passant is legal right after the double step and removes the captured pawn", () => {
    const s = play("e2e4 a7a6 e4e5 d7d5");
    expect(s.fen.split(" ")[3]).toBe("d6");
    expect(chess.legalMoves(s, 0)).toContain("e5d6");
    expect(chess.apply(s, "e5d6", 0)).toMatchObject({ ok: true, notation: "exd6" });
    const after = play("e5d6", s);
    expect(pieceAt(after, "d6")).toBe("P");
    expect(pieceAt(after, "d5")).toBe("");
    expect(pieceAt(after, "e5")).toBe("");
    // One move later the right is gone.
    const late = play("h2h3 h7h6", s);
    expect(chess.legalMoves(late, 0)).not.toContain("e5d6");
  });

  it("promotes to each of queen, rook, bishop and knight", () => {
    const s = chessFromFen("1n5k/P7/8/8/8/8/8/K7 w - - 0 1");
    const legal = chess.legalMoves(s, 0);
    for (const p of ["q", "r", "b", "n"]) {
      expect(legal).toContain(`a7a8${p}`);
      expect(legal).toContain(`a7b8${p}`);
      expect(pieceAt(play(`a7a8${p}`, s), "a8")).toBe(p.toUpperCase());
      expect(pieceAt(play(`a7b8${p}`, s), "b8")).toBe(p.toUpperCase());
    }
    expect(legal).not.toContain("a7a8");
    const black = play("a2a1n", chessFromFen("7k/8/8/8/8/8/p7/7K b - - 0 1"));
    expect(pieceAt(black, "a1")).toBe("n");
  });

  it("requires the promotion letter exactly when promoting", () => {
    const s = deepFreeze(chessFromFen("1n5k/P7/8/8/8/8/8/K7 w - - 0 1"));
    expect(chess.apply(s, "a7a8", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(chess.apply(s, "a7a8k", 0)).toMatchObject({ ok: false, error: { code: "BAD_MOVE_FORMAT" } });
    expect(chess.apply(chess.setup("s"), "e2e4q", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
  });
});

describe("chess rejects bad moves without touching the state", () => {
  function expectRejected(state: ChessState, move: unknown, seat: Seat, code: string) {
    const snapshot = JSON.stringify(state);
    const r = chess.apply(deepFreeze(state), move as string, seat);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toBeTruthy();
    }
    expect(JSON.stringify(state)).toBe(snapshot);
  }

  it("garbage is BAD_MOVE_FORMAT", () => {
    const s = chess.setup("s");
    for (const bad of [
      "",
      "e2",
      "e2e",
      "e2e4e5",
      "E2E4",
      "e2-e4",
      "Nf3",
      "e4",
      "0000",
      "O-O",
      "e2e4 ",
      "i2i4",
      "e0e4",
      "e9e4",
      42,
      null,
      undefined,
      {},
    ]) {
      expectRejected(s, bad, 0, "BAD_MOVE_FORMAT");
    }
  });

  it("well-formed but illegal moves are ILLEGAL_MOVE", () => {
    const s = chess.setup("s");
    for (const bad of ["e2e5", "e1e2", "e7e5", "e3e4", "g1g3", "a1a3", "e2e2"]) expectRejected(s, bad, 0, "ILLEGAL_MOVE");
    // Moving a pinned piece.
    expectRejected(chessFromFen("4k3/4r3/8/8/8/8/4N3/4K3 w - - 0 1"), "e2c3", 0, "ILLEGAL_MOVE");
  });

  it("moving out of turn is NOT_YOUR_TURN", () => {
    expectRejected(chess.setup("s"), "e7e5", 1, "NOT_YOUR_TURN");
    expectRejected(play("e2e4"), "d2d4", 0, "NOT_YOUR_TURN");
    expectRejected(chess.setup("s"), "e2e4", 3 as Seat, "NOT_YOUR_TURN");
  });
});

describe("chess canWin", () => {
  const cases: [string, Seat, boolean][] = [
    [START, 0, true],
    [START, 1, true],
    ["4k3/8/8/8/8/8/8/3QK3 w - - 0 1", 0, true],
    ["4k3/8/8/8/8/8/8/3QK3 w - - 0 1", 1, false], // lone king
    ["4k3/8/8/8/8/8/8/3NK3 b - - 0 1", 0, false], // king + knight
    ["4k3/8/8/8/8/8/8/3BK3 b - - 0 1", 0, false], // king + bishop
    ["4k3/8/8/8/8/8/4P3/4K3 b - - 0 1", 0, true], // a pawn may promote
    ["4k3/8/8/8/8/8/8/2NNK3 b - - 0 1", 0, true], // two knights: a helpmate exists
    ["4k3/8/8/8/8/8/8/2BNK3 b - - 0 1", 0, true],
    ["4k3/8/8/8/8/8/8/3RK3 b - - 0 1", 0, true],
    ["3nk3/8/8/8/8/8/8/3RK3 w - - 0 1", 1, false],
  ];
  for (const [fen, seat, expected] of cases) {
    it(`${fen} seat ${seat}: ${expected}`, () => {
      expect(chess.canWin(chessFromFen(fen), seat)).toBe(expected);
    });
  }
});

describe("chess view and notation", () => {
  it("shows the position, last move, check flag and history to everyone", () => {
    const s = play("e2e4 f7f6 d1h5");
    const v = chess.view(s, 1);
    expect(chess.view(s, 0)).toEqual(v);
    expect(chess.view(s, null)).toEqual(v);
    expect(v).toEqual({
      kind: "chess",
      fen: s.fen,
      toMove: 1,
      ply: 3,
      result: null,
      lastMove: { from: "d1", to: "h5" },
      check: true,
      moves: ["e2e4", "f7f6", "d1h5"],
    });
    expect(chess.view(chess.setup("s"), null)).toMatchObject({ lastMove: null, check: false, moves: [], ply: 0, toMove: 0 });
  });

  it("names each applied move in SAN", () => {
    const san = (state: ChessState, move: string) => {
      const r = chess.apply(state, move, chess.toMove(state) ?? 0);
      return r.ok ? r.notation : r.error.code;
    };
    const start = chess.setup("s");
    expect(san(start, "g1f3")).toBe("Nf3");
    expect(san(start, "e2e4")).toBe("e4");
    expect(san(play("f2f3 e7e5 g2g4"), "d8h4")).toBe("Qh4#");
    expect(san(play("e2e4 f7f6"), "d1h5")).toBe("Qh5+");
    expect(san(chessFromFen("r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"), "e1g1")).toBe("O-O");
    expect(san(chessFromFen("r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1"), "e8c8")).toBe("O-O-O");
    expect(san(chessFromFen("7k/P7/8/8/8/8/8/K7 w - - 0 1"), "a7a8q")).toBe("a8=Q+");
    expect(san(chessFromFen("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1"), "b1d2")).toBe("Nbd2");
    expect(san(play("e2e4 d7d5"), "e4d5")).toBe("exd5");
    expect(san(start, "e2e5")).toBe("ILLEGAL_MOVE");
  });

  it("offers 3+2 (default), 5+3, 10+0 and 1+0", () => {
    expect(chess.timeControls.map((t) => t.id)).toEqual(["3+2", "5+3", "10+0", "1+0"]);
    expect(chess.timeControls[0]).toEqual({ id: "3+2", initialSeconds: 180, incrementSeconds: 2 });
    expect(chess.seatNames).toEqual(["White", "Black"]);
  });
});
