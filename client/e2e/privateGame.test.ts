/**
 * A private game in the browser: one page invites with a password, another
 * enters the code, is asked for the password, gives a wrong one (told so, in
 * the dialog) and then the right one, and both play; a third page sees the
 * game locked in the Watch list and watches it once it gives the password.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

type TabulaState = { screen: string; seat: 0 | 1 | null; snapshot: { gameId: string; you: { role: string } } | null };

const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { tabula: { state(): unknown } }).tabula.state() as TabulaState);

async function open(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  await page.selectOption("#game-select", "connect4");
  return page;
}

/** Wait until the page shows a live game. */
const inGame = (page: Page) =>
  page.waitForFunction(
    () => {
      const s = (window as any).tabula.state();
      return s.screen === "game" && s.snapshot !== null;
    },
    null,
    { timeout: 20_000 },
  );

/** Answer the password dialog with `password`, after checking what it says. */
async function answer(page: Page, says: RegExp, password: string): Promise<void> {
  await page.waitForSelector("#game-password-dialog:not([hidden])");
  expect(await page.textContent("#game-password-error")).toMatch(says);
  await page.fill("#game-password", password);
  await page.click("#game-password-ok");
}

describe("private games in the browser", () => {
  it("the invited player and a spectator are asked for the password; a wrong one is refused in words", async () => {
    const password = "correct horse";
    const [host, guest, watcher] = await Promise.all([open("Hosta"), open("Guesta"), open("Watcha")]);
    await host.fill("#invite-password", password);
    await host.click("#create-invite");
    await host.waitForFunction(() => /^[A-Z0-9]{6}$/.test(document.querySelector("#invite-code-display")?.textContent ?? ""));
    const code = (await host.textContent("#invite-code-display")) as string;

    await guest.fill("#invite-code", code);
    await guest.click("#join-invite");
    await answer(guest, /private/i, "not the password");
    // Still in the dialog, told the password was wrong.
    await guest.waitForFunction(() => document.querySelector("#game-password-error")?.textContent?.includes("Wrong password"));
    expect(await guest.isVisible("#game-password-dialog")).toBe(true);
    await answer(guest, /Wrong password/, password);
    await Promise.all([inGame(host), inGame(guest)]);
    const [hs, gs] = await Promise.all([state(host), state(guest)]);
    expect([hs.seat, gs.seat].sort()).toEqual([0, 1]);
    const gameId = hs.snapshot?.gameId as string;

    // The Watch list shows the game locked; watching asks for the password.
    await watcher.click("#watch-tab");
    const item = `#live-games li[data-game-id="${gameId}"]`;
    await watcher.waitForSelector(item, { timeout: 15_000 });
    expect(await watcher.getAttribute(item, "data-private")).toBe("true");
    expect(await watcher.textContent(`${item} .live-title`)).toContain("🔒");
    await watcher.click(`${item} [data-action="watch"]`);
    await answer(watcher, /private/i, "wrong again");
    await answer(watcher, /Wrong password/, password);
    await inGame(watcher);
    expect((await state(watcher)).snapshot?.you.role).toBe("spectator");
    for (const p of [host, guest, watcher]) await p.context().close();
  });
});
