/**
 * Two players in two headless Chromium pages find each other by quick play and
 * play Battleship to a result through the Phaser UI: each places its fleet with
 * the "Random layout" and "Confirm fleet" buttons, then fires by clicking the
 * enemy's cells — real mouse clicks on the canvas, a real node, a real
 * PostgreSQL. To keep it short the first player aims at the other's ships (the
 * test reads them from the database, as no page can); the second fires at
 * random. Screenshots go to .artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { bsCellName, bsParsePlacement } from "@tabula/shared/rules";
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
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

type View = {
  ply: number;
  toMove: number | null;
  shots: [{ cell: number }[], { cell: number }[]];
  fleets: [{ cells: number[] }[], { cells: number[] }[]];
};
type TabulaState = {
  screen: string;
  seat: 0 | 1 | null;
  snapshot: { gameId: string; ply: number; status: string; result: unknown; view: View } | null;
};

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
  await page.selectOption("#game-select", "battleship");
  return page;
}

/** Click a Battleship board location ("random", "confirm", a target cell "b5") on the canvas. */
async function click(page: Page, key: string): Promise<void> {
  const p = await page.evaluate(
    (k) =>
      (
        window as unknown as { tabula: { boardPoint(kind: string, key: string): { x: number; y: number } | null } }
      ).tabula.boardPoint("battleship", k),
    key,
  );
  if (!p) throw new Error(`no Battleship board location ${key} on screen`);
  await page.mouse.click(p.x, p.y);
}

/** Wait until it is this page's turn at ply `ply` (or the game is over: false). */
async function myTurn(page: Page, ply: number): Promise<boolean> {
  await page.waitForFunction(
    (p) => {
      const s = (window as any).tabula.state();
      return s.snapshot?.status !== "active" || (s.snapshot.ply === p && s.snapshot.view.toMove === s.seat);
    },
    ply,
    { timeout: 30_000, polling: 100 },
  );
  return (await state(page)).snapshot?.status === "active";
}

describe("browser: Battleship", () => {
  it("two players place their fleets with the random layout and fire by clicking until a fleet is sunk", async () => {
    const [alice, bob] = await Promise.all([open("Alice"), open("Bob")]);
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    for (const page of [alice, bob])
      await page.waitForFunction(
        () => (window as any).tabula.state().snapshot !== null && (window as any).tabula.state().screen === "game",
        null,
        {
          timeout: 20_000,
        },
      );
    const seats = await Promise.all([state(alice), state(bob)]);
    const first = seats[0].seat === 0 ? alice : bob;
    const second = first === alice ? bob : alice;
    const gameId = seats[0].snapshot!.gameId;

    // Placement: each page draws a random layout (twice, to use the button) and confirms it.
    for (const [ply, page] of [first, second].entries()) {
      expect(await myTurn(page, ply)).toBe(true);
      await click(page, "random");
      await click(page, "random");
      if (ply === 0) await page.screenshot({ path: resolve(ARTIFACTS, "battleship-placement.png") });
      await click(page, "confirm");
      await page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p + 1, ply, { timeout: 10_000 });
    }
    // Each page shows its own fleet and none of the other's.
    for (const [seat, page] of [first, second].entries()) {
      const v = (await state(page)).snapshot!.view;
      expect(v.fleets[seat]).toHaveLength(5);
      expect(v.fleets[1 - seat]).toEqual([]);
    }

    // The second seat's fleet, which only the database knows: the first seat aims at it.
    const [row] = await query<{ move: string }>(node.databaseUrl, `SELECT move FROM "Move" WHERE "gameId" = $1 AND ply = 1`, [
      gameId,
    ]);
    const fleet = bsParsePlacement(row!.move);
    if (!fleet.ok) throw new Error("stored fleet does not parse");
    const targets = fleet.ships.flatMap((s) => s.cells).map(bsCellName);
    let ply = 2;
    let aimed = 0;
    for (;;) {
      const page = ply % 2 === 0 ? first : second;
      if (!(await myTurn(page, ply))) break;
      let cell: string;
      if (page === first) cell = targets[aimed++]!;
      else {
        const fired = new Set((await state(page)).snapshot!.view.shots[1].map((s) => s.cell));
        let c = 0;
        while (fired.has(c)) c++;
        cell = bsCellName(c);
      }
      if (ply === 12) await first.screenshot({ path: resolve(ARTIFACTS, "battleship-midgame.png") });
      await click(page, cell);
      await page.waitForFunction(
        (p) => {
          const s = (window as any).tabula.state().snapshot;
          return s?.ply === p + 1 || s?.status !== "active";
        },
        ply,
        { timeout: 30_000, polling: 100 },
      );
      ply++;
    }

    for (const page of [first, second]) await page.waitForSelector("#result-dialog:not([hidden])", { timeout: 10_000 });
    const final = await state(second);
    expect(final.snapshot?.result).toEqual({ winner: 0, reason: "fleet-sunk" });
    expect(aimed).toBe(17);
    // Over: the loser now sees the winner's whole fleet too.
    expect(final.snapshot!.view.fleets[0]).toHaveLength(5);
    await first.screenshot({ path: resolve(ARTIFACTS, "battleship-win.png") });
    await second.screenshot({ path: resolve(ARTIFACTS, "battleship-loss.png") });
  }, 420_000);
});
