import type { LeaderboardResponse } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { boardRows, POOL_TABS, ratingText, refreshedText, standingText } from "./leaderboardModel.ts";

const entry = (rank: number, name: string, rating: number) => ({
  rank,
  playerId: `id-${name}`,
  name,
  rating,
  rd: 60,
  games: 20,
  wins: 12,
  losses: 6,
  draws: 2,
});

describe("leaderboard view model", () => {
  it("has one tab per rating pool, in the shared order", () => {
    expect(POOL_TABS.map((t) => t.pool)).toEqual(["chess-bullet", "chess-blitz", "chess-rapid", "connect4"]);
    expect(POOL_TABS[3]?.title).toBe("Connect Four");
  });

  it("rounds ratings and marks a provisional one with '?'", () => {
    expect(ratingText(1712.6)).toBe("1713");
    expect(ratingText(1499.4, true)).toBe("1499?");
  });

  it("turns entries into rows, names untouched (the page sets them as text), the caller's row marked", () => {
    const res: LeaderboardResponse = {
      pool: "connect4",
      refreshedAt: 0,
      entries: [entry(1, "<b>Ann</b>", 1900.4), entry(2, "Bo", 1800), entry(2, "Cy", 1800)],
      you: null,
    };
    const rows = boardRows(res, "id-Bo");
    expect(rows.map((r) => [r.rank, r.name, r.rating, r.you])).toEqual([
      ["1", "<b>Ann</b>", "1900", false],
      ["2", "Bo", "1800", true],
      ["2", "Cy", "1800", false],
    ]);
    expect(rows[0]?.record).toBe("12 W · 6 L · 2 D");
  });

  it("says where the caller stands: ranked, unrated, provisional, or not on the board yet", () => {
    expect(standingText(null, "connect4")).toBe("");
    expect(standingText({ rank: 7, rating: 1650.2, rd: 60, games: 30, provisional: false }, "connect4")).toBe(
      "Your rank: #7 · 1650",
    );
    expect(standingText({ rank: null, rating: null, rd: null, games: 0, provisional: true }, "chess-blitz")).toMatch(
      /no rating in Chess · Blitz/,
    );
    expect(standingText({ rank: null, rating: 1580, rd: 200, games: 3, provisional: true }, "connect4")).toMatch(
      /1580\? is provisional \(3 games\)/,
    );
    expect(standingText({ rank: null, rating: 1580, rd: 90, games: 30, provisional: false }, "connect4")).toMatch(
      /not on the board yet/,
    );
  });

  it("says how old the board is", () => {
    expect(refreshedText(10_000, 52_000)).toBe("Updated 42 seconds ago");
  });
});
