import { describe, expect, it } from "vitest";
import { RulesTracker, rebuild, replayViews } from "./rulesState.ts";
import { isChessView, isConnect4View } from "./views.ts";

const c4 = ["3", "3", "4", "4", "5", "5"].map((move, i) => ({ move, seat: (i % 2) as 0 | 1 }));

describe("RulesTracker", () => {
  it("gives legal moves from the shared rules", () => {
    const t = new RulesTracker();
    t.sync("g", "connect4", "seed", []);
    expect(t.legalMoves(0)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(t.legalMoves(1)).toEqual([]);
    expect(t.legalMoves(null)).toEqual([]);
  });
  it("follows the log incrementally and rebuilds when it is not a continuation", () => {
    const t = new RulesTracker();
    t.sync("g", "connect4", "seed", c4.slice(0, 2));
    expect(t.ply).toBe(2);
    t.sync("g", "connect4", "seed", c4);
    expect(t.ply).toBe(6);
    const v = t.previewMove("6", 0);
    expect(isConnect4View(v) && v.result?.reason).toBe("connect-four");
    t.sync("g", "connect4", "seed", [{ move: "0", seat: 0 }]);
    expect(t.ply).toBe(1);
    expect(t.previewMove("9", 1)).toBeNull();
  });
  it("plays chess with UCI moves, promotions included", () => {
    const t = new RulesTracker();
    t.sync("c", "chess", "seed", [{ move: "e2e4", seat: 0 }]);
    const moves = t.legalMoves(1);
    expect(moves).toContain("e7e5");
    expect(moves).toHaveLength(20);
    expect(t.describe("g8f6")).toBe("Nf6");
  });
});

describe("rebuild / replayViews", () => {
  it("replays every position", () => {
    const views = replayViews("chess", "s", [
      { move: "e2e4", seat: 0 },
      { move: "e7e5", seat: 1 },
    ]);
    expect(views).toHaveLength(3);
    const last = views[2];
    expect(isChessView(last) && last.lastMove).toEqual({ from: "e7", to: "e5" });
    expect(() => rebuild("chess", "s", [{ move: "e2e5", seat: 0 }])).toThrow();
  });
});
