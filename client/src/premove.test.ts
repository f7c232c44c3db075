import { chess, connect4, type GameDefinition } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { Premove, premoveCandidates } from "./premove.ts";
import type { BoardViewModel } from "./views.ts";

/** The view after `moves` from the start (shared rules). */
function viewAfter(def: GameDefinition, moves: string[]): BoardViewModel {
  let state = def.setup("seed");
  moves.forEach((m, i) => {
    const r = def.apply(state, m, (i % 2) as 0 | 1);
    if (!r.ok) throw new Error(r.error.message);
    state = r.state;
  });
  return def.view(state, null) as BoardViewModel;
}

describe("premove candidates", () => {
  it("chess: pattern moves during the opponent's turn, through pieces in the way, never onto our own", () => {
    const view = viewAfter(chess, ["e2e4"]); // Black to move; White premoves
    const moves = premoveCandidates(view, 0);
    expect(moves).toContain("g1f3"); // knight
    expect(moves).toContain("d2d4"); // pawn double step
    expect(moves).toContain("d2e3"); // a pawn capture that the opponent may make possible
    expect(moves).toContain("f1a6"); // bishop ray, open after e4
    expect(moves).toContain("d1h5");
    expect(moves).not.toContain("e1g1"); // the knight and bishop are home: castling can never be legal next
    expect(moves).toContain("g1e2");
    expect(moves).not.toContain("a1a2"); // own pawn there
    expect(moves).not.toContain("e7e5"); // not our piece
  });

  it("chess: castling once the way is clear (the rules decide when it is played)", () => {
    const view = viewAfter(chess, ["e2e4", "e7e5", "g1f3", "b8c6", "f1c4"]);
    expect(premoveCandidates(view, 0)).toContain("e1g1");
  });

  it("chess: a pawn premoved to the last rank is a queen", () => {
    const view = viewAfter(chess, ["h2h4", "g7g5", "h4g5", "g8f6", "g5g6", "f6e4", "g6g7", "e4c5"]);
    expect(premoveCandidates(view, 0)).toEqual(expect.arrayContaining(["g7h8q", "g7g8q", "g7f8q"]));
    expect(premoveCandidates(view, 0)).not.toContain("g7h8");
  });

  it("Connect Four: every column not full", () => {
    const full = ["3", "3", "3", "3", "3", "3"];
    expect(premoveCandidates(viewAfter(connect4, full), 0)).toEqual(["0", "1", "2", "4", "5", "6"]);
    expect(premoveCandidates(viewAfter(connect4, []), 1)).toHaveLength(7);
    expect(premoveCandidates(null, 0)).toEqual([]);
  });
});

describe("Premove", () => {
  it("one queued move, replaced by the next, cancelled on demand", () => {
    const p = new Premove();
    expect(p.move).toBeNull();
    p.set("e2e4");
    p.set("d2d4");
    expect(p.move).toBe("d2d4");
    expect(p.cancel()).toBe(true);
    expect(p.cancel()).toBe(false);
    expect(p.take(["d2d4"])).toBeNull();
  });

  it("played when legal once the turn comes, else dropped silently; taken either way", () => {
    const p = new Premove();
    p.set("d2d4");
    expect(p.take(["e2e4", "d2d4"])).toBe("d2d4");
    expect(p.move).toBeNull();
    p.set("e4d5"); // the capture did not become possible
    expect(p.take(["e2e4", "d2d4"])).toBeNull();
    expect(p.move).toBeNull();
  });
});
