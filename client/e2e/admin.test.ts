/**
 * The operator page (/admin) in Debian's headless Chromium against a real
 * node and PostgreSQL. The operator is made with the real
 * `npm run admin -- create`, signs in with the printed token, and sees the
 * node, a live game being played over the API, charts with data points and
 * an audit entry found by searching — with no CSP violation, at 1280×800 and
 * at phone width. A player who is not an operator opens /admin after playing
 * and is told "Not an operator", with no data on the page.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, quickPlay, Seat } from "../../game-server/test/support/clients.ts";
import { createTestDatabase } from "../../game-server/test/support/db.ts";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const ARTIFACTS = resolve(import.meta.dirname, "../../.artifacts");
const CLI = resolve(import.meta.dirname, "../../game-server/src/ops/admin/adminCli.ts");
const SECRET = "integration-tests-secret-0123456789abcdef";

let node: TestNode;
let browser: Browser;
let operator: { id: string; token: string };
let gameId: string;
let seats: Seat[] = [];
let adaId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const databaseUrl = await createTestDatabase();
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, "create", "Night Operator"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TOKEN_SECRET: SECRET, NODE_ENV: "test" },
  });
  const id = /^id:\s+(\S+)$/m.exec(stdout)?.[1];
  const token = /^token:\s+(\S+)$/m.exec(stdout)?.[1];
  if (!id || !token) throw new Error(`unexpected output of npm run admin:\n${stdout}`);
  operator = { id, token };
  node = await startTestNode({
    CLIENT_DIST: "client/dist",
    DATABASE_URL: databaseUrl,
    ADMIN_PLAYER_IDS: id,
    FIGURES_INTERVAL_MS: "500",
  });
  // A live game, played over the API as any client would (four moves committed).
  const a = await newPlayer(node.url, "Ada");
  adaId = a.id;
  const b = await newPlayer(node.url, "Brook");
  [gameId] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
  seats = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
  const [first, second] = seats[0].seat === 0 ? seats : [seats[1], seats[0]];
  for (const col of ["0", "1", "0", "1"]) await (col === "0" ? first : second).play(col);
  await node.audit.flush(); // Ada's and Brook's identities are in the audit log now
  browser = await launchChromium();
});
afterAll(async () => {
  for (const s of seats) await s.room.leave(true).catch(() => {});
  await browser?.close();
  await node?.stop();
});

/** A fresh browser context whose page records CSP violations and page errors. */
async function open(viewport: {
  width: number;
  height: number;
}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (m) => {
    if (/content security policy/i.test(m.text())) problems.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { context, page, problems };
}

const points = (page: Page, canvas: string) => page.locator(`#${canvas}`).getAttribute("data-points").then(Number);

describe("the operator page", () => {
  it("shows an operator the node, a live game, charts with data and the audit log, under the CSP, on a laptop and a phone", async () => {
    const { context, page, problems } = await open({ width: 1280, height: 800 });
    await page.goto(`${node.url}/admin`);
    await page.waitForSelector("#admin-signin:not([hidden])");
    await page.fill("#admin-token", operator.token);
    await page.click("#admin-signin-button");
    await page.waitForSelector("body[data-state='dashboard']");
    await expect.poll(() => page.textContent("#admin-whoami")).toBe("Night Operator");

    // The node table: this node, up, hosting the game and its two players.
    const row = page.locator("tr[data-node='n1']");
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("up");
    await expect.poll(() => row.locator("td").nth(3).textContent(), { timeout: 10_000 }).toBe("1");
    expect(await row.locator("td").nth(4).textContent()).toBe("2");
    // The live game, with its spectator link.
    const game = page.locator(`li[data-game='${gameId}']`);
    await game.waitFor();
    expect(await game.textContent()).toContain("Ada");
    expect(await game.locator("a").getAttribute("href")).toBe(`/?watch=${gameId}`);
    // Charts fill in as the node's figures come (every 500 ms here): the moves and the commit latency.
    await expect.poll(() => points(page, "chart-moves"), { timeout: 20_000 }).toBeGreaterThan(0);
    await expect.poll(() => points(page, "chart-commit"), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator("#chart-commit").evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0)).toBe(true);

    // The audit log: Ada's identity, found by kind and player.
    await page.fill("#audit-kind", "identity.created");
    await page.fill("#audit-player", adaId);
    await page.click("#audit-search");
    await expect.poll(() => page.textContent("#audit-status"), { timeout: 10_000 }).toMatch(/^1 entry/);
    const entry = page.locator("#audit-body tr[data-kind='identity.created']");
    expect(await page.locator("#audit-body tr").count()).toBe(1);
    expect(await entry.textContent()).toContain('"name":"Ada"');
    await page.screenshot({ path: resolve(ARTIFACTS, "admin-1280.png"), fullPage: true });

    // Phone width: everything still on the page, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: resolve(ARTIFACTS, "admin-phone.png"), fullPage: true });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: resolve(ARTIFACTS, "admin-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("tells a player who is not an operator so, and shows no data", async () => {
    const { context, page, problems } = await open({ width: 1280, height: 800 });
    // A visitor who played first: the page tries the game's guest token.
    await page.goto(node.url);
    await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
    await page.waitForFunction(() => localStorage.getItem("tabula.token") !== null);
    const adminAnswers: number[] = [];
    page.on("response", (r) => {
      if (r.url().includes("/api/admin/")) adminAnswers.push(r.status());
    });
    await page.goto(`${node.url}/admin`);
    await page.waitForSelector("body[data-state='refused']");
    expect(await page.locator("#admin-refused").isVisible()).toBe(true);
    expect(await page.textContent("#admin-refused h2")).toBe("Not an operator");
    expect(await page.locator("#admin-dashboard").isVisible()).toBe(false);
    expect(await page.locator("#nodes-body tr").count()).toBe(0);
    expect(await page.locator("#admin-games li").count()).toBe(0);
    expect(adminAnswers.length).toBeGreaterThan(0);
    expect(adminAnswers.every((s) => s === 403)).toBe(true);
    await page.screenshot({ path: resolve(ARTIFACTS, "admin-refused.png") });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lists chat reports (Chat reports): the reported message, its sender and the reason, shown as text", async () => {
    const rude = await newPlayer(node.url, "Rude");
    const reporter = await newPlayer(node.url, "Reporter");
    const said = await http<{ message: { id: string } }>(node.url, "POST", "/api/chat/lobby", rude.token, {
      text: "<b>you</b> are bad",
    });
    const reported = await http(node.url, "POST", "/api/chat/reports", reporter.token, {
      messageId: said.body.message.id,
      reason: "insult",
    });
    expect(reported.status).toBe(202);
    await node.audit.flush();
    const { context, page, problems } = await open({ width: 1280, height: 800 });
    await page.goto(`${node.url}/admin`);
    await page.fill("#admin-token", operator.token);
    await page.click("#admin-signin-button");
    await page.waitForSelector("body[data-state='dashboard']");
    await page.click("#audit-reports");
    await expect.poll(() => page.textContent("#audit-status"), { timeout: 10_000 }).toMatch(/^1 entry/);
    const row = page.locator("#audit-body tr[data-kind='chat.report']");
    const detail = (await row.locator("td.detail").getAttribute("title")) ?? "";
    for (const part of ["<b>you</b> are bad", "Rude", "insult", rude.id]) expect(detail).toContain(part);
    expect(await page.locator("#audit-body b").count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
