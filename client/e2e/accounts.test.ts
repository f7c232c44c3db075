/**
 * Accounts in the browser against a real node: a guest creates an account in
 * the lobby's "You" card (claiming itself), a reload stays logged in, a wrong
 * password shows its error code in words, logging out makes a guest again, and
 * logging in brings the account back. The access token lives 10 s here, so
 * the page also has to renew it (and still be logged in) while it waits.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const ACCESS_TTL_S = 10;
let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist", ACCESS_TOKEN_TTL_S: String(ACCESS_TTL_S) });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

const status = (page: Page) => page.textContent("#account-status");

/** Wait until the "You" card says `text` (a guest's or an account's line). */
async function until(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector("#account-status")?.textContent?.includes(t), text, {
    timeout: 20_000,
  });
}

describe("accounts in the lobby", () => {
  it("create an account, reload and stay logged in, renew the token, log out, log in again", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(node.url);
    await until(page, "Playing as a guest");
    const guestId = await page.evaluate(
      async () =>
        (
          await (
            await fetch("/api/me", {
              headers: { authorization: `Bearer ${localStorage.getItem("tabula.token")}` },
            })
          ).json()
        ).id as string,
    );

    const name = `Ann${Date.now() % 100_000}`;
    await page.click("#show-signup");
    await page.fill("#signup-name", name);
    await page.fill("#signup-password", "short");
    await page.click("#signup-submit");
    expect(await page.textContent("#account-error")).toContain("at least 8 characters");
    await page.fill("#signup-password", "correct horse battery");
    await page.click("#signup-submit");
    await until(page, `Logged in as ${name}`);
    expect(await page.textContent("#account-kind")).toBe("account");

    // The claimed guest is the account: same player.
    const me = async () =>
      page.evaluate(
        async () =>
          (await (
            await fetch("/api/me", {
              headers: { authorization: `Bearer ${localStorage.getItem("tabula.token")}` },
            })
          ).json()) as { id: string; name: string; account: boolean },
      );
    expect(await me()).toEqual({ id: guestId, name, account: true });

    await page.reload();
    await until(page, `Logged in as ${name}`);
    // The page renews its 10-second access token by itself: wait until the stored one has changed, then use it.
    const first = await page.evaluate(() => localStorage.getItem("tabula.token"));
    await page.waitForFunction((t) => localStorage.getItem("tabula.token") !== t, first, { timeout: 20_000 });
    expect((await me()).account).toBe(true);

    await page.click("#logout");
    await until(page, "Playing as a guest");
    expect(await page.textContent("#account-kind")).toBe("guest");
    expect((await me()).id).not.toBe(guestId);

    await page.click("#show-login");
    await page.fill("#login-name", name.toLowerCase());
    await page.fill("#login-password", "not the password");
    await page.click("#login-submit");
    // BAD_CREDENTIALS in the page's words (the server's English message is not shown).
    await page.waitForFunction(() => document.querySelector("#account-error")?.textContent === "Wrong username or password.");
    expect(await status(page)).toContain("Playing as a guest");
    await page.fill("#login-password", "correct horse battery");
    await page.click("#login-submit");
    await until(page, `Logged in as ${name}`);
    expect(await me()).toEqual({ id: guestId, name, account: true });
    await context.close();
  });
});
