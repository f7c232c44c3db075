import { chess as chessRules, replay } from "@tabula/shared/rules";
import { Chess } from "chess.js";
import { describe, expect, it } from "vitest";
import { connect4MoveList, exportMoves, fromRecord, fromSnapshot, pgnResult, pgnTimeControl, toPgn } from "./moveExport.ts";
import { gameRecord, snapshot } from "./testing/fixtures.ts";

/** Morphy – Duke Karl / Count Isouard, Paris 1858 ("the Opera Game"), as UCI. */
const OPERA_UCI =
  "e2e4 e7e5 g1f3 d7d6 d2d4 c8g4 d4e5 g4f3 d1f3 d6e5 f1c4 g8f6 f3b3 d8e7 b1c3 c7c6 c1g5 b7b5 c3b5 c6b5 c4b5 b8d7 e1c1 a8d8 d1d7 d8d7 h1d1 e7e6 b5d7 f6d7 b3b8 d7b8 d1d8".split(
    " ",
  );
const OPERA_SAN =
  "e4 e5 Nf3 d6 d4 Bg4 dxe5 Bxf3 Qxf3 dxe5 Bc4 Nf6 Qb3 Qe7 Nc3 c6 Bg5 b5 Nxb5 cxb5 Bxb5+ Nbd7 O-O-O Rd8 Rxd7 Rxd7 Rd1 Qe6 Bxd7+ Nxd7 Qb8+ Nxb8 Rd8#".split(
    " ",
  );

/** The game's move records as the server logs them: the notation is the shared rules'. */
function records(uci: readonly string[]) {
  let state = chessRules.setup("seed");
  return uci.map((move, ply) => {
    const r = chessRules.apply(state, move, (ply % 2) as 0 | 1);
    if (!r.ok) throw new Error(`${move}: ${r.error.message}`);
    state = r.state;
    return { san: r.notation, at: Date.UTC(2026, 11, 2, 1, 0, ply) };
  });
}

const OPERA = {
  gameId: "g42",
  kind: "chess" as const,
  timeControl: "3+2",
  rated: false,
  players: [{ name: "Paul Morphy" }, { name: "Duke Karl" }] as const,
  status: "finished" as const,
  result: { winner: 0 as const, reason: "checkmate" as const },
  moves: records(OPERA_UCI),
};

describe("PGN export", () => {
  it("a known game's PGN parses back with chess.js: the same moves, tags and result", () => {
    expect(replay(chessRules, "seed", OPERA_UCI).ok).toBe(true);
    const pgn = toPgn(OPERA, "https://tabula.example");
    const parsed = new Chess();
    parsed.loadPgn(pgn);
    expect(parsed.history()).toEqual(OPERA_SAN);
    expect(parsed.isCheckmate()).toBe(true);
    expect(parsed.getHeaders()).toMatchObject({
      Event: "Casual game",
      Site: "https://tabula.example/?watch=g42",
      Date: "2026.12.02",
      White: "Paul Morphy",
      Black: "Duke Karl",
      Result: "1-0",
      TimeControl: "180+2",
      Termination: "normal",
    });
    expect(pgn.trimEnd().endsWith("17. Rd8# 1-0")).toBe(true);
    for (const line of pgn.split("\n")) expect(line.length).toBeLessThan(80);
  });

  it("results, time controls and an unfinished game", () => {
    expect(pgnResult("finished", { winner: 1, reason: "resign" })).toBe("0-1");
    expect(pgnResult("finished", { winner: null, reason: "agreement" })).toBe("1/2-1/2");
    expect(pgnResult("aborted", { winner: null, reason: "aborted" })).toBe("*");
    expect(pgnResult("active", null)).toBe("*");
    expect(pgnTimeControl("10+0")).toBe("600+0");
    expect(pgnTimeControl("odd")).toBe("-");
    const live = { ...OPERA, status: "active" as const, result: null, moves: OPERA.moves.slice(0, 3) };
    const pgn = toPgn(live, "https://x");
    expect(pgn).toContain('[Result "*"]');
    expect(pgn).toContain('[Termination "unterminated"]');
    expect(pgn.trimEnd().endsWith("1. e4 e5 2. Nf3 *")).toBe(true);
    const parsed = new Chess();
    parsed.loadPgn(pgn);
    expect(parsed.history()).toEqual(["e4", "e5", "Nf3"]);
  });

  it("a live game's snapshot and a stored game's record export alike", () => {
    const live = fromSnapshot(snapshot(["3", "4", "3"]));
    expect(live).toMatchObject({ gameId: "g1", kind: "connect4", timeControl: "1+5", status: "active" });
    expect(exportMoves(live, "https://x").text).toBe("d1 e1 d2\n");
    const stored = fromRecord(gameRecord(["3", "4", "3"]));
    expect(stored).toMatchObject({ gameId: "g1", players: [{ name: "Alice" }, { name: "Bob" }], startedAt: 0 });
    expect(exportMoves(stored, "https://x").text).toBe("d1 e1 d2\n");
    const chess = fromRecord(gameRecord(["e2e4", "e7e5"], { kind: "chess", timeControl: "3+2" }));
    expect(toPgn(chess, "https://x")).toContain('[Date "1970.01.01"]');
    expect(toPgn(chess, "https://x").trimEnd().endsWith("1. e4 e5 1-0")).toBe(true);
  });

  it("chess exports a .pgn file; Connect Four its move list as text", () => {
    expect(exportMoves(OPERA, "https://x")).toMatchObject({ filename: "tabula-g42.pgn", mime: "application/x-chess-pgn" });
    const c4 = {
      ...OPERA,
      kind: "connect4" as const,
      moves: [{ san: "d1" }, { san: "e1" }, { san: "d2" }].map((m) => ({ ...m, at: 0 })),
    };
    expect(connect4MoveList(c4.moves)).toBe("d1 e1 d2");
    expect(exportMoves(c4, "https://x")).toEqual({ text: "d1 e1 d2\n", filename: "tabula-g42.txt", mime: "text/plain" });
  });
});
