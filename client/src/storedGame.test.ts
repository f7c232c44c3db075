import { describe, expect, it } from "vitest";
import { forgetStoredGame, rememberGame, storedGame } from "./storedGame.ts";

function memory() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

describe("storedGame", () => {
  it("remembers the open game for a reload, and forgets it", () => {
    const s = memory();
    expect(storedGame(s)).toBeNull();
    rememberGame("g1", false, s);
    expect(storedGame(s)).toEqual({ gameId: "g1", spectate: false });
    rememberGame("g2", true, s);
    expect(storedGame(s)).toEqual({ gameId: "g2", spectate: true });
    forgetStoredGame(s);
    expect(storedGame(s)).toBeNull();
  });

  it("treats anything malformed as no game", () => {
    const s = memory();
    for (const raw of ["{", "null", "42", '{"gameId":7}', "[]"]) {
      s.setItem("tabula.currentGame", raw);
      expect(storedGame(s)).toBeNull();
    }
    s.setItem("tabula.currentGame", '{"gameId":"g","spectate":"yes"}');
    expect(storedGame(s)).toEqual({ gameId: "g", spectate: false });
  });

  it("survives storage that is missing or refuses", () => {
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => rememberGame("g", false, refusing)).not.toThrow();
    expect(storedGame(refusing)).toBeNull();
    expect(() => forgetStoredGame(refusing)).not.toThrow();
    expect(storedGame(null)).toBeNull();
  });
});
