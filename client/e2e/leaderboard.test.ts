/**
 * The leaderboard and a profile in the browser, over a real node and
 * PostgreSQL with ratings, rating changes and finished games seeded in the
 * tables: the lobby's "Leaderboard" opens the board, a pool tab shows its
 * ranking (a name with markup as plain text), clicking a name opens that
 * profile with its ratings and a drawn rating-history chart, and a recent
 * game opens its replay; "My profile" opens the caller's own.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import {
  seedFinishedGame,
  seedPlayer,
  seedRating,
  seedRatingChange,
  withClient,
} from "../../game-server/test/support/ratings.ts";
import { launchChromium } from "./browser.ts";

// At most 24 characters (the name column); any element made from it would show up as a b or an img.
const HOSTILE = "<b>Mal</b><img src=x>";

let node: TestNode;
let browser: Browser;
let page: Page;
let ann: { id: string; name: string };
let games: string[] = [];

type Hooks = { tabula: { state(): { screen: string } } };
const screenIs = (p: Page, screen: string) =>
  p.waitForFunction((s) => (window as unknown as Hooks).tabula?.state().screen === s, screen, { timeout: 15_000 });

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist", LEADERBOARD_REFRESH_S: "0.5" });
  await withClient(node.databaseUrl, async (c) => {
    ann = await seedPlayer(c, "Ann");
    const ben = await seedPlayer(c, "Ben");
    const mal = await seedPlayer(c, HOSTILE);
    const t0 = Date.UTC(2026, 10, 20);
    for (let i = 0; i < 3; i++) {
      const id = await seedFinishedGame(c, {
        kind: "connect4",
        seat0: i % 2 ? ben.id : ann.id,
        seat1: i % 2 ? ann.id : ben.id,
        winner: i % 2 ? 1 : 0,
        at: new Date(t0 + i * 86_400_000),
        ratingPool: "connect4",
      });
      games.push(id);
      await seedRatingChange(c, {
        gameId: id,
        playerId: ann.id,
        pool: "connect4",
        before: 1800 + 50 * i,
        after: 1850 + 50 * i,
        at: new Date(t0 + i * 86_400_000 + 60_000),
      });
    }
    games = games.reverse(); // newest first
    await seedRating(c, ann.id, "connect4", 1950, { rd: 70, games: 3, wins: 3, losses: 0, draws: 0 });
    await seedRating(c, ben.id, "connect4", 1700);
    await seedRating(c, mal.id, "connect4", 1800);
    await seedRating(c, ann.id, "chess-blitz", 1520, { rd: 240, games: 1 });
  });
  // The board computed after the seeding (every 0.5 s here).
  const since = Date.now();
  for (;;) {
    const r = await fetch(`${node.url}/api/leaderboard/connect4`);
    const body = (await r.json()) as { refreshedAt: number; entries: unknown[] };
    if (body.refreshedAt > since && body.entries.length === 3) break;
    if (Date.now() - since > 30_000) throw new Error("the board was not refreshed");
    await new Promise((res) => setTimeout(res, 100));
  }
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (err) => console.error("page error:", err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as Partial<Hooks>).tabula !== undefined);
  await page.waitForFunction(() => (document.querySelector("#whoami")?.textContent ?? "…") !== "…");
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe("leaderboard and profile pages", () => {
  it("shows a pool's ranking from the lobby's Leaderboard, names as text", async () => {
    await page.click("#open-leaderboard");
    await screenIs(page, "leaderboard");
    await page.click('#leaderboard-tabs button[data-pool="connect4"]');
    await page.waitForSelector('#leaderboard-rows[data-pool="connect4"][data-state="loaded"]');
    const rows = await page.$$eval("#leaderboard-rows tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)),
    );
    expect(rows).toEqual([
      ["1", "Ann", "1950"],
      ["2", HOSTILE, "1800"],
      ["3", "Ben", "1700"],
    ]);
    // Markup in a name made no element.
    expect(await page.$$eval("#leaderboard-screen img, #leaderboard-screen b", (els) => els.length)).toBe(0);
    // This guest has no connect4 rating.
    expect(await page.textContent("#leaderboard-you")).toMatch(/no rating in Connect Four/);
  });

  it("opens a profile by clicking a name: ratings, a drawn rating-history chart, results and recent games", async () => {
    await page.click(`#leaderboard-rows button[data-player-id="${ann.id}"]`);
    await screenIs(page, "profile");
    await page.waitForSelector(`#profile-screen[data-state="loaded"][data-player-id="${ann.id}"]`);
    expect(await page.textContent("#profile-name")).toBe("Ann");
    const cards = await page.$$eval("#profile-ratings .rating-card", (els) =>
      els.map((el) => [
        el.getAttribute("data-pool"),
        el.querySelector(".rating-value")?.textContent,
        el.querySelector(".rating-rank")?.textContent,
      ]),
    );
    expect(cards).toEqual([
      ["chess-blitz", "1520?", "provisional"],
      ["connect4", "1950", "#1"],
    ]);
    // The chart has its three points and has drawn them: coloured pixels on the canvas.
    expect(await page.getAttribute("#rating-chart", "data-points")).toBe("3");
    const painted = await page.evaluate(() => {
      const canvas = document.querySelector("#rating-chart") as HTMLCanvasElement;
      const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      // The connect4 line's blue (#4c7dff), give or take anti-aliasing.
      for (let i = 0; i < data.length; i += 4)
        if (data[i + 3]! > 200 && Math.abs(data[i]! - 76) < 40 && Math.abs(data[i + 1]! - 125) < 40 && data[i + 2]! > 200) n++;
      return { n, width: canvas.width, height: canvas.height };
    });
    expect(painted.width).toBeGreaterThan(100);
    expect(painted.n).toBeGreaterThan(50);
    const results = await page.$$eval("#profile-results tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
    );
    expect(results).toEqual([["Connect Four", "3", "3", "0", "0", "100%"]]);
    const listed = await page.$$eval("#profile-games li[data-game-id]", (lis) =>
      lis.map((li) => li.getAttribute("data-game-id")),
    );
    expect(listed).toEqual(games);
  });

  it("opens a recent game's replay, and the lobby's My profile shows the caller's own", async () => {
    await page.click(`#profile-games li[data-game-id="${games[0]}"] button[data-action="replay"]`);
    await screenIs(page, "replay");
    await page.waitForFunction(() => document.querySelector("#game-title")?.textContent?.startsWith("Replay · Connect Four"));
    const names = await page.$$eval(".player-card .player-name", (els) => els.map((e) => e.textContent).sort());
    expect(names).toEqual(["Ann", "Ben"]);

    await page.click("#leave-replay");
    await screenIs(page, "lobby");
    const me = await page.textContent("#whoami");
    await page.click("#open-profile");
    await screenIs(page, "profile");
    await page.waitForSelector('#profile-screen[data-state="loaded"]');
    expect(await page.textContent("#profile-name")).toBe(me);
    expect(await page.textContent("#profile-ratings")).toBe("No rated games yet.");
    expect(await page.isVisible("#rating-chart-empty")).toBe(true);
  });
});
