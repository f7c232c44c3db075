/**
 * Failover in the browser: two players in two headless Chromium pages play
 * Connect Four on a 3-node cluster behind nginx.
 *  - After a few moves the node hosting their game is killed with SIGKILL.
 *    Both pages must show the reconnecting banner, come back by themselves (no
 *    reload) to the game now hosted by a survivor, with the moves played so
 *    far intact, and the game is played to a win through the UI.
 *  - A node that stalls (SIGSTOP) keeps its sockets open: nothing drops, so
 *    only the client's heartbeat can tell. Its players must move again while
 *    the node is still stopped (the time is printed: target LEASE_TTL_MS +
 *    1.5 s); once woken (SIGCONT) the node must not write to the game again.
 * Screenshots go to .artifacts/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../game-server/test/support/cluster.ts";
import { query } from "../../game-server/test/support/db.ts";
import { launchChromium } from "./browser.ts";

const ARTIFACTS = resolve(import.meta.dirname, "../../.artifacts");

let cluster: Cluster;
let browser: Browser;
/** The lease of a game's owner (target: a stalled node's players move again within LEASE_TTL_MS + 1.5 s). */
const LEASE_TTL_MS = 1500;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  cluster = await startCluster({
    nodes: 3,
    env: { CLIENT_DIST: "client/dist", LEASE_TTL_MS: String(LEASE_TTL_MS), TAKEOVER_INTERVAL_MS: "250" },
  });
  const index = await fetch(`${cluster.url}/`);
  if (index.status !== 200 || !(await index.text()).includes("reconnect-banner")) throw new Error("client not served");
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

type MoveRecord = { ply: number; move: string; seat: number };
type TabulaState = {
  screen: string;
  seat: 0 | 1 | null;
  snapshot: {
    gameId: string;
    ply: number;
    status: string;
    result: unknown;
    moves: MoveRecord[];
    view: { toMove: number | null };
  } | null;
};

interface Player {
  name: string;
  page: Page;
  /** Room WebSockets this page opened: URL, when, and how many frames came in on each. */
  sockets: Array<{ url: string; openedAt: number; framesIn: number }>;
  console: string[];
}

const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { tabula: { state(): unknown } }).tabula.state() as TabulaState);

async function open(name: string): Promise<Player> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const player: Player = { name, page, sockets: [], console: [] };
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  page.on("console", (m) => player.console.push(`${new Date().toISOString().slice(11, 23)} ${m.type()}: ${m.text()}`));
  page.on("websocket", (ws) => {
    const rec = { url: ws.url(), openedAt: Date.now(), framesIn: 0 };
    player.sockets.push(rec);
    ws.on("framereceived", () => rec.framesIn++);
  });
  await page.goto(cluster.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  await page.selectOption("#game-select", "connect4");
  return player;
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

/** Wait for `ply` to be this page's turn, click `col`, and wait for the move to be committed. */
async function play(page: Page, ply: number, col: number): Promise<void> {
  await page.waitForFunction(
    (p) => {
      const s = (window as any).tabula.state();
      const banner = document.querySelector("#reconnect-banner") as HTMLElement;
      return s.snapshot?.ply === p && s.snapshot.view.toMove === s.seat && banner.hidden;
    },
    ply,
    { timeout: 10_000 },
  );
  await dropDisc(page, col);
  await page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p + 1, ply, { timeout: 10_000 });
}

/** Open two pages, pair them by quick play; the first returned has seat 0. */
async function pair(a: string, b: string): Promise<{ first: Player; second: Player; gameId: string }> {
  const [alice, bob] = await Promise.all([open(a), open(b)]);
  await alice.page.click("#quick-play");
  await alice.page.waitForSelector("#waiting-screen:not([hidden])");
  await bob.page.click("#quick-play");
  for (const { page } of [alice, bob])
    await page.waitForFunction(
      () => {
        const s = (window as any).tabula.state();
        return s.screen === "game" && s.snapshot !== null;
      },
      null,
      { timeout: 20_000 },
    );
  const first = (await state(alice.page)).seat === 0 ? alice : bob;
  const second = first === alice ? bob : alice;
  return { first, second, gameId: (await state(first.page)).snapshot!.gameId };
}

