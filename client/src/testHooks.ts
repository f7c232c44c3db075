/**
 * Test hooks for the browser tests — deliberately tiny, read-only, and not
 * used by the app itself. `window.tabula`:
 *
 *  - state(): { screen, snapshot, seat, latencyMs }
 *      screen    "lobby" | "waiting" | "game" | "replay" | "leaderboard" | "profile"
 *      snapshot  the current game's GameSnapshot with every `moved` folded in
 *                (null outside a live game)
 *      seat      your seat (0/1) in that game, or null (spectator / no game)
 *      latencyMs last measured room round trip in ms, or null
 *  - columnPoint(col): viewport CSS-pixel {x,y} of the centre of Connect Four
 *      column `col`'s top cell (null when no Connect Four board is shown)
 *  - squarePoint("e2"): viewport CSS-pixel {x,y} of a chess square's centre,
 *      honouring the board's orientation (null when no chess board is shown)
 *  - boardLabels("connect4" | "chess"): the coordinates drawn on that board,
 *      [{ text, x, y }] in viewport CSS pixels ([] when no such board is shown)
 *
 * The points are what Playwright's `page.mouse.click(x, y)` expects, so test
 * clicks go through Phaser's own input handling.
 */
import type { GameSnapshot } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import type { BoardView } from "./boardView.ts";
import type { BoardLabel, Point } from "./boards/geometry.ts";

export type Screen = "lobby" | "waiting" | "game" | "replay" | "leaderboard" | "profile";

export interface TabulaTestHooks {
  state(): { screen: Screen; snapshot: GameSnapshot | null; seat: Seat | null; latencyMs: number | null };
  columnPoint(col: number): Point | null;
  squarePoint(square: string): Point | null;
  boardLabels(kind: "connect4" | "chess"): BoardLabel[];
}

declare global {
  interface Window {
    tabula: TabulaTestHooks;
  }
}

export function installTestHooks(deps: {
  screen(): Screen;
  snapshot(): GameSnapshot | null;
  latencyMs(): number | null;
  board: BoardView;
}): void {
  window.tabula = {
    state() {
      const snapshot = deps.snapshot();
      const seat = snapshot && snapshot.you.role === "player" ? snapshot.you.seat : null;
      return { screen: deps.screen(), snapshot: snapshot ? structuredClone(snapshot) : null, seat, latencyMs: deps.latencyMs() };
    },
    columnPoint(col) {
      return deps.board.clientPoint("connect4", String(col));
    },
    squarePoint(square) {
      return deps.board.clientPoint("chess", square);
    },
    boardLabels(kind) {
      return deps.board.clientLabels(kind);
    },
  };
}
