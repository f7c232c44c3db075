/**
 * The served client works under its Content-Security-Policy: the page and
 * the API carry the security headers, and loading the lobby, starting a game
 * against the bot and drawing its Phaser board raise no CSP violation (each
 * one is caught in the page by a `securitypolicyviolation` listener and in
 * the console).
 */
import type { Browser } from "playwright-core";
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

describe("Content-Security-Policy", () => {
  it("is sent with the page and the API, with the other security headers", async () => {
    for (const path of ["/", "/api/games/meta"]) {
      const res = await fetch(node.url + path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("SAMEORIGIN");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("x-powered-by"), path).toBeNull();
    }
  });

  it("the page loads, plays against the bot and draws its Phaser board without a single CSP violation", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const consoleViolations: string[] = [];
    page.on("console", (m) => {
      if (/content security policy/i.test(m.text())) consoleViolations.push(m.text());
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`),
      );
    });
    await page.goto(node.url);
    await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
    await page.selectOption("#game-select", "connect4");
    await page.click("#play-bot");
    await page.waitForFunction(
      () => {
        const s = (window as any).tabula.state();
        return s.screen === "game" && s.snapshot !== null && (window as any).tabula.columnPoint(3) !== null;
      },
      null,
      { timeout: 20_000 },
    );
    // Phaser's canvas is on the page, laid out (columnPoint above: its board scene is up).
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector("#board canvas") as HTMLCanvasElement | null;
      return canvas !== null && canvas.width > 0 && canvas.height > 0;
    });
    expect(drawn).toBe(true);
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations).toEqual([]);
    expect(consoleViolations).toEqual([]);
    await context.close();
  });
});
