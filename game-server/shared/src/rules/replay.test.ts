import { describe, expect, it } from "vitest";
import { chess } from "./chess.ts";
import { connect4 } from "./connect4.ts";
import { replay } from "./replay.ts";

describe("replay", () => {
  it("rebuilds a position from seed and moves, with every move's notation", () => {
    const r = replay(chess, "seed", ["e2e4", "e7e5", "g1f3", "b8c6", "f1b5"]);
    expect(r).toMatchObject({ ok: true, notations: ["e4", "e5", "Nf3", "Nc6", "Bb5"] });
    if (!r.ok) return;
    expect(r.state.fen).toBe("r1bqkbnr/pppp1ppp/2n5/1B2p3/4P3/5N2/PPPP1PPP/RNBQK2R b KQkq - 3 3");
    expect(chess.toMove(r.state)).toBe(1);
  });

  it("visits the start and every position after it, in order", () => {
    const plies: number[] = [];
    const boards: number[] = [];
    replay(connect4, "s", ["3", "3", "4"], (state, ply) => {
      plies.push(ply);
      boards.push(state.board.filter((c) => c !== -1).length);
    });
    expect(plies).toEqual([0, 1, 2, 3]);
    expect(boards).toEqual([0, 1, 2, 3]);
  });

  it("reports the first move the rules refuse, and where", () => {
    expect(replay(connect4, "s", ["3", "9", "4"])).toMatchObject({
      ok: false,
      ply: 1,
      move: "9",
      error: { code: "BAD_MOVE_FORMAT" },
    });
    expect(replay(chess, "s", ["e2e4", "e2e4"])).toMatchObject({ ok: false, ply: 1, error: { code: "ILLEGAL_MOVE" } });
  });

  it("refuses a move after the game ended", () => {
    // Red wins on the fourth disc in column a; one more move is past the end.
    const won = ["0", "1", "0", "1", "0", "1", "0"];
    expect(replay(connect4, "s", won)).toMatchObject({ ok: true });
    expect(replay(connect4, "s", [...won, "2"])).toMatchObject({ ok: false, ply: 7, error: { code: "GAME_OVER" } });
  });

  it("is deterministic: the same seed and log give the same state", () => {
    const moves = ["e2e4", "c7c5", "g1f3"];
    expect(replay(chess, "x", moves)).toEqual(replay(chess, "x", moves));
  });
});
