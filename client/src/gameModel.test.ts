import { type BattleshipView, battleship, type Connect4View, replay } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { GameModel, definitionOf } from "./gameModel.ts";
import { CLOCKS, moved, records, snapshot } from "./testing/fixtures.ts";
import type { ChessView } from "./views.ts";

describe("GameModel.fromSnapshot", () => {
  it("rebuilds the position from the seed and the log with the shared rules", () => {
    const m = GameModel.fromSnapshot(snapshot(["3", "3", "4"]));
    expect(m.ply).toBe(3);
    const v = m.view() as Connect4View;
    expect(v.board.filter((c) => c === 0)).toHaveLength(2);
    expect(v.board.filter((c) => c === 1)).toHaveLength(1);
    expect(v.lastMove).toEqual({ column: 4, row: 0, cell: 4 });
    expect(m.toMove).toBe(1);
    expect(m.seat).toBe(0);
    expect(m.legalMoves()).toEqual([]); // not our turn
  });

  it("refuses a log the rules refuse, or whose length is not the server's ply", () => {
    const bad = snapshot(["3"]);
    bad.moves = [{ ...bad.moves[0]!, move: "9" }];
    expect(() => GameModel.fromSnapshot(bad)).toThrow(/does not replay/);
    expect(() => GameModel.fromSnapshot({ ...snapshot(["3"]), ply: 2 })).toThrow(/1 moves logged at ply 2/);
    expect(() => definitionOf("go")).toThrow(/unknown game go/);
  });

  it("gives a spectator the position but no moves", () => {
    const m = GameModel.fromSnapshot(snapshot([], { you: { role: "spectator", seat: null } }));
    expect(m.seat).toBeNull();
    expect(m.toMove).toBe(0);
    expect(m.legalMoves()).toEqual([]);
    expect(m.preview("3")).toBeNull();
  });
});

describe("GameModel moves", () => {
  it("lists the viewer's legal moves and previews a move with its notation, without playing it", () => {
    const m = GameModel.fromSnapshot(snapshot());
    expect(m.legalMoves()).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    const p = m.preview("3")!;
    expect(p.notation).toBe("d1");
    expect((p.view as Connect4View).board[3]).toBe(0);
    expect((m.view() as Connect4View).board[3]).toBe(-1);
    expect(m.preview("7")).toBeNull();
  });

  it("offers nothing once the game is over, whatever the rules' position", () => {
    const m = GameModel.fromSnapshot(snapshot([], { status: "finished", result: { winner: 1, reason: "resign" } }));
    expect(m.active).toBe(false);
    expect(m.toMove).toBeNull();
    expect(m.legalMoves()).toEqual([]);
    expect(m.preview("3")).toBeNull();
  });

  it("chess: notation from the shared rules, the history in the view", () => {
    const m = GameModel.fromSnapshot(snapshot(["e2e4", "e7e5"], { kind: "chess" }));
    expect(m.moves.map((r) => r.san)).toEqual(["e4", "e5"]);
    expect(m.preview("g1f3")?.notation).toBe("Nf3");
    expect((m.view() as ChessView).moves).toEqual(["e2e4", "e7e5"]);
    expect(m.legalMoves()).toContain("g1f3");
    expect(m.legalMoves()).not.toContain("e7e5");
  });
});

describe("GameModel.fold", () => {
  it("applies the next move with the rules and takes the server's clocks, status and result", () => {
    const m = GameModel.fromSnapshot(snapshot(["3"], { drawOffer: 1 }));
    const msg = moved(["3"], "4");
    expect(m.fold(msg)).toBe("applied");
    expect(m.ply).toBe(2);
    expect(m.moves.at(-1)).toEqual(msg.record);
    expect(m.clocks).toEqual(msg.clocks);
    // Any move answers a draw offer with "no".
    expect(m.info.drawOffer).toBeNull();
    expect((m.view() as Connect4View).board[4]).toBe(1);
  });

  it("ignores what it already has", () => {
    const m = GameModel.fromSnapshot(snapshot(["3", "4"]));
    expect(m.fold(moved(["3"], "4"))).toBe("ignored");
    expect(m.fold(moved([], "3"))).toBe("ignored");
    expect(m.ply).toBe(2);
  });

  it("asks for a resync on a gap, another game, a move the rules refuse, or a different notation", () => {
    const m = GameModel.fromSnapshot(snapshot(["3"]));
    expect(m.fold(moved(["3", "4"], "5"))).toBe("resync"); // ply 3 while we have 1
    expect(m.fold({ ...moved(["3"], "4"), gameId: "other" })).toBe("resync");
    const refused = moved(["3"], "4");
    refused.record = { ...refused.record, move: "x" };
    expect(m.fold(refused)).toBe("resync");
    const renamed = moved(["3"], "4");
    renamed.record = { ...renamed.record, san: "z9" };
    expect(m.fold(renamed)).toBe("resync");
    const wrongPly = moved(["3"], "4");
    wrongPly.record = { ...wrongPly.record, ply: 0 };
    expect(m.fold(wrongPly)).toBe("resync");
    expect(m.ply).toBe(1);
  });

  it("ends with the server's verdict on the last move", () => {
    const m = GameModel.fromSnapshot(snapshot(["3", "4", "3", "4", "3", "4"]));
    expect(
      m.fold(moved(["3", "4", "3", "4", "3", "4"], "3", { status: "finished", result: { winner: 0, reason: "connect-four" } })),
    ).toBe("applied");
    expect(m.active).toBe(false);
    expect(m.info.result).toEqual({ winner: 0, reason: "connect-four" });
    expect((m.view() as Connect4View).winningLine).toEqual([3, 10, 17, 24]);
  });
});

