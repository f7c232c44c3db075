/**
 * Each bot level plays a whole game through the UI: Connect Four and chess at
 * easy, medium and hard. The page picks the level in the lobby, the game
 * screen shows it in the bot's badge, and the human side plays legal moves by
 * real clicks on the canvas (through the test hooks' board points) until the
 * game is over. A short bot think scale keeps the file to a few minutes.
 */
import { Chess } from "chess.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GameSnapshot } from "@tabula/shared/protocol";
import { createRng } from "@tabula/shared/rules";
import { startTestNode, type TestNode } from "../../game-server/test/support/node.ts";
import { launchChromium } from "./browser.ts";

let node: TestNode;
let browser: Browser;

beforeAll(async () => {
  node = await startTestNode({ CLIENT_DIST: "client/dist", BOT_THINK_SCALE: "0.01" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

type State = { screen: string; seat: 0 | 1 | null; snapshot: GameSnapshot | null };
const state = (page: Page) =>
  page.evaluate(() => (window as unknown as { tabula: { state(): unknown } }).tabula.state() as State);

async function open(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error:`, err.message));
  await page.goto(node.url);
  await page.waitForFunction(() => (window as unknown as { tabula?: unknown }).tabula !== undefined);
  await page.fill("#name", name);
  await page.click("#save-name");
  await page.waitForFunction((n) => document.querySelector("#whoami")?.textContent?.includes(n), name);
  return page;
}

/** Wait until it is our turn (resolves true) or the game is over (false). */
async function ourTurnOrOver(page: Page, ply: number): Promise<boolean> {
  await page.waitForFunction(
    (p) => {
      const s = (window as unknown as { tabula: { state(): State } }).tabula.state();
      const snap = s.snapshot;
      if (!snap) return false;
      if (snap.status !== "active") return true;
      return snap.ply >= p && (snap.view as { toMove: number | null }).toMove === s.seat;
    },
    ply,
    { timeout: 30_000, polling: 50 },
  );
  return (await state(page)).snapshot?.status === "active";
}

/** Click at a board point given by a test hook. */
async function clickAt(page: Page, hook: "columnPoint" | "squarePoint", arg: number | string): Promise<void> {
  const p = await page.evaluate(
    ([h, a]) =>
      (window as unknown as Record<string, Record<string, (x: unknown) => { x: number; y: number } | null>>).tabula[h]!(a),
    [hook, arg] as const,
  );
  if (!p) throw new Error(`no board point for ${hook}(${arg})`);
  await page.mouse.click(p.x, p.y);
}

/**
 * A human move: Connect Four, a random column; chess, the pawn moves that open the king (f- and
 * g-pawns) first, so that every level can finish the game quickly, then any move but a promotion.
 */
function humanMove(snap: GameSnapshot, rng: ReturnType<typeof createRng>): string | null {
  if (snap.kind === "connect4") {
    const board = (snap.view as { board: number[] }).board;
    const open = [0, 1, 2, 3, 4, 5, 6].filter((c) => board[35 + c] === -1);
    return String(open[rng.int(open.length)]);
  }
  const chess = new Chess((snap.view as { fen: string }).fen);
  const moves = chess.moves({ verbose: true }).filter((m) => !m.promotion);
  if (moves.length === 0) return null;
  const weakening = moves.filter((m) => m.piece === "p" && (m.from[0] === "f" || m.from[0] === "g"));
  const pool = weakening.length > 0 ? weakening : moves;
  const m = pool[rng.int(pool.length)]!;
  return m.from + m.to;
}

async function playBotGame(game: "connect4" | "chess", level: "easy" | "medium" | "hard"): Promise<GameSnapshot> {
  const page = await open(`${game.slice(0, 5)}${level}`);
  await page.selectOption("#game-select", game);
  await page.selectOption("#bot-level", level);
  await page.click("#play-bot");
  await page.waitForFunction(() => (window as unknown as { tabula: { state(): State } }).tabula.state().snapshot !== null, null, {
    timeout: 15_000,
  });
  const first = await state(page);
  expect(first.snapshot?.botLevel).toBe(level);
  const botSeat = first.seat === 0 ? 1 : 0;
  expect(first.snapshot?.players[botSeat].isBot).toBe(true);
  // The bot's card (the opponent's, at the top) names its level.
  await expect.poll(() => page.textContent("#player-top .badge-bot"), { timeout: 5_000 }).toMatch(new RegExp(`${level}`, "i"));

  const rng = createRng(`${game}-${level}`);
  for (let turn = 0; turn < 200; turn++) {
    const ply = (await state(page)).snapshot?.ply ?? 0;
    if (!(await ourTurnOrOver(page, ply))) break;
    const snap = (await state(page)).snapshot!;
    const move = humanMove(snap, rng);
    if (move === null) throw new Error("only promotions left");
    if (game === "connect4") await clickAt(page, "columnPoint", Number(move));
    else {
      await clickAt(page, "squarePoint", move.slice(0, 2));
      await clickAt(page, "squarePoint", move.slice(2, 4));
    }
    // Our move is in once the ply moved past it.
    await page.waitForFunction(
      (p) => {
        const s = (window as unknown as { tabula: { state(): State } }).tabula.state().snapshot;
        return s !== null && (s.ply > p || s.status !== "active");
      },
      snap.ply,
      { timeout: 15_000, polling: 50 },
    );
  }
  const end = (await state(page)).snapshot!;
  expect(end.status).toBe("finished");
  expect(end.result).not.toBeNull();
  await page.context().close();
  return end;
}

describe("bots of every level play whole games in the browser", () => {
  for (const game of ["connect4", "chess"] as const) {
    for (const level of ["easy", "medium", "hard"] as const) {
      it(`${game} against the ${level} bot`, { timeout: 150_000 }, async () => {
        const end = await playBotGame(game, level);
        const botSeat = end.players[0].isBot ? 0 : 1;
        console.log(
          `${game} ${level}: ${end.moves.length} plies, ${end.result?.reason}, winner ${end.result?.winner === botSeat ? "bot" : end.result?.winner === null ? "none" : "human"}`,
        );
        // Random play does not beat a searching bot.
        if (level === "hard") expect(end.result?.winner).toBe(botSeat);
      });
    }
  }
});
