/**
 * The page for DOM unit tests (files that start with
 * `// @vitest-environment happy-dom`): the real client/index.html body, so the
 * code under test finds every element by the ids it uses; a fake board.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { BoardView } from "../boardView.ts";
import { BoardFlips } from "../boards/flips.ts";
import type { BoardCallbacks, BoardInput } from "../boards/types.ts";

// (Under happy-dom import.meta.url is not a file URL; the tests run from the repository root.)
const INDEX = readFileSync(
  resolve(import.meta.dirname ?? resolve(process.cwd(), "client/src/testing"), "../../index.html"),
  "utf8",
);

/** Reset the document to index.html's body (scripts left out). */
export function loadPage(): void {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(INDEX)?.[1] ?? "";
  document.body.innerHTML = body.replace(/<script[\s\S]*?<\/script>/gi, "");
}

/** A board that records what it was asked to show. */
export class FakeBoard {
  shown: BoardInput[] = [];
  handler: BoardCallbacks | null = null;
  cancelled = 0;
  readonly ready = Promise.resolve();
  show(input: BoardInput): void {
    this.shown.push(input);
  }
  cancelInteraction(): void {
    this.cancelled++;
  }
  canvasPoint(): { x: number; y: number } | null {
    return { x: 10, y: 20 };
  }
  clientPoint(kind: string, key: string): { x: number; y: number } | null {
    return kind === "connect4" ? { x: Number(key), y: 0 } : null;
  }
  clientLabels(): { text: string; x: number; y: number }[] {
    return [];
  }
  /** The flip button, as BoardView wires it (the real BoardFlips). */
  readonly flips = new BoardFlips();
  bindFlipButton(button: HTMLElement): void {
    button.addEventListener("click", () => this.flips.toggle());
  }
  attachGame(gameId: string, redraw: () => void): void {
    this.flips.attach(gameId, redraw);
  }
  bottomSeat(gameId: string, natural: 0 | 1): 0 | 1 {
    return this.flips.bottomSeat(gameId, natural);
  }
  get last(): BoardInput | undefined {
    return this.shown.at(-1);
  }
  asBoard(): BoardView {
    return this as unknown as BoardView;
  }
}

/** Text of the element with this id. */
export const text = (id: string): string => document.getElementById(id)?.textContent ?? "";
/** Whether the element with this id is hidden. */
export const hidden = (id: string): boolean => (document.getElementById(id) as HTMLElement).hidden;
/** Click the element with this id. */
export const click = (id: string): void => (document.getElementById(id) as HTMLElement).click();
