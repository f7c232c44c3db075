/**
 * The top bar's "N online · M live games" on a 2-node cluster behind nginx
 * (Redis presence, as in production): every value the pill ever shows is
 * recorded in the page from its first paint (a MutationObserver installed
 * before the page's own scripts). A page counts its own player in the first
 * count it shows, within a second of loading; two players in a game see both
 * of them and the game within a second of joining, and never a zero while
 * they play; after their socket drops and reconnects, the counts are right
 * again within a second.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../game-server/test/support/cluster.ts";
import { launchChromium } from "./browser.ts";

let cluster: Cluster;
let browser: Browser;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, env: { CLIENT_DIST: "client/dist" } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

type Shown = { at: number; players: number; games: number; text: string };

/** Record every count the pill shows (performance.now() since navigation), from before the app's first script. */
function recordCounts(): void {
  const w = window as unknown as { __counts: Shown[] };
  w.__counts = [];
  const watch = () => {
    const el = document.getElementById("online-count");
    if (!el) return void requestAnimationFrame(watch);
    const note = () => {
      if (el.textContent === "…") return; // not asked yet
      w.__counts.push({
        at: performance.now(),
        players: Number(el.dataset.players),
        games: Number(el.dataset.games),
        text: el.textContent ?? "",
      });
    };
    new MutationObserver(note).observe(el, { attributes: true, childList: true, characterData: true, subtree: true });
    note();
  };
  watch();
}

const shown = (page: Page) => page.evaluate(() => (window as unknown as { __counts: Shown[] }).__counts);
const now = (page: Page) => page.evaluate(() => performance.now());

async function open(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(recordCounts);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(cluster.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  return page;
}

/** Wait until the pill shows at least `players` and `games`, at most `ms` from now; resolves the time it took. */
async function countsReach(page: Page, players: number, games: number, ms: number): Promise<number> {
  const from = Date.now();
  try {
    await page.waitForFunction(
      ([p, g]) => {
        const el = document.getElementById("online-count") as HTMLElement;
        return Number(el.dataset.players) >= p && Number(el.dataset.games) >= g;
      },
      [players, games] as const,
      { timeout: ms, polling: 25 },
    );
  } catch (err) {
    const seen = (await shown(page)).map((c) => `${Math.round(c.at)}ms ${c.text}`);
    throw new Error(
      `not ${players} online · ${games} live within ${ms} ms (at ${Math.round(await now(page))}ms): ${seen.join(" | ")}`,
      {
        cause: err,
      },
    );
  }
  return Date.now() - from;
}

const inGame = (page: Page) =>
  page.waitForFunction(
    () => {
      const s = (window as any).tabula.state();
      return s.screen === "game" && s.snapshot !== null;
    },
    null,
    { timeout: 30_000 },
  );

describe("the online and live-game counters", () => {
  it("count the viewer in the very first value shown, within a second of loading", async () => {
    const page = await open("First");
    await countsReach(page, 1, 0, 10_000);
    const [first] = await shown(page);
    // From the moment the page's script has run (its download is the loading test's business, not the counters').
    const started = await page.evaluate(
      () => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventStart,
    );
    console.log(`first count shown ${Math.round(first!.at - started)} ms after the app started: ${first!.text}`);
    expect(first!.players).toBeGreaterThanOrEqual(1);
    expect(first!.at - started).toBeLessThan(1000);
    await page.context().close();
  });

  it("count both players and their game at once, never zero while they play, and again right after a reconnect", async () => {
    const [alice, bob] = await Promise.all([open("Alice"), open("Bob")]);
    await alice.click("#quick-play");
    await alice.waitForSelector("#waiting-screen:not([hidden])");
    await bob.click("#quick-play");
    await Promise.all([inGame(alice), inGame(bob)]);
    const joined = await Promise.all([now(alice), now(bob)]);
    const took = await Promise.all([countsReach(alice, 2, 1, 1000), countsReach(bob, 2, 1, 1000)]);
    console.log(`both players and the game counted ${took.join(" / ")} ms after joining`);

    // Play on until the pill's own 10 s refresh has come: it must never fall back.
    await Promise.all(
      [alice, bob].map((page, i) =>
        page.waitForFunction(
          (from) => (window as unknown as { __counts: Shown[] }).__counts.some((c) => c.at > from + 10_000),
          joined[i]!,
          { timeout: 20_000 },
        ),
      ),
    );
    for (const [i, page] of [alice, bob].entries()) {
      const all = await shown(page);
      console.log(`${i ? "bob" : "alice"} saw: ${all.map((c) => `${Math.round(c.at - joined[i]!)}ms ${c.text}`).join(" | ")}`);
      const during = all.filter((c) => c.at >= joined[i]! + 1000);
      expect(during.filter((c) => c.players < 2 || c.games < 1)).toEqual([]);
    }

    // Alice's socket drops (network off) and comes back: the SDK reconnects.
    const dropped = await now(alice);
    await alice.context().setOffline(true);
    await alice.waitForSelector("#reconnect-banner:not([hidden])", { timeout: 20_000 });
    await alice.context().setOffline(false);
    await alice.waitForSelector("#reconnect-banner", { state: "hidden", timeout: 30_000 });
    const back = await countsReach(alice, 2, 1, 1000);
    console.log(`counts right ${back} ms after the reconnect`);
    const after = (await shown(alice)).filter((c) => c.at > dropped);
    console.log(`shown around the drop: ${after.map((c) => c.text).join(" | ")}`);
    expect(after.at(-1)).toMatchObject({ players: 2, games: 1 });
    await alice.context().close();
    await bob.context().close();
  });
});
