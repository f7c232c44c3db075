// @vitest-environment happy-dom
import type { ProfileResponse } from "@tabula/shared/protocol";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type Api, ApiError } from "./api.ts";
import { ProfilePage } from "./profile.ts";
import { loadPage, text } from "./testing/dom.ts";

// Chart.js needs a real canvas (the browser test draws it); here what the page asks of the chart is recorded.
const shown: unknown[] = [];
vi.mock("./profileChart.ts", () => ({
  RatingChart: class {
    show(series: unknown[]) {
      shown.push(series);
    }
  },
}));

const profile: ProfileResponse = {
  player: { id: "p", name: "<b>Pat</b>", isBot: false, account: false, since: Date.UTC(2026, 11, 1) },
  ratings: [{ pool: "connect4", rating: 1720, rd: 80, provisional: false, games: 3, wins: 2, losses: 1, draws: 0, rank: 4 }],
  history: [{ pool: "connect4", points: [{ at: 1, rating: 1700, gameId: "g1" }] }],
  results: [{ kind: "connect4", wins: 2, losses: 1, draws: 0 }],
  recentGames: [
    {
      gameId: "g1",
      kind: "connect4",
      timeControl: "3+5",
      mode: "quick",
      status: "finished",
      players: [
        { id: "p", name: "<b>Pat</b>", isBot: false },
        { id: "o", name: "Opp", isBot: false },
      ],
      ply: 9,
      result: { winner: 0, reason: "connect-four" },
      createdAt: 0,
      endedAt: 1,
    },
  ],
};

function setup(answer: () => Promise<unknown>) {
  const request = vi.fn(answer);
  const deps = { api: { request } as unknown as Api, enter: vi.fn(), exit: vi.fn(), replay: vi.fn(async () => {}) };
  return { page: new ProfilePage(deps), deps, request };
}

describe("the profile screen", () => {
  beforeEach(() => {
    loadPage();
    shown.length = 0;
  });

  it("shows the player (name as text), rating cards, the chart's series, results and recent games opening their replay", async () => {
    const { page, deps, request } = setup(async () => profile);
    await page.open("Pat Player");
    expect(request).toHaveBeenCalledWith("GET", "/players/Pat%20Player");
    expect(deps.enter).toHaveBeenCalled();
    expect(text("profile-name")).toBe("<b>Pat</b>");
    expect(document.querySelectorAll("#profile-screen b")).toHaveLength(0);
    expect(text("profile-since")).toBe("Guest since 1 Dec 2026");
    expect(document.querySelector("#profile-ratings .rating-value")?.textContent).toBe("1720");
    expect(document.querySelector("#profile-ratings .rating-rank")?.textContent).toBe("#4");
    expect(shown).toEqual([[{ pool: "connect4", label: "Connect Four", color: "#4c7dff", points: [{ x: 1, y: 1700 }] }]]);
    expect(document.getElementById("rating-chart")?.dataset.points).toBe("1");
    expect(document.getElementById("rating-chart-box")?.hidden).toBe(false);
    expect([...document.querySelectorAll("#profile-results td")].map((td) => td.textContent)).toEqual([
      "Connect Four",
      "3",
      "2",
      "1",
      "0",
      "67%",
    ]);
    (document.querySelector('#profile-games li[data-game-id="g1"] button') as HTMLElement).click();
    await vi.waitFor(() => expect(deps.replay).toHaveBeenCalledWith("g1"));
    expect(document.getElementById("profile-screen")?.dataset.state).toBe("loaded");
  });

  it("says so when the player has no rated or finished games, and when the profile cannot be loaded", async () => {
    let fail = false;
    const { page } = setup(async () => {
      if (fail) throw new ApiError(404, "NO_PLAYER", "no such player");
      return { ...profile, ratings: [], history: [], results: [], recentGames: [] };
    });
    await page.open("p");
    expect(text("profile-ratings")).toBe("No rated games yet.");
    expect(document.getElementById("rating-chart-box")?.hidden).toBe(true);
    expect(document.getElementById("rating-chart-empty")?.hidden).toBe(false);
    expect(text("profile-games")).toBe("No finished games yet.");
    fail = true;
    await page.open("nobody");
    expect(text("profile-name")).toBe("Profile unavailable");
    expect(document.getElementById("profile-screen")?.dataset.state).toBe("error");
  });
});
