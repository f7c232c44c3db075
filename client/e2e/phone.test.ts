/**
 * The phone layout, in headless Chromium against a real node: at 390×844
 * (portrait) and 844×390 (landscape), and at 1280×800 for the desktop, every
 * page fits the screen's width; in a game (chess and Connect Four, as a player,
 * as a spectator, and in the replay) the opponent's card sits above the board
 * and yours below it, both clocks and the buttons in view without scrolling;
 * toasts and banners stay clear of the board and the names. On a touch screen
 * (hasTouch, isMobile) tap-tap and drag both play moves. The flip button turns
 * a chess board and its cards round; Connect Four draws its coordinates.
 * Screenshots go to .artifacts/screenshots/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

const SHOTS = resolve(import.meta.dirname, "../../.artifacts/screenshots");

const PORTRAIT = { width: 390, height: 844 };
const LANDSCAPE = { width: 844, height: 390 };
const DESKTOP = { width: 1280, height: 800 };
type Viewport = typeof PORTRAIT;
const PHONES: Array<[string, Viewport]> = [
  ["portrait", PORTRAIT],
  ["landscape", LANDSCAPE],
];

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  node = await startTestNode({ CLIENT_DIST: "client/dist" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

/** A page on a phone (touch) or a desktop, in the lobby with an identity; `locale` picks the browser's language. */
async function open(viewport: Viewport, path = "/", locale = "en-US"): Promise<Page> {
  const phone = viewport.width < 1000;
  const context = await browser.newContext({ viewport, hasTouch: phone, isMobile: phone, locale });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${viewport.width}x${viewport.height}] page error:`, err.message));
  await page.goto(`${node.url}${path}`);
  await page.waitForFunction(() => (window as any).tabula !== undefined);
  await page.waitForFunction(() => !["", "…"].includes(document.querySelector("#whoami")?.textContent ?? ""));
  return page;
}

const screenOf = (page: Page) => page.evaluate(() => (window as any).tabula.state().screen as string);

/** Start a game against the bot from the lobby; resolves once it is drawn. */
async function playBot(page: Page, kind: "chess" | "connect4"): Promise<string> {
  await page.selectOption("#game-select", kind);
  await clickDom(page, "#play-bot");
  const started = () => page.waitForFunction(() => (window as any).tabula.state().snapshot !== null, null, { timeout: 30_000 });
  await started().catch(async (err) => {
    // A loaded test machine can time the bot-game request out (the lobby says so in a toast): ask once more.
    if ((await screenOf(page)) !== "lobby") throw err;
    await clickDom(page, "#play-bot");
    await started().catch(async (again) => {
      const toast = await page.textContent("#toast");
      throw new Error(`no ${kind} game against the bot (screen ${await screenOf(page)}, toast "${toast}"): ${again}`);
    });
  });
  await page.waitForFunction(
    (k) => (k === "chess" ? (window as any).tabula.squarePoint("e2") : (window as any).tabula.columnPoint(3)) !== null,
    kind,
  );
  return page.evaluate(() => (window as any).tabula.state().snapshot.gameId as string);
}

/** Click through the DOM (not a pointer): for buttons a test needs pressed wherever the layout put them. */
const clickDom = (page: Page, selector: string) =>
  page.evaluate((s) => (document.querySelector(s) as HTMLElement).click(), selector);

async function resign(page: Page): Promise<void> {
  await clickDom(page, "#resign");
  await clickDom(page, "#confirm-resign");
  await page.waitForSelector("#result-dialog:not([hidden])");
  await clickDom(page, "#close-result");
}

/** Whatever sticks out of the screen's width (elements shown, with their right edge), and the page's scroll width. */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; outside: string[] }> {
  return page.evaluate(() => {
    const outside: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (getComputedStyle(el).visibility === "hidden") continue;
      if (r.left < -1 || r.right > innerWidth + 1) {
        outside.push(
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${el.className} [${Math.round(r.left)}, ${Math.round(r.right)}]`,
        );
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, outside };
  });
}

