/**
 * Two languages in the browser, against a real node: a page whose browser
 * speaks French opens in French (no English left in the visible lobby: the
 * text nodes are collected and checked against English words of the UI),
 * with a French screenshot of the lobby; the top bar's switch goes to English
 * and back at once, and the choice outlives a reload; a server error (a
 * refused login) shows as its code's translation; at phone width the top bar
 * stays on one line in both languages.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../.artifacts/screenshots");

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  node = await startTestNode({ CLIENT_DIST: "client/dist" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

/**
 * Words of the English UI (whole words, case as written) that must not show in the French lobby. Player
 * names are the players' own (a generated guest name is English words: "Swift Rook"), so the name spots
 * are left out of the check.
 */
const ENGLISH = [
  "Play",
  "Watch",
  "Leaderboard",
  "My profile",
  "Quick play",
  "Invite a friend",
  "Play a bot",
  "Time control",
  "Join a friend",
  "Join invite",
  "Change name",
  "Create account",
  "Log in",
  "My games",
  "Refresh",
  "online",
  "live game",
  "live games",
  "Lobby chat",
  "Send",
  "guest",
  "Playing as",
  "No games yet",
  "Resume",
  "Replay",
  "Game",
  "optional",
  "password",
  "characters",
];

/** The visible text of the lobby (text nodes of rendered elements, outside the players' names), one entry per node. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skip = new Set(["whoami", "account-status"]);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest("script, style, [hidden]")) continue;
      if ([...skip].some((id) => el.closest(`#${id}`)) || el.closest(".chat-name, .chat-text")) continue;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === "hidden" || style.display === "none") continue;
      out.push(text);
    }
    // Attributes a player meets too: placeholders and tooltips of visible controls.
    for (const el of document.querySelectorAll<HTMLElement>("[placeholder], [title], [aria-label]")) {
      if (el.closest("[hidden]") || el.closest("#you-pill") || el.getBoundingClientRect().width === 0) continue;
      for (const attr of ["placeholder", "title", "aria-label"]) {
        const v = el.getAttribute(attr);
        if (v && !["English", "Français", "Switch to English"].includes(v)) out.push(v);
      }
    }
    return out;
  });
}

function englishLeftovers(texts: string[]): string[] {
  return texts.filter((text) => ENGLISH.some((word) => new RegExp(`(^|[^\\p{L}])${word}([^\\p{L}]|$)`, "u").test(text)));
}

/** The lobby has loaded: identity known, counts and "My games" shown. */
async function lobbyReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      (document.querySelector("#online-count") as HTMLElement).dataset.players !== undefined &&
      (document.querySelector("#online-count") as HTMLElement).dataset.players !== "" &&
      (document.querySelector("#games-list") as HTMLElement).dataset.state === "loaded",
    null,
    { timeout: 20_000 },
  );
}

const lang = (page: Page) => page.evaluate(() => document.documentElement.lang);
const quickPlayText = (page: Page) => page.textContent("#quick-play");

/** Whether every direct child of the top bar (and of its pills' row) sits on one line, without overflow. */
function topBarOnOneLine(page: Page) {
  return page.evaluate(() => {
    const bar = document.querySelector(".topbar") as HTMLElement;
    const items = [
      document.querySelector(".brand"),
      ...document.querySelectorAll(".topbar-meta > *:not([hidden])"),
    ] as HTMLElement[];
    const boxes = items.map((el) => el.getBoundingClientRect());
    const centres = boxes.map((b) => b.top + b.height / 2);
    return {
      spread: Math.max(...centres) - Math.min(...centres),
      overflow: bar.scrollWidth - bar.clientWidth,
      pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      right: Math.max(...boxes.map((b) => b.right)),
      width: window.innerWidth,
    };
  });
}

describe("two languages", () => {
  it("opens in French for a French browser, with no English left in the lobby", async () => {
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(node.url);
    await lobbyReady(page);
    expect(await lang(page)).toBe("fr");
    expect(await quickPlayText(page)).toBe("⚡ Partie rapide");
    expect(await page.textContent("#online-count")).toMatch(/^\d+ en ligne · \d+ partie(s)? en cours$/);
    expect(await page.getAttribute("#lang-switch button[data-lang=fr]", "aria-pressed")).toBe("true");
    const leftovers = englishLeftovers(await visibleTexts(page));
    expect(leftovers).toEqual([]);
    await page.screenshot({ path: resolve(SCREENSHOTS, "lobby-fr.png"), fullPage: true });
    // The check does see English: the same page in English fails it.
    await page.click("#lang-switch button[data-lang=en]");
    expect(englishLeftovers(await visibleTexts(page)).length).toBeGreaterThan(5);
    await context.close();
  });

  it("switches to English and back at once, and remembers the choice across a reload", async () => {
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(node.url);
    await lobbyReady(page);
    const loads = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    await page.click("#lang-switch button[data-lang=en]");
    expect(await lang(page)).toBe("en");
    expect(await quickPlayText(page)).toBe("⚡ Quick play");
    // Text the code wrote (not only the markup) follows: the counts, the "You" card, My games.
    expect(await page.textContent("#online-count")).toMatch(/^\d+ online · \d+ live games?$/);
    expect(await page.textContent("#account-status")).toMatch(/^Playing as a guest: /);
    expect(await page.textContent("#games-list")).toContain("No games yet");
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(loads); // no reload
    await page.reload();
    await lobbyReady(page);
    expect(await lang(page)).toBe("en");
    expect(await quickPlayText(page)).toBe("⚡ Quick play");
    await page.click("#lang-switch button[data-lang=fr]");
    expect(await quickPlayText(page)).toBe("⚡ Partie rapide");
    expect(await page.textContent("#account-status")).toMatch(/^Vous jouez en invité\u00a0: /);
    await page.reload();
    await lobbyReady(page);
    expect(await lang(page)).toBe("fr");
    await context.close();
  });

  it("shows a server error as its code's translation", async () => {
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(node.url);
    await lobbyReady(page);
    await page.click("#show-login");
    await page.fill("#login-name", "Nobody Here");
    await page.fill("#login-password", "not the password");
    await page.click("#login-submit");
    await page.waitForSelector("#account-error:not([hidden])");
    // BAD_CREDENTIALS, in French; the server's English message ("wrong name or password") never shows.
    expect(await page.textContent("#account-error")).toBe("Nom d’utilisateur ou mot de passe incorrect.");
    await page.click("#lang-switch button[data-lang=en]");
    expect(await page.textContent("#account-error")).toBe("Wrong username or password.");
    await context.close();
  });

  it("keeps the top bar on one line at 390 px wide, in both languages", async () => {
    const context = await browser.newContext({
      locale: "fr-FR",
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(node.url);
    await lobbyReady(page);
    for (const language of ["fr", "en"]) {
      await page.click(`#lang-switch button[data-lang=${language}]`);
      const bar = await topBarOnOneLine(page);
      expect(bar.spread, language).toBeLessThan(4);
      expect(bar.overflow, language).toBeLessThanOrEqual(0);
      expect(bar.right, language).toBeLessThanOrEqual(bar.width);
    }
    await page.screenshot({
      path: resolve(SCREENSHOTS, "lobby-fr-phone-topbar.png"),
      clip: { x: 0, y: 0, width: 390, height: 60 },
    });
    await context.close();
  });
});
