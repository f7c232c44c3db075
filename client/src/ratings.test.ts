import { describe, expect, it } from "vitest";
import { canPlayRated, quickPlayRated, ratedTag, ratingChangeLines, ratingLabel } from "./ratings.ts";
import { snapshot } from "./testing/fixtures.ts";

const rated = snapshot([], {
  rated: true,
  ratings: {
    pool: "connect4",
    seats: [
      { rating: 1500, provisional: true, change: null },
      { rating: 1713, provisional: false, change: null },
    ],
  },
});
const over = snapshot([], {
  status: "finished",
  rated: true,
  ratings: {
    pool: "connect4",
    seats: [
      { rating: 1662, provisional: true, change: { before: 1500, after: 1662, delta: 162 } },
      { rating: 1709, provisional: false, change: { before: 1713, after: 1709, delta: -4 } },
    ],
  },
});

describe("ratings on screen", () => {
  it("a rating beside each name, '?' while provisional; nothing in a casual game", () => {
    expect([ratingLabel(rated, 0), ratingLabel(rated, 1)]).toEqual(["1500?", "1713"]);
    expect(ratingLabel(snapshot(), 0)).toBe("");
    expect([ratedTag(rated), ratedTag(snapshot())]).toEqual(["Rated · Connect Four", "Casual"]);
  });

  it("the result dialog lists each player's change once the game is rated", () => {
    expect(ratingChangeLines(over)).toEqual(["Alice: 1500 → 1662 (+162)", "Bob: 1713 → 1709 (−4)"]);
    expect(ratingChangeLines(rated)).toEqual([]); // not over (or aborted): no change
    expect(ratingChangeLines(snapshot())).toEqual([]);
  });

  it("rated quick play is offered to accounts only, and asked for only when chosen", () => {
    expect(canPlayRated({ account: true })).toBe(true);
    expect(canPlayRated({})).toBe(false);
    expect(canPlayRated(null)).toBe(false);
    expect(quickPlayRated(true, { account: true })).toBe(true);
    expect(quickPlayRated(true, {})).toBe(false);
    expect(quickPlayRated(false, { account: true })).toBe(false);
  });
});