/** The top bar's pills each on one line, side by side. */
async function pills(page: Page): Promise<{ oneLine: boolean; detail: string }> {
  return page.evaluate(() => {
    const list = [...document.querySelectorAll<HTMLElement>(".topbar .pill")].filter((p) => p.getClientRects().length > 0);
    const rects = list.map((p) => p.getBoundingClientRect());
    // The largest text in the pill, its pseudo-elements included (a pill may draw its text in ::after).
    const lineHeight = (p: HTMLElement) =>
      Math.max(
        ...[getComputedStyle(p), getComputedStyle(p, "::before"), getComputedStyle(p, "::after")].map((st) =>
          Number.parseFloat(st.fontSize),
        ),
        ...[...p.querySelectorAll("*")].map((c) => Number.parseFloat(getComputedStyle(c).fontSize)),
      ) * 1.6;
    const oneLine = list.every((p, i) => {
      const style = getComputedStyle(p);
      const inner = rects[i]!.height - Number.parseFloat(style.paddingTop) - Number.parseFloat(style.paddingBottom);
      return inner <= lineHeight(p);
    });
    const sameRow = rects.every((r) => Math.abs(r.top + r.height / 2 - (rects[0]!.top + rects[0]!.height / 2)) < 4);
    return {
      oneLine: oneLine && sameRow,
      detail: list
        .map(
          (p, i) =>
            `${p.id || p.className}:${Math.round(rects[i]!.top)}+${Math.round(rects[i]!.height)}/${getComputedStyle(p).fontSize}`,
        )
        .join(" "),
    };
  });
}

async function expectFits(page: Page, label: string): Promise<void> {
  await page.screenshot({ path: resolve(SHOTS, `phone-${label}.png`) });
  const o = await overflow(page);
  expect(o.outside, `${label}: elements outside the screen's width`).toEqual([]);
  expect(o.scrollWidth, `${label}: horizontal overflow`).toBeLessThanOrEqual(o.innerWidth);
  const p = await pills(page);
  expect(p.oneLine, `${label}: the top bar's pills wrap (${p.detail})`).toBe(true);
}

/** Where the game screen's parts are (viewport CSS pixels). */
async function gameLayout(page: Page) {
  return page.evaluate(() => {
    const rect = (el: Element | null): Rect | null => {
      if (!el || (el as HTMLElement).hidden || el.getClientRects().length === 0) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height };
    };
    const q = (s: string) => document.querySelector(s);
    const mode = (q("#game-screen") as HTMLElement).dataset.mode;
    const controls = mode === "replay" ? "#replay-controls" : "#game-controls";
    const buttons = [...document.querySelectorAll<HTMLElement>(`${controls} .button-row button`)]
      .filter((b) => !b.hidden)
      .map((b) => ({ id: b.id, rect: rect(b) }));
    return {
      viewport: { width: innerWidth, height: innerHeight },
      board: rect(q("#board canvas")),
      top: rect(q("#player-top")),
      bottom: rect(q("#player-bottom")),
      clockTop: rect(q("#clock-top")),
      clockBottom: rect(q("#clock-bottom")),
      names: [rect(q("#player-top .player-name")), rect(q("#player-bottom .player-name"))],
      bottomIsYou: q("#player-bottom")!.classList.contains("you"),
      topIsYou: q("#player-top")!.classList.contains("you"),
      buttons,
    };
  });
}

const inside = (r: Rect | null, v: { width: number; height: number }) =>
  r !== null && r.top >= -0.5 && r.left >= -0.5 && r.bottom <= v.height + 0.5 && r.right <= v.width + 0.5;
