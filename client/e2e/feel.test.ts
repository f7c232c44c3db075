/**
 * Game feel and clear states, in two headless Chromium pages against a real
 * node: a chess premove sent the moment the turn comes; the PGN downloaded and
 * copied; a declined draw offer told to the one who offered; the opponent's
 * page closed → the other page says so at once with the countdown, then
 * claims the win; the mute switch remembered across a reload. The node's
 * reconnection window is short (RECONNECT_WINDOW_S) so the claim opens soon.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

/** Seconds a disconnected player's seat is held here, before the opponent may claim the win. */
const WINDOW_S = 15;

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist", RECONNECT_WINDOW_S: String(WINDOW_S) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

type Snap = { gameId: string; ply: number; status: string; result: unknown; moves: Array<{ move: string }> };
const snap = (page: Page) => page.evaluate(() => (window as any).tabula.state().snapshot as Snap | null);
const seatOf = (page: Page) => page.evaluate(() => (window as any).tabula.state().seat as 0 | 1 | null);

async function open(name: string, context?: BrowserContext): Promise<Page> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true }));
  const page = await ctx.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  return page;
}

/** Click a chess square on the canvas, as a person would. */
async function clickSquare(page: Page, square: string): Promise<void> {
  const p = await page.evaluate((sq) => (window as any).tabula.squarePoint(sq) as { x: number; y: number } | null, square);
  if (!p) throw new Error("no chess board on screen");
  await page.mouse.click(p.x, p.y);
}

async function move(page: Page, uci: string): Promise<void> {
  await clickSquare(page, uci.slice(0, 2));
  await clickSquare(page, uci.slice(2, 4));
}

const untilPly = (page: Page, ply: number) =>
  page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p, ply, { timeout: 15_000 });

