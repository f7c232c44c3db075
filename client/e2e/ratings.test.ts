/**
 * A rated game in the browser: two pages sign up (accounts), tick "Rated" by
 * quick play, find each other, talk in the game's chat (markup shows as
 * text) and play Connect Four to a win through the Phaser UI; both see the
 * ratings beside the names during the game and each player's change in the
 * result dialog ("1500 → 1662 (+162)"), as stored. Then the winner opens
 * "My profile" (the new rating, provisional, and its one-point history chart)
 * and the leaderboard (not ranked yet: provisional).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeRows } from "../../game-server/test/support/ratedPlay.ts";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

/** A page signed up as a new account named `name`, in the lobby with Connect Four chosen. */
async function account(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => document.querySelector("#account-status")?.textContent?.includes("guest"), null, {
    timeout: 20_000,
  });
  expect(await page.isHidden("#rated-toggle")).toBe(true); // a guest is not offered rated play
  await page.click("#show-signup");
  await page.fill("#signup-name", name);
  await page.fill("#signup-password", "correct horse battery");
  await page.click("#signup-submit");
  await page.waitForFunction((n) => document.querySelector("#account-status")?.textContent?.includes(`Logged in as ${n}`), name, {
    timeout: 20_000,
  });
  await page.waitForSelector("#rated-toggle:not([hidden])");
  await page.selectOption("#game-select", "connect4");
  return page;
}

async function dropDisc(page: Page, col: number): Promise<void> {
  const p = await page.evaluate(
    (c) => (window as unknown as { tabula: { columnPoint(c: number): { x: number; y: number } | null } }).tabula.columnPoint(c),
    col,
  );
  if (!p) throw new Error("no Connect Four board on screen");
  await page.mouse.click(p.x, p.y);
}

describe("rated play in the browser", () => {
  it("two accounts chat and play a rated game, see their new ratings, a profile and the leaderboard", async () => {
    const suffix = Date.now() % 100_000;
    const [alice, bob] = await Promise.all([account(`Ann${suffix}`), account(`Ben${suffix}`)]);
    for (const page of [alice, bob]) await page.check("#rated-choice");
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    for (const page of [alice, bob])
      await page.waitForFunction(() => (window as any).tabula.state().snapshot?.rated === true, null, { timeout: 20_000 });
    // The players talk in the game; a line with markup arrives as text.
    const hello = "gl <b>hf</b>";
    await alice.fill("#game-chat .chat-input", hello);
    await alice.click("#game-chat .chat-form button[type=submit]");
    await bob.waitForFunction(
      (t) => [...document.querySelectorAll("#game-chat .chat-text")].some((el) => el.textContent === t),
      hello,
      { timeout: 15_000 },
    );
    expect(await bob.locator("#game-chat b").count()).toBe(0);
    // Both new: 1500, provisional, beside each name.
    expect(await alice.textContent("#player-top .player-rating")).toBe("(1500?)");
    expect(await alice.textContent("#player-bottom .player-rating")).toBe("(1500?)");

    const seat = await alice.evaluate(() => (window as any).tabula.state().seat as 0 | 1);
    const first = seat === 0 ? alice : bob;
    const second = first === alice ? bob : alice;
    const gameId = await first.evaluate(() => (window as any).tabula.state().snapshot.gameId as string);
    for (const [ply, [page, col]] of ([first, second, first, second, first, second, first] as Page[])
      .map((p, i) => [p, i % 2 === 0 ? 3 : 4] as const)
      .entries()) {
      await page.waitForFunction(
        (p) => {
          const s = (window as any).tabula.state();
          return s.snapshot?.ply === p && s.snapshot.view.toMove === s.seat;
        },
        ply,
        { timeout: 10_000 },
      );
      await dropDisc(page, col);
      await page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p + 1, ply, { timeout: 10_000 });
    }

    // The result dialog lists both changes, as stored.
    const changes = await changeRows(node.databaseUrl, gameId);
    expect(changes).toHaveLength(2);
    for (const page of [first, second]) {
      await page.waitForFunction(() => document.querySelectorAll("#result-ratings li").length === 2, null, { timeout: 10_000 });
      const lines = await page.$$eval("#result-ratings li", (els) => els.map((e) => e.textContent ?? ""));
      const winner = Math.round(Math.max(...changes.map((c) => c.after)));
      const loser = Math.round(Math.min(...changes.map((c) => c.after)));
      expect(lines.join("\n")).toContain(`1500 → ${winner} (+${winner - 1500})`);
      expect(lines.join("\n")).toContain(`1500 → ${loser} (−${1500 - loser})`);
    }

    // The winner's profile: the new rating, provisional after one game, and its history on the chart.
    const winnerRating = Math.round(Math.max(...changes.map((c) => c.after)));
    await first.click("#back-to-lobby");
    await first.click("#open-profile");
    await first.waitForSelector('#profile-screen[data-state="loaded"]');
    const card = await first.$eval('#profile-ratings .rating-card[data-pool="connect4"]', (el) => ({
      value: el.querySelector(".rating-value")?.textContent,
      rank: el.querySelector(".rating-rank")?.textContent,
    }));
    expect(card).toEqual({ value: `${winnerRating}?`, rank: "provisional" });
    expect(await first.getAttribute("#rating-chart", "data-points")).toBe("1");
    // The leaderboard: not ranked yet, and told why.
    await first.click("#leave-profile");
    await first.click("#open-leaderboard");
    await first.click('#leaderboard-tabs button[data-pool="connect4"]');
    await first.waitForSelector('#leaderboard-rows[data-pool="connect4"][data-state="loaded"]');
    expect(await first.textContent("#leaderboard-you")).toMatch(/provisional/);
    await first.context().close();
    await second.context().close();
  });
});