const intersects = (a: Rect, b: Rect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

/**
 * Opponent above the board and you below (portrait: stacked around it;
 * landscape and desktop: at the top and the bottom of the panel beside it),
 * both clocks and every button in view.
 */
async function expectGameLayout(page: Page, label: string, orientation: "portrait" | "landscape", seat: "player" | "spectator") {
  await page.screenshot({ path: resolve(SHOTS, `phone-${label}.png`) });
  const g = await gameLayout(page);
  const v = g.viewport;
  expect(g.board, `${label}: board`).not.toBeNull();
  const board = g.board!;
  for (const [name, r] of [
    ["opponent's clock", g.clockTop],
    ["own clock", g.clockBottom],
    ["top card", g.top],
    ["bottom card", g.bottom],
  ] as const) {
    expect(inside(r, v), `${label}: ${name} ${JSON.stringify(r)} in ${v.width}×${v.height}`).toBe(true);
  }
  expect(g.buttons.length, `${label}: buttons`).toBeGreaterThan(0);
  for (const b of g.buttons) expect(inside(b.rect, v), `${label}: button #${b.id} ${JSON.stringify(b.rect)}`).toBe(true);
  if (seat === "player") {
    expect(g.bottomIsYou, `${label}: your card at the bottom`).toBe(true);
    expect(g.topIsYou).toBe(false);
  }
  const top = g.top!;
  const bottom = g.bottom!;
  if (orientation === "portrait") {
    expect(top.bottom, `${label}: top card above the board`).toBeLessThanOrEqual(board.top + 1);
    expect(bottom.top, `${label}: bottom card below the board`).toBeGreaterThanOrEqual(board.bottom - 1);
    // The board as wide as the screen.
    expect(board.width).toBeGreaterThanOrEqual(v.width - 2);
  } else {
    const middle = board.top + board.height / 2;
    expect(top.bottom, `${label}: top card in the board's upper half`).toBeLessThanOrEqual(middle);
    expect(bottom.top, `${label}: bottom card in the board's lower half`).toBeGreaterThanOrEqual(middle);
    expect(top.left).toBeGreaterThanOrEqual(board.right - 1);
    expect(bottom.left).toBeGreaterThanOrEqual(board.right - 1);
  }
}

/** A toast, then the reconnection banner: neither may touch the drawn board or a player's name. */
async function expectNoticesClear(page: Page, label: string): Promise<void> {
  const g = await gameLayout(page);
  const clear = async (selector: string, what: string) => {
    const r = await page.evaluate((s) => {
      const b = document.querySelector(s)!.getBoundingClientRect();
      return { left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height };
    }, selector);
    expect(r.height, `${label}: ${what} shown`).toBeGreaterThan(0);
    // The board drawn inside the canvas: the labels' and squares' extent is within the canvas rect.
    expect(intersects(r, g.board!), `${label}: ${what} ${JSON.stringify(r)} covers the board ${JSON.stringify(g.board)}`).toBe(
      false,
    );
    for (const n of g.names) expect(intersects(r, n!), `${label}: ${what} covers a name`).toBe(false);
    expect(inside(r, g.viewport), `${label}: ${what} on screen`).toBe(true);
  };
  // A long message, as errors can be: it must still keep to its strip.
  await page.evaluate(() => {
    const t = document.querySelector("#toast") as HTMLElement;
    t.textContent = "Could not join the rematch: the server is restarting, try again in a moment please, it will be back soon.";
    t.hidden = false;
    t.classList.remove("toast-out");
  });
  await page.waitForFunction(() => getComputedStyle(document.querySelector("#toast")!).opacity === "1");
  await page.screenshot({ path: resolve(SHOTS, `phone-${label}-toast.png`) });
  await clear("#toast", "the toast");
  await page.evaluate(() => {
    (document.querySelector("#toast") as HTMLElement).hidden = true;
    (document.querySelector("#reconnect-banner") as HTMLElement).hidden = false;
  });
  await clear("#reconnect-banner", "the reconnection banner");
  await page.evaluate(() => {
    (document.querySelector("#reconnect-banner") as HTMLElement).hidden = true;
  });
}

describe("phone layout", () => {
  for (const [orientation, viewport] of [...PHONES, ["desktop", DESKTOP] as [string, Viewport]]) {
    it(`${orientation}: no page is wider than the screen; the top bar's pills stay on one line`, async () => {
      const page = await open(viewport);
      const tag = orientation;
      await expectFits(page, `${tag}-lobby`);
      await clickDom(page, "#watch-tab");
      await expectFits(page, `${tag}-watch`);
      await clickDom(page, "#play-tab");
      await clickDom(page, "#quick-play");
      await page.waitForSelector("#waiting-screen:not([hidden])");
      await expectFits(page, `${tag}-waiting`);
      await clickDom(page, "#cancel");
      await page.waitForFunction(() => (window as any).tabula.state().screen === "lobby");
      await clickDom(page, "#create-invite");
      await page.waitForSelector("#invite-box:not([hidden])");
      await expectFits(page, `${tag}-invite`);
      await clickDom(page, "#cancel");
      await page.waitForFunction(() => (window as any).tabula.state().screen === "lobby");
      for (const kind of ["chess", "connect4"] as const) {
        await playBot(page, kind);
        await expectFits(page, `${tag}-game-${kind}`);
        await resign(page);
        await clickDom(page, "#leave-game");
        await page.waitForFunction(() => (window as any).tabula.state().screen === "lobby");
      }
      await clickDom(page, "#my-games");
      await page.waitForSelector("#games-list [data-action=replay]");
      await expectFits(page, `${tag}-lobby-games`);
      await clickDom(page, "#games-list [data-action=replay]");
      await page.waitForFunction(() => (window as any).tabula.state().screen === "replay");
      await expectFits(page, `${tag}-replay`);
      await clickDom(page, "#leave-replay");
      await clickDom(page, "#open-leaderboard");
      await page.waitForSelector("#leaderboard-screen:not([hidden])");
      await expectFits(page, `${tag}-leaderboard`);
      await clickDom(page, "#leave-leaderboard");
      await clickDom(page, "#open-profile");
      await page.waitForSelector("#profile-games [data-action=replay]");
      await expectFits(page, `${tag}-profile`);
      expect(await screenOf(page)).toBe("profile");
      await page.context().close();
    });
  }

  for (const [orientation, viewport] of [...PHONES, ["desktop", DESKTOP] as [string, Viewport]]) {
    const shape = orientation === "portrait" ? "portrait" : "landscape";
    for (const kind of ["chess", "connect4"] as const) {
      it(`${orientation}, ${kind}: opponent above the board, you below, clocks and buttons in view, notices clear (player, spectator, replay)`, async () => {
        const player = await open(viewport);
        const gameId = await playBot(player, kind);
        await expectGameLayout(player, `${orientation}-${kind}-player`, shape, "player");
        await expectNoticesClear(player, `${orientation}-${kind}-player`);

        // The Watch tab lists the game (and fits the screen); its Watch button opens it.
        const spectator = await open(viewport, "/#watch");
        const item = `#live-games [data-game-id="${gameId}"]`;
        await spectator.waitForSelector(item, { timeout: 30_000 });
        await expectFits(spectator, `${orientation}-${kind}-watch-list`);
        await clickDom(spectator, `${item} [data-action=watch]`);
        await spectator.waitForFunction(
          (k) => (k === "chess" ? (window as any).tabula.squarePoint("e2") : (window as any).tabula.columnPoint(3)) !== null,
          kind,
          { timeout: 30_000 },
        );
        await expectGameLayout(spectator, `${orientation}-${kind}-spectator`, shape, "spectator");
        await spectator.context().close();

        await resign(player);
        await expectGameLayout(player, `${orientation}-${kind}-over`, shape, "player");
        await clickDom(player, "#leave-game");
        await clickDom(player, "#my-games");
        await player.waitForSelector(`#games-list [data-game-id="${gameId}"] [data-action=replay]`);
        await clickDom(player, `#games-list [data-game-id="${gameId}"] [data-action=replay]`);
        await player.waitForFunction(() => (window as any).tabula.state().screen === "replay");
        await player.waitForFunction(
          (k) => (k === "chess" ? (window as any).tabula.squarePoint("e2") : (window as any).tabula.columnPoint(3)) !== null,
          kind,
        );
        await expectGameLayout(player, `${orientation}-${kind}-replay`, shape, "player");
        await expectNoticesClear(player, `${orientation}-${kind}-replay`);
        await player.context().close();
      });
    }
  }
});

type Point = { x: number; y: number };

/** The moves `seat` played so far (UCI for chess, the column for Connect Four). */
const movesOf = (page: Page, seat: number) =>
  page.evaluate(
    (s) =>
      ((window as any).tabula.state().snapshot.moves as Array<{ seat: number; move: string }>)
        .filter((m) => m.seat === s)
        .map((m) => m.move),
    seat,
  );

/** Wait until it is this page's player's turn; returns the seat. */
async function myTurn(page: Page): Promise<number> {
  await page.waitForFunction(
    () => {
      const s = (window as any).tabula.state();
      return s.snapshot?.status === "active" && s.snapshot.view.toMove === s.seat;
    },
    null,
    { timeout: 30_000 },
  );
  return page.evaluate(() => (window as any).tabula.state().seat as number);
}

const squarePoint = (page: Page, square: string) =>
  page.evaluate((s) => (window as any).tabula.squarePoint(s) as Point | null, square);
/**
 * `p` is on the square whose centre was `q`: within a fifth of a square (a phone's square is ~48 px), since the
 * board may shift a few pixels when a line appears above it (a turn line, a notice); a board not flipped puts the
 * square 7 squares away.
 */
function expectSameSquare(p: Point | null, q: Point): void {
  expect(p).not.toBeNull();
  expect(Math.hypot(p!.x - q.x, p!.y - q.y)).toBeLessThan(10);
}
const columnPoint = (page: Page, col: number) => page.evaluate((c) => (window as any).tabula.columnPoint(c) as Point | null, col);

/** A finger down at `from`, moved in steps, lifted at `to` (CDP touch events, as a phone sends them). */
async function touchDrag(page: Page, from: Point, to: Point): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: from.x, y: from.y }] });
  for (let i = 1; i <= 8; i++) {
    const x = from.x + ((to.x - from.x) * i) / 8;
    const y = from.y + ((to.y - from.y) * i) / 8;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

describe("in French (longer words)", () => {
  it("portrait: the lobby fits, and a chess game keeps both cards and every button in view", async () => {
    const page = await open(PORTRAIT, "/", "fr-FR");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("fr");
    await expectFits(page, "fr-portrait-lobby");
    await clickDom(page, "#create-invite");
    await page.waitForSelector("#invite-box:not([hidden])");
    await expectFits(page, "fr-portrait-invite");
    expect(await page.textContent("#copy-invite")).toBe("Copier le lien");
    await clickDom(page, "#cancel");
    await page.waitForFunction(() => (window as any).tabula.state().screen === "lobby");
    await playBot(page, "chess");
    expect(await page.textContent("#offer-draw")).toBe("Proposer la nulle");
    await expectGameLayout(page, "fr-portrait-chess-player", "portrait", "player");
    await expectFits(page, "fr-portrait-chess");
    await page.context().close();
  });
});

describe("touch, flip and coordinates", () => {
  it("chess on a touch screen: tap-tap plays a move, and so does a drag", async () => {
    const page = await open(PORTRAIT);
    await playBot(page, "chess");
    const seat = await myTurn(page);
    // Moves legal whatever the bot plays first: 1.e4 / 1…e5, then Nf3 / Nf6.
    const [tapFrom, tapTo, dragFrom, dragTo] = seat === 0 ? ["e2", "e4", "g1", "f3"] : ["e7", "e5", "g8", "f6"];
    for (const sq of [tapFrom, tapTo]) {
      const p = (await squarePoint(page, sq))!;
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForFunction((s) => (window as any).tabula.state().snapshot.moves.some((m: any) => m.seat === s), seat);
    expect(await movesOf(page, seat)).toEqual([`${tapFrom}${tapTo}`]);
    await myTurn(page);
    await touchDrag(page, (await squarePoint(page, dragFrom))!, (await squarePoint(page, dragTo))!);
    await page.waitForFunction(
      (s) => (window as any).tabula.state().snapshot.moves.filter((m: any) => m.seat === s).length === 2,
      seat,
    );
    expect(await movesOf(page, seat)).toEqual([`${tapFrom}${tapTo}`, `${dragFrom}${dragTo}`]);
    await page.screenshot({ path: resolve(SHOTS, "phone-touch-chess.png") });
    await page.context().close();
  });

  it("Connect Four on a touch screen: a tap drops a disc, and a drag drops it where the finger is lifted", async () => {
    const page = await open(PORTRAIT);
    await playBot(page, "connect4");
    const seat = await myTurn(page);
    const p3 = (await columnPoint(page, 3))!;
    await page.touchscreen.tap(p3.x, p3.y);
    await page.waitForFunction((s) => (window as any).tabula.state().snapshot.moves.some((m: any) => m.seat === s), seat);
    expect(await movesOf(page, seat)).toEqual(["3"]);
    await myTurn(page);
    // Down over column a, lifted over column f: the disc goes to f.
    await touchDrag(page, (await columnPoint(page, 0))!, (await columnPoint(page, 5))!);
    await page.waitForFunction(
      (s) => (window as any).tabula.state().snapshot.moves.filter((m: any) => m.seat === s).length === 2,
      seat,
    );
    expect(await movesOf(page, seat)).toEqual(["3", "5"]);
    await page.context().close();
  });

  it("the flip button turns the chess board and its cards round, and it stays turned while the game is open", async () => {
    const page = await open(PORTRAIT);
    await playBot(page, "chess");
    const seat = await page.evaluate(() => (window as any).tabula.state().seat as number);
    const labels = () =>
      page.evaluate(() => (window as any).tabula.boardLabels("chess") as Array<{ text: string; x: number; y: number }>);
    const bottomFiles = async () => {
      const all = await labels();
      const lowest = Math.max(...all.map((l) => l.y));
      return all
        .filter((l) => /[a-h]/.test(l.text) && Math.abs(l.y - lowest) < 4)
        .sort((a, b) => a.x - b.x)
        .map((l) => l.text)
        .join("");
    };
    // Your side at the bottom to start with: a1 bottom-left for white, top-right for black.
    const natural = seat === 0 ? "abcdefgh" : "hgfedcba";
    expect(await bottomFiles()).toBe(natural);
    const a1 = (await squarePoint(page, "a1"))!;
    const h8 = (await squarePoint(page, "h8"))!;
    expect(await page.isVisible("#flip-board")).toBe(true);
    await page.touchscreen.tap(...(await center(page, "#flip-board")));
    await page.waitForFunction(() => document.querySelector("#player-top")!.classList.contains("you"));
    // a1 is where h8 was, and the files read the other way; your card is now above the board.
    expectSameSquare(await squarePoint(page, "a1"), h8);
    expectSameSquare(await squarePoint(page, "h8"), a1);
    expect(await bottomFiles()).toBe([...natural].reverse().join(""));
    expect(await page.evaluate(() => document.querySelector("#player-bottom")!.classList.contains("you"))).toBe(false);
    await page.screenshot({ path: resolve(SHOTS, "phone-flipped.png") });
    // A move redraws the board: still flipped.
    const mine = await myTurn(page);
    const [from, to] = mine === 0 ? ["e2", "e4"] : ["e7", "e5"];
    for (const sq of [from, to]) {
      const p = (await squarePoint(page, sq))!;
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForFunction((s) => (window as any).tabula.state().snapshot.moves.some((m: any) => m.seat === s), mine);
    expectSameSquare(await squarePoint(page, "a1"), h8);
    expect(await page.evaluate(() => document.querySelector("#player-top")!.classList.contains("you"))).toBe(true);
    // And back.
    await page.touchscreen.tap(...(await center(page, "#flip-board")));
    await page.waitForFunction(() => document.querySelector("#player-bottom")!.classList.contains("you"));
    expectSameSquare(await squarePoint(page, "a1"), a1);
    await page.context().close();
  });

  it("Connect Four draws a–g under its columns and 1–6 up the side, and has no flip button", async () => {
    const page = await open(PORTRAIT);
    await playBot(page, "connect4");
    expect(await page.isVisible("#flip-board")).toBe(false);
    const labels = await page.evaluate(
      () => (window as any).tabula.boardLabels("connect4") as Array<{ text: string; x: number; y: number }>,
    );
    const columns: Point[] = [];
    for (let c = 0; c < 7; c++) columns.push((await columnPoint(page, c))!);
    const letters = labels.filter((l) => /[a-g]/.test(l.text));
    const numbers = labels.filter((l) => /[1-6]/.test(l.text));
    expect(letters.map((l) => l.text)).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
    expect(numbers.map((l) => l.text)).toEqual(["1", "2", "3", "4", "5", "6"]);
    const cell = columns[1]!.x - columns[0]!.x;
    letters.forEach((l, c) => {
      expect(Math.abs(l.x - columns[c]!.x)).toBeLessThanOrEqual(1);
      // Under the bottom row (the top row's centre plus five cells).
      expect(l.y).toBeGreaterThan(columns[c]!.y + 5.5 * cell);
    });
    numbers.forEach((l, row) => {
      expect(l.x).toBeLessThan(columns[0]!.x - cell / 2);
      expect(Math.abs(l.y - (columns[0]!.y + (5 - row) * cell))).toBeLessThanOrEqual(1);
    });
    // On screen.
    for (const l of labels) expect(l.x > 0 && l.x < PORTRAIT.width && l.y > 0 && l.y < PORTRAIT.height).toBe(true);
    await page.context().close();
  });
});

/** The centre of an element (for a tap). */
async function center(page: Page, selector: string): Promise<[number, number]> {
  const r = (await page.locator(selector).boundingBox())!;
  return [r.x + r.width / 2, r.y + r.height / 2];
}
