// @vitest-environment happy-dom
import type { LeaderboardResponse } from "@tabula/shared/protocol";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type Api, ApiError } from "./api.ts";
import { LeaderboardPage } from "./leaderboard.ts";
import { click, loadPage, text } from "./testing/dom.ts";

const board = (pool: string, names: string[], you: LeaderboardResponse["you"] = null): LeaderboardResponse => ({
  pool: pool as LeaderboardResponse["pool"],
  refreshedAt: Date.now() - 5_000,
  entries: names.map((name, i) => ({
    rank: i + 1,
    playerId: `id-${name}`,
    name,
    rating: 2000 - i,
    rd: 60,
    games: 9,
    wins: 5,
    losses: 3,
    draws: 1,
  })),
  you,
});

function setup(answer: (path: string) => Promise<unknown>) {
  const request = vi.fn((_m: string, path: string) => answer(path));
  const api = { request, identity: { id: "id-Bo", name: "Bo", token: "t" } } as unknown as Api;
  const deps = { api, enter: vi.fn(), exit: vi.fn(), openProfile: vi.fn(async () => {}) };
  return { page: new LeaderboardPage(deps), deps, request };
}

const cells = () =>
  [...document.querySelectorAll("#leaderboard-rows tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));

describe("the leaderboard screen", () => {
  beforeEach(() => loadPage());

  it("opens on the first pool, shows its rows as text with the caller's row marked, and their standing", async () => {
    const { page, deps, request } = setup(async (path) =>
      board(path.split("/")[2]!, ["<i>Ann</i>", "Bo"], { rank: 2, rating: 1999, rd: 60, games: 9, provisional: false }),
    );
    await page.open();
    expect(deps.enter).toHaveBeenCalled();
    expect(request).toHaveBeenCalledWith("GET", "/leaderboard/chess-bullet");
    expect(cells()).toEqual([
      ["1", "<i>Ann</i>", "2000", "9", "5 W · 3 L · 1 D"],
      ["2", "Bo", "1999", "9", "5 W · 3 L · 1 D"],
    ]);
    expect(document.querySelectorAll("#leaderboard-rows i")).toHaveLength(0);
    expect(document.querySelector("#leaderboard-rows tr.you")?.getAttribute("data-player-id")).toBe("id-Bo");
    expect(text("leaderboard-you")).toBe("Your rank: #2 · 1999");
    expect(text("leaderboard-updated")).toBe("Updated 5 seconds ago");
    expect(document.querySelector('#leaderboard-tabs [data-pool="chess-bullet"]')?.getAttribute("aria-selected")).toBe("true");
  });

  it("switches pools with the tabs, dropping an answer that comes after a newer request's", async () => {
    const pending: Record<string, (v: unknown) => void> = {};
    const { page, request } = setup((path) => new Promise((res) => (pending[path] = res)));
    const first = page.open("chess-blitz");
    (document.querySelector('#leaderboard-tabs [data-pool="connect4"]') as HTMLElement).click();
    pending["/leaderboard/connect4"]!(board("connect4", ["Cy"]));
    await vi.waitFor(() => expect(cells()).toEqual([["1", "Cy", "2000", "9", "5 W · 3 L · 1 D"]]));
    pending["/leaderboard/chess-blitz"]!(board("chess-blitz", ["Old"]));
    await first;
    expect(cells()[0]?.[1]).toBe("Cy");
    expect(request).toHaveBeenCalledTimes(2);
  });

  it("opens a profile from a name, goes back to the lobby, and says when the board cannot be loaded", async () => {
    let fail = false;
    const { page, deps } = setup(async (path) => {
      if (fail) throw new ApiError(503, "UNAVAILABLE", "the database is temporarily unavailable");
      return board(path.split("/")[2]!, ["Ann"]);
    });
    await page.open("connect4");
    (document.querySelector('#leaderboard-rows button[data-player-id="id-Ann"]') as HTMLElement).click();
    expect(deps.openProfile).toHaveBeenCalledWith("id-Ann");
    click("leave-leaderboard");
    expect(deps.exit).toHaveBeenCalled();
    fail = true;
    await page.open("connect4");
    expect(text("leaderboard-rows")).toMatch(/Could not load the leaderboard/);
    expect(document.getElementById("leaderboard-rows")?.dataset.state).toBe("error");
  });
});
