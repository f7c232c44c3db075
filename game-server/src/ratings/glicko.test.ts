import { describe, expect, it } from "vitest";
import { isProvisional, NEW_RATING, rateGame, ratePeriod } from "./glicko.ts";

describe("Glicko-2", () => {
  it("reproduces the worked example of Glickman's paper (τ = 0.5)", () => {
    // "Example of the Glicko-2 system", section "Example calculation": a 1500 (RD 200, σ 0.06) player beats a
    // 1400 (RD 30) and loses to a 1550 (RD 100) and a 1700 (RD 300) in one rating period.
    const after = ratePeriod(
      { rating: 1500, rd: 200, vol: 0.06 },
      [
        { opponent: { rating: 1400, rd: 30, vol: 0.06 }, score: 1 },
        { opponent: { rating: 1550, rd: 100, vol: 0.06 }, score: 0 },
        { opponent: { rating: 1700, rd: 300, vol: 0.06 }, score: 0 },
      ],
      0.5,
    );
    // The paper's results: r' = 1464.06, RD' = 151.52, σ' = 0.05999.
    expect(after.rating).toBeCloseTo(1464.06, 1);
    expect(after.rd).toBeCloseTo(151.52, 1);
    // σ' is printed to five places: 0.05999 (the unrounded value is 0.0599960).
    expect(after.vol).toBeGreaterThanOrEqual(0.05999);
    expect(after.vol).toBeLessThan(0.06);
  });

  it("moves both players of one game by opposite amounts when they are equally sure, and keeps a draw between equals level", () => {
    const [winner, loser] = rateGame(NEW_RATING, NEW_RATING, 1);
    expect(winner.rating).toBeGreaterThan(1500);
    expect(winner.rating - 1500).toBeCloseTo(1500 - loser.rating, 6);
    expect(winner.rd).toBeLessThan(NEW_RATING.rd);
    const [a, b] = rateGame(NEW_RATING, NEW_RATING, 0.5);
    expect(a.rating).toBeCloseTo(1500, 6);
    expect(b.rating).toBeCloseTo(1500, 6);
  });

  it("grows only the RD over a period without games, never past a new player's", () => {
    const settled = { rating: 1800, rd: 60, vol: 0.06 };
    const idle = ratePeriod(settled, []);
    expect(idle.rating).toBe(1800);
    expect(idle.rd).toBeGreaterThan(60);
    expect(ratePeriod(NEW_RATING, []).rd).toBe(NEW_RATING.rd);
  });

  it("calls a rating provisional until its RD is at most 110", () => {
    expect(isProvisional(NEW_RATING)).toBe(true);
    expect(isProvisional({ rating: 1500, rd: 110, vol: 0.06 })).toBe(false);
  });
});
