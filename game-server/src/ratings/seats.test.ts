import { describe, expect, it } from "vitest";
import { formatRating, formatRatingChange } from "@tabula/shared/protocol";
import { ratingsOfRows, ratingsView, withChanges } from "./seats.ts";

describe("a rated game's seats' ratings", () => {
  const rows = {
    pool: "chess-blitz",
    current: [{ playerId: "b", rating: 1712.6, rd: 60 }],
    changes: [],
  };

  it("are the stored ratings, a player without one being new (1500, provisional); rounded for the snapshot", () => {
    const r = ratingsOfRows(rows, ["a", "b"]);
    expect(r.seats).toEqual([
      { rating: 1500, rd: 350, change: null },
      { rating: 1712.6, rd: 60, change: null },
    ]);
    expect(ratingsView(r)).toEqual({
      pool: "chess-blitz",
      seats: [
        { rating: 1500, provisional: true, change: null },
        { rating: 1713, provisional: false, change: null },
      ],
    });
    expect(ratingsView(null)).toBeNull();
  });

  it("show the change once rated: before → after, the delta of the rounded values, provisional after the game", () => {
    const r = withChanges(ratingsOfRows(rows, ["a", "b"]), [
      { before: 1500, after: 1662.31, rdBefore: 350, rdAfter: 290.3 },
      { before: 1712.6, after: 1709.4, rdBefore: 60, rdAfter: 59.8 },
    ]);
    const view = ratingsView(r);
    expect(view?.seats[0]).toEqual({ rating: 1662, provisional: true, change: { before: 1500, after: 1662, delta: 162 } });
    expect(view?.seats[1]).toEqual({ rating: 1709, provisional: false, change: { before: 1713, after: 1709, delta: -4 } });
    // The same from the rows a rebuilt room loads.
    const loaded = ratingsOfRows(
      { ...rows, changes: [{ playerId: "a", before: 1500, after: 1662.31, rdBefore: 350, rdAfter: 290.3 }] },
      ["a", "b"],
    );
    expect(ratingsView(loaded)?.seats[0]).toEqual(view?.seats[0]);
  });

  it("read as people expect", () => {
    expect(formatRating({ rating: 1500, provisional: true })).toBe("1500?");
    expect(formatRating({ rating: 1713, provisional: false })).toBe("1713");
    expect(formatRatingChange({ before: 1500, after: 1512, delta: 12 })).toBe("1500 → 1512 (+12)");
    expect(formatRatingChange({ before: 1713, after: 1709, delta: -4 })).toBe("1713 → 1709 (−4)");
    expect(formatRatingChange({ before: 1500, after: 1500, delta: 0 })).toBe("1500 → 1500 (±0)");
  });
});
