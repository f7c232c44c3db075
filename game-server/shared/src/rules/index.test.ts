import { describe, expect, it } from "vitest";
import { GAMES, battleship, chess, chooseBotMove, connect4, createRng, findTimeControl, getGame, isGameKind } from "./index.ts";

describe("game registry", () => {
  it("lists every game under its id", () => {
    expect(Object.keys(GAMES).sort()).toEqual(["battleship", "chess", "connect4"]);
    expect(GAMES.battleship).toBe(battleship);
    expect(GAMES.chess).toBe(chess);
    expect(GAMES.connect4).toBe(connect4);
    for (const [kind, def] of Object.entries(GAMES)) expect(def.id).toBe(kind);
  });

  it("looks games up by untrusted strings", () => {
    expect(getGame("chess")).toBe(chess);
    expect(getGame("connect4")).toBe(connect4);
    for (const bad of ["", "Chess", "go", "toString", "__proto__", "constructor"]) {
      expect(getGame(bad)).toBeUndefined();
      expect(isGameKind(bad)).toBe(false);
    }
    expect(isGameKind("connect4")).toBe(true);
    expect(isGameKind(42)).toBe(false);
  });

  it("finds time controls per game", () => {
    expect(findTimeControl("chess", "3+2")).toEqual({ id: "3+2", initialSeconds: 180, incrementSeconds: 2 });
    expect(findTimeControl("connect4", "1+5")).toEqual({ id: "1+5", initialSeconds: 60, incrementSeconds: 5 });
    expect(findTimeControl("connect4", "3+2")).toBeUndefined();
    expect(findTimeControl("chess", "1+5")).toBeUndefined();
    expect(findTimeControl("go", "3+2")).toBeUndefined();
    for (const def of Object.values(GAMES)) {
      expect(def.timeControls.length).toBeGreaterThan(0);
      expect(new Set(def.timeControls.map((t) => t.id)).size).toBe(def.timeControls.length);
    }
  });

  // The server builds one view for all when a game says its view is public (game-server/src/game/views.ts):
  // a game that said so wrongly would leak or hide something from someone.
  it("a game whose view is public shows every seat and spectators the same view, all game long", () => {
    for (const def of Object.values(GAMES)) {
      // Battleship hides each fleet: its views are tested in battleship.test.ts.
      if (def.id === "battleship") {
        expect(def.publicView).toBeUndefined();
        continue;
      }
      expect(def.publicView).toBe(true);
      let state = def.setup("public-view");
      for (let ply = 0; ply < 24 && def.toMove(state) !== null; ply++) {
        const spectator = def.view(state, null);
        expect(def.view(state, 0)).toEqual(spectator);
        expect(def.view(state, 1)).toEqual(spectator);
        const seat = def.toMove(state) as 0 | 1;
        const next = def.apply(state, chooseBotMove(def, state, seat, createRng(`pv:${ply}`)), seat);
        if (!next.ok) throw new Error(next.error.message);
        state = next.state;
      }
    }
  });
});
