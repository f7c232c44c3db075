import { describe, expect, it } from "vitest";
import { GAMES } from "./index.ts";
import { isRatingPool, RATING_POOLS, ratingPool } from "./pools.ts";

describe("rating pools", () => {
  it("rates chess per speed by initial + 40 × increment, Connect Four and Battleship in one pool each", () => {
    expect(ratingPool("chess", "1+0")).toBe("chess-bullet");
    expect(ratingPool("chess", "3+2")).toBe("chess-blitz");
    expect(ratingPool("chess", "5+3")).toBe("chess-blitz");
    expect(ratingPool("chess", "10+0")).toBe("chess-rapid");
    expect(ratingPool("connect4", "1+5")).toBe("connect4");
    expect(ratingPool("connect4", "3+5")).toBe("connect4");
    expect(ratingPool("battleship", "2+3")).toBe("battleship");
  });

  it("has a pool for every offered time control and none for an unknown one", () => {
    for (const g of Object.values(GAMES)) {
      for (const tc of g.timeControls) expect(isRatingPool(ratingPool(g.id, tc.id))).toBe(true);
    }
    expect(ratingPool("chess", "2+1")).toBeUndefined();
    expect(isRatingPool("chess")).toBe(false);
    expect(RATING_POOLS).toContain("connect4");
  });
});
