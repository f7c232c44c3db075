import type { GameSummary, ProfileResponse } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { historySeries, ratingCards, recentRows, resultRows, sinceText } from "./profileModel.ts";

const profile: ProfileResponse = {
  player: { id: "p", name: "Pat", isBot: false, account: true, since: Date.UTC(2026, 11, 1) },
  ratings: [
    { pool: "chess-blitz", rating: 1450.4, rd: 250, provisional: true, games: 2, wins: 0, losses: 1, draws: 1, rank: null },
    { pool: "connect4", rating: 1720.6, rd: 80, provisional: false, games: 22, wins: 15, losses: 7, draws: 0, rank: 3 },
  ],
  history: [
    { pool: "chess-blitz", points: [] },
    {
      pool: "connect4",
      points: [
        { at: 1000, rating: 1510.2, gameId: "g1" },
        { at: 2000, rating: 1520.7, gameId: "g2" },
      ],
    },
  ],
  results: [
    { kind: "chess", wins: 0, losses: 0, draws: 1 },
    { kind: "connect4", wins: 15, losses: 7, draws: 0 },
  ],
  recentGames: [],
};

const game = (over: Partial<GameSummary>): GameSummary => ({
  gameId: "g1",
  kind: "connect4",
  timeControl: "3+5",
  mode: "quick",
  status: "finished",
  players: [
    { id: "p", name: "Pat", isBot: false },
    { id: "o", name: "Opp", isBot: false },
  ],
  ply: 9,
  result: { winner: 0, reason: "connect-four" },
  createdAt: 0,
  endedAt: 60_000,
  ...over,
});

describe("profile view model", () => {
  it("makes a card per rating: rounded, '?' and 'provisional' when provisional, the rank when ranked", () => {
    const cards = ratingCards(profile);
    expect(cards.map((c) => [c.title, c.rating, c.rank])).toEqual([
      ["Chess · Blitz", "1450?", "provisional"],
      ["Connect Four", "1721", "#3"],
    ]);
    expect(cards[1]?.detail).toBe("RD 80 · 22 games · 15 W · 7 L · 0 D");
    const unranked = ratingCards({ ...profile, ratings: [{ ...profile.ratings[1]!, rank: null }] });
    expect(unranked[0]?.rank).toBe("not ranked yet");
  });

  it("charts a line per pool with rated games, oldest first", () => {
    const series = historySeries(profile);
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ pool: "connect4", label: "Connect Four" });
    expect(series[0]?.points).toEqual([
      { x: 1000, y: 1510 },
      { x: 2000, y: 1521 },
    ]);
  });

  it("counts results per game with the score in points per game", () => {
    expect(resultRows(profile)).toEqual([
      { game: "Chess", wins: 0, losses: 0, draws: 1, total: 1, score: "50%" },
      { game: "Connect Four", wins: 15, losses: 7, draws: 0, total: 22, score: "68%" },
    ]);
  });

  it("lists recent games from the player's side, whichever seat they had", () => {
    const rows = recentRows(
      [
        game({}),
        game({
          gameId: "g2",
          players: [
            { id: "b", name: "Botty", isBot: true },
            { id: "p", name: "Pat", isBot: false },
          ],
        }),
      ],
      "p",
      120_000,
    );
    expect(rows.map((r) => [r.gameId, r.vs, r.outcome, r.result])).toEqual([
      ["g1", "vs Opp", "win", "Won · four in a row"],
      ["g2", "vs Botty (bot)", "loss", "Lost · four in a row"],
    ]);
    expect(rows[0]?.when).toBe("9 moves · 1 minute ago");
  });

  it("says what kind of player and since when", () => {
    expect(sinceText(profile.player)).toBe("Member since 1 Dec 2026");
    expect(sinceText({ ...profile.player, account: false })).toBe("Guest since 1 Dec 2026");
    expect(sinceText({ ...profile.player, isBot: true })).toBe("Bot");
  });
});