const leaseOf = async (gameId: string) =>
  (
    await query<{ ownerNode: string | null; leaseToken: string | null }>(
      cluster.databaseUrl,
      `SELECT "ownerNode", "leaseToken"::text FROM "Game" WHERE id = $1`,
      [gameId],
    )
  )[0];

const ownerOf = async (gameId: string) => (await leaseOf(gameId))?.ownerNode ?? null;

describe("browser failover", () => {
  it("kill -9 the game's node: both pages reconnect by themselves, keep their moves and finish the game", async () => {
    const { first, second, gameId } = await pair("Alice", "Bob");

    // The first player stacks column 3, the second column 4: the first wins vertically on the 7th move.
    const script: Array<[Player, number]> = [
      [first, 3],
      [second, 4],
      [first, 3],
      [second, 4],
      [first, 3],
      [second, 4],
      [first, 3],
    ];
    const KILL_AT_PLY = 4;
    for (let ply = 0; ply < KILL_AT_PLY; ply++) await play(script[ply][0].page, ply, script[ply][1]);
    for (const { page } of [first, second])
      await page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p, KILL_AT_PLY);

    // What each page knows before the kill, and a marker that a reload would wipe.
    const before = await Promise.all(
      [first, second].map(({ page }) =>
        page.evaluate(() => {
          (window as any).__failoverMarker = "set-before-the-kill";
          // The banner's transitions, timed in the page (same clock as this process: same machine).
          const banner = document.querySelector("#reconnect-banner") as HTMLElement;
          const log: Array<{ at: number; hidden: boolean; state: string | undefined }> = [];
          (window as any).__bannerLog = log;
          new MutationObserver(() => {
            const last = log[log.length - 1];
            if (!last || last.hidden !== banner.hidden || last.state !== banner.dataset.state)
              log.push({ at: Date.now(), hidden: banner.hidden, state: banner.dataset.state });
          }).observe(banner, { attributes: true });
          return {
            timeOrigin: performance.timeOrigin,
            moves: (window as any).tabula.state().snapshot.moves as MoveRecord[],
            moveList: document.querySelector("#move-list")!.textContent,
          };
        }),
      ),
    );
    expect(before[0].moves.map((m) => m.move)).toEqual(script.slice(0, KILL_AT_PLY).map(([, c]) => String(c)));

    const victimId = await ownerOf(gameId);
    const victim = cluster.nodes.find((n) => n.id === victimId);
    expect(victim, `owner node ${victimId} of game ${gameId}`).toBeDefined();
    const socketsBefore = [first, second].map((p) => p.sockets.length);

    // Watch for the banner before pulling the plug, so a short outage is not missed.
    const bannerShown = [first, second].map(({ page }) =>
      page.waitForSelector("#reconnect-banner", { state: "visible", timeout: 15_000 }),
    );
    const killedAt = Date.now();
    victim!.process.child.kill("SIGKILL");

    await Promise.all(bannerShown);
    await first.page.screenshot({ path: resolve(ARTIFACTS, "failover-reconnecting.png") });
    await second.page.screenshot({ path: resolve(ARTIFACTS, "failover-reconnecting-2.png") });

    // Back by themselves: the banner hides again and the page says it is connected.
    let backAt: number[];
    try {
      backAt = await Promise.all(
        [first, second].map(({ page }) =>
          page
            .waitForFunction(
              () => {
                const b = document.querySelector("#reconnect-banner") as HTMLElement;
                return b.hidden && b.dataset.state === "connected";
              },
              null,
              { timeout: 30_000, polling: 50 },
            )
            .then(() => Date.now()),
        ),
      );
    } catch (err) {
      for (const p of [first, second]) console.log(`[${p.name}] console:\n  ${p.console.join("\n  ")}`);
      throw err;
    }
    const newOwner = await ownerOf(gameId);
    // Kill → banner shown and kill → back in the game, as timed in each page (the waits above poll, so they lag a little).
    const inPage = await Promise.all(
      [first, second].map(async ({ page }) => {
        const log = (await page.evaluate(() => (window as any).__bannerLog)) as Array<{
          at: number;
          hidden: boolean;
          state?: string;
        }>;
        const shown = log.find((e) => !e.hidden);
        const back = log.find((e) => shown && e.at >= shown.at && e.hidden && e.state === "connected");
        return { shownMs: shown ? shown.at - killedAt : null, backMs: back ? back.at - killedAt : null, transitions: log.length };
      }),
    );
    const report = {
      gameId,
      killedNode: victimId,
      newOwner,
      bannerShownMs: inPage.map((p) => p.shownMs),
      backInGameMs: inPage.map((p) => p.backMs),
      // When this process noticed (after the screenshots above): an upper bound.
      observedBackMs: backAt.map((t) => t - killedAt),
    };
    console.log(`failover report: ${JSON.stringify(report)}`);
    if (process.env.FAILOVER_DEBUG)
      for (const p of [first, second]) console.log(`[${p.name}] console:\n  ${p.console.join("\n  ")}`);
    for (const p of inPage) {
      expect(p.shownMs).not.toBeNull();
      expect(p.backMs).not.toBeNull();
      expect(p.backMs!).toBeLessThan(10_000);
    }
    expect(newOwner).not.toBeNull();
    expect(newOwner).not.toBe(victimId);

    for (const [i, p] of [first, second].entries()) {
      // No reload: the marker and the document's time origin survived.
      const after = await p.page.evaluate(() => ({
        marker: (window as any).__failoverMarker,
        timeOrigin: performance.timeOrigin,
      }));
      expect(after).toEqual({ marker: "set-before-the-kill", timeOrigin: before[i].timeOrigin });
      // A new room socket, to the survivor now hosting the game, that has heard from it.
      const fresh = p.sockets.slice(socketsBefore[i]).filter((s) => s.url.includes(`/node/${newOwner}/`));
      expect(fresh.length, `${p.name}: sockets ${JSON.stringify(p.sockets)}`).toBeGreaterThan(0);
      await expect.poll(() => fresh.some((s) => s.framesIn > 0)).toBe(true);
      // The moves are intact: the snapshot and the move list on screen.
      await p.page.waitForFunction((n) => (window as any).tabula.state().snapshot?.moves.length === n, KILL_AT_PLY);
      const now = await p.page.evaluate(() => ({
        moves: (window as any).tabula.state().snapshot.moves as MoveRecord[],
        status: (window as any).tabula.state().snapshot.status as string,
        moveList: document.querySelector("#move-list")!.textContent,
      }));
      expect(now.status).toBe("active");
      expect(now.moves).toEqual(before[i].moves);
      expect(now.moveList).toBe(before[i].moveList);
    }

    // Play on to the win, through the UI.
    for (let ply = KILL_AT_PLY; ply < script.length; ply++) await play(script[ply][0].page, ply, script[ply][1]);
    for (const { page } of [first, second]) await page.waitForSelector("#result-dialog:not([hidden])", { timeout: 10_000 });
    const final = await state(second.page);
    expect(final.snapshot?.status).toBe("finished");
    expect(final.snapshot?.result).toEqual({ winner: 0, reason: "connect-four" });
    expect(await first.page.textContent("#result-dialog")).toMatch(/won/i);
    expect(await second.page.textContent("#result-dialog")).toMatch(/lost/i);
    await first.page.screenshot({ path: resolve(ARTIFACTS, "failover-final.png") });
    await second.page.screenshot({ path: resolve(ARTIFACTS, "failover-final-2.png") });

    // The database holds exactly the moves played, before and after the kill.
    const log = await query<{ move: string }>(cluster.databaseUrl, `SELECT move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [
      gameId,
    ]);
    expect(log.map((r) => r.move)).toEqual(script.map(([, c]) => String(c)));
    // Closed: two more pages drawing on this small machine would slow the next test's.
    for (const p of [first, second]) await p.page.context().close();
  });

  it("SIGSTOP the game's node: its players move again while it is still stopped, and the woken node writes nothing", async () => {
    const { first, second, gameId } = await pair("Carol", "Dave");
    // Carol stacks column 2, Dave column 5.
    const script: Array<[Player, number]> = [
      [first, 2],
      [second, 5],
      [first, 2],
      [second, 5],
      [first, 2],
      [second, 5],
    ];
    const STALL_AT_PLY = 2;
    for (let ply = 0; ply < STALL_AT_PLY; ply++) await play(script[ply][0].page, ply, script[ply][1]);
    await second.page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p, STALL_AT_PLY);
    const before = await leaseOf(gameId);
    const victim = cluster.nodes.find((n) => n.id === before?.ownerNode);
    expect(victim, `owner node ${before?.ownerNode} of game ${gameId}`).toBeDefined();
    const pid = victim!.process.pid;

    // How late this page's timers run (a loaded machine delays everything the page does): for the report.
    for (const { page } of [first, second])
      await page.evaluate(() => {
        const w = window as unknown as { __lagMs: number };
        w.__lagMs = 0;
        let last = performance.now();
        setInterval(() => {
          const now = performance.now();
          w.__lagMs = Math.max(w.__lagMs, Math.round(now - last - 50));
          last = now;
        }, 50);
      });
    // When the reconnect banner first shows (it may show only briefly now).
    for (const { page } of [first, second])
      await page.evaluate(() => {
        const banner = document.querySelector("#reconnect-banner")!;
        new MutationObserver(() => {
          if (!banner.hasAttribute("hidden")) (window as any).__bannerShownAt ??= Date.now();
        }).observe(banner, { attributes: true });
      });
    // The stall lasts well past the lease: whatever happens in it happens while the node is stopped.
    const STALL_MS = 10_000;
    const stalledAt = Date.now();
    process.kill(pid, "SIGSTOP");
    let movedMs: number;
    try {
      // Nothing drops: only the heartbeat tells the page the server is gone (the banner shows)… The
      // rejoin may be done before a poll for the banner would see it: the page records it (observer above).
      const mover = script[STALL_AT_PLY][0].page;
      await mover.waitForFunction(() => (window as any).__bannerShownAt !== undefined, undefined, { timeout: STALL_MS });
      const noticedMs = Date.now() - stalledAt;
      // …then the player moves as soon as the page lets them again; the move is committed and acknowledged.
      await play(mover, STALL_AT_PLY, script[STALL_AT_PLY][1]);
      movedMs = Date.now() - stalledAt;
      const stillStopped = Date.now() - stalledAt < STALL_MS;
      const committed = await query<{ move: string }>(
        cluster.databaseUrl,
        `SELECT move FROM "Move" WHERE "gameId" = $1 AND ply = $2`,
        [gameId, STALL_AT_PLY],
      );
      const during = await leaseOf(gameId);
      const lag = await Promise.all([first, second].map(({ page }) => page.evaluate(() => (window as any).__lagMs as number)));
      console.log(
        `stall report: ${JSON.stringify({ gameId, stalledNode: victim!.id, newOwner: during?.ownerNode, noticedMs, movedAgainMs: movedMs, budgetMs: LEASE_TTL_MS + 1500, maxPageTimerLagMs: lag })}`,
      );
      expect(stillStopped).toBe(true);
      expect(committed.map((r) => r.move)).toEqual([String(script[STALL_AT_PLY][1])]);
      expect(during?.ownerNode).not.toBe(victim!.id);
      // How fast (target: LEASE_TTL_MS + 1.5 s) is a figure for docs/recovery.md, printed above, not a
      // bound here: a timed assertion in a functional test on a shared 2-core machine only measures the machine.
      // The other page found the new owner too (it sees the move), the node still stopped.
      await second.page.waitForFunction((p) => (window as any).tabula.state().snapshot?.ply === p, STALL_AT_PLY + 1, {
        timeout: Math.max(1, STALL_MS - (Date.now() - stalledAt) - 500),
      });
      await new Promise((r) => setTimeout(r, Math.max(0, STALL_MS - (Date.now() - stalledAt))));
    } catch (err) {
      for (const p of [first, second]) console.log(`[${p.name}] console:\n  ${p.console.slice(-40).join("\n  ")}`);
      throw err;
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const takenOver = await leaseOf(gameId);

    // Awake again: the game goes on with the new owner, and the old one writes nothing.
    for (let ply = STALL_AT_PLY + 1; ply < script.length; ply++) await play(script[ply][0].page, ply, script[ply][1]);
    // Give the woken node time to act on what it believed (its timers fire on wake), then look.
    await new Promise((r) => setTimeout(r, 2 * LEASE_TTL_MS));
    const after = await leaseOf(gameId);
    expect(after).toEqual(takenOver);
    const log = await query<{ ply: number; move: string }>(
      cluster.databaseUrl,
      `SELECT ply, move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`,
      [gameId],
    );
    expect(log.map((r) => r.move)).toEqual(script.map(([, c]) => String(c)));
    for (const { page } of [first, second]) {
      const s = await state(page);
      expect(s.snapshot?.ply).toBe(script.length);
      expect(s.snapshot?.status).toBe("active");
    }
  });
});