describe("game feel and clear states", () => {
  let white: Page;
  let black: Page;

  it("a chess premove made during the opponent's turn is played the moment the turn comes", async () => {
    const [alice, bob] = await Promise.all([open("Alice"), open("Bob")]);
    for (const page of [alice, bob]) await page.selectOption("#game-select", "chess");
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    for (const page of [alice, bob]) {
      await page.waitForFunction(() => (window as any).tabula.state().snapshot !== null, null, { timeout: 20_000 });
    }
    [white, black] = (await seatOf(alice)) === 0 ? [alice, bob] : [bob, alice];

    await move(white, "e2e4");
    await untilPly(black, 1);
    // Black to move: White queues Nf3. It is drawn (the board's premove), not sent.
    await move(white, "g1f3");
    await white.waitForFunction(() => (document.querySelector("#board") as HTMLElement).dataset.premove === "g1f3");
    expect((await snap(white))?.ply).toBe(1);
    await move(black, "e7e5");
    // The premove goes as soon as Black's move arrives: nobody clicks on White's page.
    await untilPly(black, 3);
    expect((await snap(black))?.moves.map((m) => m.move)).toEqual(["e2e4", "e7e5", "g1f3"]);
    expect(await white.evaluate(() => (document.querySelector("#board") as HTMLElement).dataset.premove)).toBe("");
    // Each move arriving made its sound (decided; the page has not been clicked into playing audio for Black).
    expect(await black.getAttribute("#sound-toggle", "data-last-sound")).toBe("move");
  });

  it("the PGN is downloaded and copied with the game's moves", async () => {
    const [download] = await Promise.all([white.waitForEvent("download"), white.click("#download-moves")]);
    expect(download.suggestedFilename()).toMatch(/^tabula-.+\.pgn$/);
    const pgn = readFileSync((await download.path())!, "utf8");
    expect(pgn).toContain('[Result "*"]');
    expect(pgn).toMatch(/\[White "(Alice|Bob)"\]/);
    expect(pgn).toContain("1. e4 e5 2. Nf3 *");

    await black.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: node.url });
    expect(await black.textContent("#copy-moves")).toBe("Copy PGN");
    await black.click("#copy-moves");
    await black.waitForFunction(() => document.querySelector("#toast")?.textContent === "PGN copied.");
    expect(await black.evaluate(() => navigator.clipboard.readText())).toContain("1. e4 e5 2. Nf3 *");
  });

  it("a declined draw offer is told to the one who offered", async () => {
    await white.click("#offer-draw");
    await black.waitForSelector("#draw-offer:not([hidden])");
    await black.click("#decline-draw");
    await white.waitForSelector('#offer-notice[data-offer="draw"]:not([hidden])', { timeout: 10_000 });
    expect(await white.textContent("#offer-notice")).toBe("Your draw offer was declined.");
    expect(await black.isHidden("#offer-notice")).toBe(true);
  });

  it("the opponent's page closes: a countdown at once, then the win is claimed", async () => {
    const seat = await seatOf(white);
    const closedAt = Date.now();
    await black.context().close();
    // (On a loaded machine the page may take a few seconds to draw it: the countdown tells when the server knew.)
    await white.waitForSelector('#away-notice[data-claim="false"]:not([hidden])', { timeout: 12_000 });
    const shownAfterMs = Date.now() - closedAt;
    // One look at the panel (the countdown moves on): the countdown is on, the claim not yet.
    const notice = await white.evaluate(() => ({
      seconds: Number((document.querySelector("#away-notice") as HTMLElement).dataset.seconds),
      text: document.querySelector("#away-text")?.textContent,
      claimHidden: (document.querySelector("#claim-win") as HTMLElement).hidden,
    }));
    console.log(`opponent-left notice ${shownAfterMs} ms after the page closed, ${notice.seconds} s to go`);
    // The server said so at once: its countdown started when the page closed, not later.
    expect(notice.seconds).toBeGreaterThanOrEqual(WINDOW_S - Math.ceil(shownAfterMs / 1000) - 1);
    expect(notice.seconds).toBeLessThanOrEqual(WINDOW_S);
    expect(notice.text).toBe(`Your opponent left the game. You can claim the win in ${notice.seconds} s.`);
    expect(notice.claimHidden).toBe(true);

    await white.waitForSelector("#claim-win:not([hidden])", { timeout: (WINDOW_S + 5) * 1000 });
    expect((await snap(white))?.status).toBe("active"); // the server waits for the claim
    await white.click("#claim-win");
    await white.waitForSelector("#result-dialog:not([hidden])", { timeout: 10_000 });
    expect(await snap(white)).toMatchObject({ status: "finished", result: { winner: seat, reason: "abandon" } });
  });

  it("the replay of the finished game exports its PGN too, with the result", async () => {
    const gameId = (await snap(white))!.gameId;
    await white.click("#back-to-lobby");
    const replay = `[data-game-id="${gameId}"] [data-action="replay"]`;
    await white.waitForSelector(replay, { timeout: 10_000 });
    await white.click(replay);
    await white.waitForFunction(() => (window as any).tabula.state().screen === "replay");
    await white.waitForFunction(() => document.querySelector("#copy-moves")?.textContent === "Copy PGN");
    const [download] = await Promise.all([white.waitForEvent("download"), white.click("#download-moves")]);
    const pgn = readFileSync((await download.path())!, "utf8");
    expect(pgn).toContain(`[Site "${node.url}/?watch=${gameId}"]`);
    expect(pgn).toContain('[Termination "abandoned"]');
    expect(pgn).toContain("1. e4 e5 2. Nf3 1-0");
    await white.context().close();
  });

  it("the mute switch is remembered across a reload", async () => {
    const page = await open("Muter");
    expect(await page.getAttribute("#sound-toggle", "data-muted")).toBe("false");
    await page.click("#sound-toggle");
    expect(await page.getAttribute("#sound-toggle", "aria-pressed")).toBe("true");
    await page.reload();
    await page.waitForSelector("#sound-toggle");
    expect(await page.getAttribute("#sound-toggle", "data-muted")).toBe("true");
    await page.click("#sound-toggle");
    await page.reload();
    await page.waitForSelector("#sound-toggle");
    expect(await page.getAttribute("#sound-toggle", "data-muted")).toBe("false");
    await page.context().close();
  });
});
