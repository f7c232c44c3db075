/**
 * Chat in the browser, hostile text included: a message with markup sent by
 * one page shows as literal text in the other — in the lobby and in a game —
 * and creates no element and runs no script there (the panel sets
 * textContent, chatPanel.ts). Two real pages, a real node, a real PostgreSQL.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const HOSTILE = `<img src=x onerror="window.__pwned=1"><b>hi</b><script>window.__pwned=2</script>`;

let node: TestNode;
let browser: Browser;
const dialogs: string[] = [];

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

async function open(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  return page;
}

/** Type `text` in the chat panel `panel` (#lobby-chat or #game-chat) and send it. */
async function say(page: Page, panel: string, text: string): Promise<void> {
  await page.fill(`${panel} .chat-input`, text);
  await page.click(`${panel} .chat-form button[type=submit]`);
}

/** Wait until `panel` on `page` shows a line whose text is exactly `text`; then what the page made of it. */
async function seen(page: Page, panel: string, text: string) {
  await page.waitForFunction(
    ([p, t]) => [...document.querySelectorAll(`${p} .chat-text`)].some((el) => el.textContent === t),
    [panel, text] as const,
    { timeout: 15_000 },
  );
  return page.evaluate(
    ([p, t]) => {
      const el = [...document.querySelectorAll(`${p} .chat-text`)].find((e) => e.textContent === t) as HTMLElement;
      return {
        childElements: el.children.length,
        inPanel: document.querySelectorAll(`${p} img, ${p} b, ${p} script`).length,
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      };
    },
    [panel, text] as const,
  );
}

describe("chat in the browser", () => {
  it("markup sent to the lobby and to a game shows as text on the other page: no element, no script", async () => {
    const [alice, bob] = await Promise.all([open("Alice"), open("Bob")]);

    await say(alice, "#lobby-chat", HOSTILE);
    expect(await seen(bob, "#lobby-chat", HOSTILE)).toEqual({ childElements: 0, inPanel: 0, pwned: null });

    await alice.selectOption("#game-select", "connect4");
    await bob.selectOption("#game-select", "connect4");
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { tabula: { state(): { screen: string; snapshot: unknown } } }).tabula.state();
          return s.screen === "game" && s.snapshot !== null;
        },
        null,
        { timeout: 20_000 },
      );
    }
    await say(bob, "#game-chat", HOSTILE);
    expect(await seen(alice, "#game-chat", HOSTILE)).toEqual({ childElements: 0, inPanel: 0, pwned: null });
    // The sender's own copy came back through the server as text too.
    expect(await seen(bob, "#game-chat", HOSTILE)).toEqual({ childElements: 0, inPanel: 0, pwned: null });

    // A refusal is shown in the panel: too long.
    await say(alice, "#game-chat", "x".repeat(300));
    await alice.waitForFunction(() => /too long/i.test(document.querySelector("#game-chat .chat-error")?.textContent ?? ""));
    expect(dialogs).toEqual([]);
  });
});
