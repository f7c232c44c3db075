/**
 * Two players in two headless Chromium pages find each other by quick play
 * and play Connect Four to a win through the Phaser UI: real mouse clicks on
 * the canvas, a real node, a real PostgreSQL. Screenshots go to .artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../../game-server/test/support/db.ts";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const ARTIFACTS = resolve(import.meta.dirname, "../../.artifacts");

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  node = await startTestNode({ CLIENT_DIST: "client/dist" });
  const index = await fetch(`${node.url}/`);
  if (!(await index.text()).includes("<canvas") && index.status !== 200) throw new Error("client not served");
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

type TabulaState = {
  screen: string;
  seat: 0 | 1 | null;
  snapshot: { ply: number; status: string; result: unknown; view: { toMove: number | null } } | null;
};

const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { tabula: { state(): unknown } }).tabula.state() as TabulaState);

async function open(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  if (process.env.E2E_CONSOLE) page.on("console", (m) => console.log(`[${name}] ${m.type()}: ${m.text()}`));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  await page.selectOption("#game-select", "connect4");
  return page;
}

/** Click Connect Four column `col` on the canvas, as a person would. */
async function dropDisc(page: Page, col: number): Promise<void> {
  const p = await page.evaluate(
    (c) => (window as unknown as { tabula: { columnPoint(c: number): { x: number; y: number } | null } }).tabula.columnPoint(c),
    col,
  );
  if (!p) throw new Error("no Connect Four board on screen");
  await page.mouse.click(p.x, p.y);
}

/** The top bar's counts: data-players / data-games of #online-count ("" while offline). */
const counts = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector("#online-count") as HTMLElement;
    return { players: Number(el.dataset.players || -1), games: Number(el.dataset.games || -1), text: el.textContent };
  });

describe("browser", () => {
  it("the top bar counts the viewer at once: online in the lobby, and a live game as soon as one starts", async () => {
    // Counts refresh every 10 s on their own: anything within 2 s comes from the refresh on load / on joining.
    const page = await open("Counter");
    await page.waitForFunction(
      () => Number((document.querySelector("#online-count") as HTMLElement).dataset.players) >= 1,
      null,
      {
        timeout: 2_000,
      },
    );
    await page.click("#play-bot");
    await page.waitForFunction(() => (window as any).tabula.state().snapshot !== null, null, { timeout: 10_000 });
    const joinedAt = Date.now();
    await page.waitForFunction(
      () => {
        const el = document.querySelector("#online-count") as HTMLElement;
        return Number(el.dataset.players) >= 1 && Number(el.dataset.games) >= 1;
      },
      null,
      { timeout: 2_000, polling: 50 },
    );
    const c = await counts(page);
    console.log(`top bar ${Date.now() - joinedAt} ms after joining: ${c.text}`);
    expect(c.players).toBeGreaterThanOrEqual(1);
    expect(c.games).toBeGreaterThanOrEqual(1);
    expect(c.text).toMatch(/^\d+ online · \d+ live games?$/);
    await page.context().close();
  });

  it("two players find each other and play Connect Four to a win", async () => {
    const [alice, bob] = await Promise.all([open("Alice"), open("Bob")]);
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    for (const page of [alice, bob])
      await page.waitForFunction(
        () => {
          const s = (window as any).tabula.state();
          return s.screen === "game" && s.snapshot !== null;
        },
        null,
        { timeout: 20_000 },
      );

    const seats = await Promise.all([state(alice), state(bob)]);
    const first = seats[0].seat === 0 ? alice : bob;
    const second = first === alice ? bob : alice;
    const gameId = await first.evaluate(() => (window as any).tabula.state().snapshot.gameId as string);

    // The first player stacks column 3, the second column 4: the first wins vertically on the 7th move.
    const script: Array<[Page, number]> = [
      [first, 3],
      [second, 4],
      [first, 3],
      [second, 4],
      [first, 3],
      [second, 4],
      [first, 3],
    ];
    for (const [ply, [page, col]] of script.entries()) {
      await page.waitForFunction(
        (p) => {
          const s = (window as any).tabula.state();
          return s.snapshot?.ply === p && s.snapshot.view.toMove === s.seat;
        },
        ply,
        { timeout: 10_000 },
      );
      if (ply === script.length - 1) await page.screenshot({ path: resolve(ARTIFACTS, "connect4-midgame.png") });
      await dropDisc(page, col);
      await page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p + 1, ply, { timeout: 10_000 });
    }

    for (const page of [first, second]) {
      await page.waitForSelector("#result-dialog:not([hidden])", { timeout: 10_000 });
    }
    const final = await state(second);
    expect(final.snapshot?.status).toBe("finished");
    expect(final.snapshot?.result).toEqual({ winner: 0, reason: "connect-four" });
    expect(await first.textContent("#result-dialog")).toMatch(/won/i);
    expect(await second.textContent("#result-dialog")).toMatch(/lost/i);
    await first.screenshot({ path: resolve(ARTIFACTS, "connect4-win.png") });
    await second.screenshot({ path: resolve(ARTIFACTS, "connect4-loss.png") });

    // What the pages showed is what the database holds.
    const log = await query<{ move: string }>(node.databaseUrl, `SELECT move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [
      gameId,
    ]);
    expect(log.map((r) => r.move)).toEqual(script.map(([, c]) => String(c)));
  });
});