describe("GameModel.finish and toSnapshot", () => {
  it("takes the final record of a game whose room is gone, and stops the clocks", () => {
    const m = GameModel.fromSnapshot(snapshot(["3"], { clocks: { ...snapshot().clocks, running: 1 } }));
    m.finish({ status: "finished", result: { winner: 0, reason: "abandon" }, moves: records("connect4", ["3", "4", "2"]) });
    expect(m.ply).toBe(3);
    expect(m.active).toBe(false);
    expect(m.clocks.running).toBeNull();
    expect(m.clocks.firstMoveDeadline).toBeNull();
    expect(m.info.result).toEqual({ winner: 0, reason: "abandon" });
  });

  it("keeps its own log when the record does not replay", () => {
    const m = GameModel.fromSnapshot(snapshot(["3"]));
    m.finish({ status: "aborted", result: null, moves: [{ ...records("connect4", ["3"])[0]!, move: "q" }] });
    expect(m.ply).toBe(1);
    expect(m.info.status).toBe("aborted");
  });

  it("is a GameSnapshot again for the test hooks: the server's fields, our log and our view", () => {
    const s = snapshot(["3", "4"]);
    const out = GameModel.fromSnapshot(s).toSnapshot();
    expect(out).toEqual({ ...s, view: GameModel.fromSnapshot(s).view() });
    expect((out.view as Connect4View).toMove).toBe(0);
  });
});

describe("GameModel with hidden information (Battleship)", () => {
  const FLEET0 = "a1h,a3v,c3h,j1v,g9h";
  const FLEET1 = "f10h,b3v,d5h,h2v,a1h";
  /** The server's state after `moves`, and what it sends seat `you`: its view and the redacted log. */
  function sent(moves: string[], you: 0 | 1) {
    const r = replay(battleship, "s", moves);
    if (!r.ok) throw new Error(r.error.message);
    const log = records("battleship", moves).map((m) => {
      const x = battleship.redactMove!({ ...m, notation: m.san }, you);
      return { ...m, move: x.move, san: x.notation };
    });
    return { state: r.state, view: battleship.view(r.state, you), log };
  }

  it("keeps the view it was sent instead of replaying a log it is not shown whole", () => {
    const s = sent([FLEET0, FLEET1, "a1"], 1);
    expect(s.log[0]!.move).toBe("fleet"); // the other seat's fleet: not replayable
    const m = GameModel.fromSnapshot(
      snapshot([], { kind: "battleship", you: { role: "player", seat: 1 }, moves: s.log, ply: 3, view: s.view }),
    );
    expect(m.view()).toEqual(s.view);
    expect(m.toMove).toBe(1);
    expect(m.legalMoves()).toHaveLength(100);
    // A shot's preview does not know what it hits yet.
    expect((m.preview("c3")!.view as BattleshipView).shots[1]).toEqual([{ cell: 22, outcome: "pending" }]);
    expect(m.preview("a1h,a3v,c3h,j1v,g9h")).toBeNull();
  });

  it("folds each moved in by its view, and shows everything once the game is over", () => {
    const before = sent([FLEET0, FLEET1, "a1"], 1);
    const m = GameModel.fromSnapshot(
      snapshot([], { kind: "battleship", you: { role: "player", seat: 1 }, moves: before.log, ply: 3, view: before.view }),
    );
    const after = sent([FLEET0, FLEET1, "a1", "c3"], 1);
    expect(
      m.fold({ gameId: "g1", record: after.log[3]!, ply: 4, view: after.view, clocks: CLOCKS, status: "active", result: null }),
    ).toBe("applied");
    expect((m.view() as BattleshipView).shots[1]).toEqual([{ cell: 22, outcome: "hit" }]);
    expect((m.view() as BattleshipView).fleets[0]).toEqual([]);
    const full = records("battleship", [FLEET0, FLEET1, "a1", "c3"]);
    m.finish({ status: "finished", result: { winner: 0, reason: "resign" }, moves: full, seed: "s" });
    expect((m.view() as BattleshipView).fleets.map((f) => f.length)).toEqual([5, 5]);
  });
});
