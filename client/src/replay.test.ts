// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import type { Api } from "./api.ts";
import { ReplayViewer } from "./replay.ts";
import { click, FakeBoard, hidden, loadPage, text } from "./testing/dom.ts";
import { gameRecord } from "./testing/fixtures.ts";

const record = () => gameRecord(["3", "4", "3"], { result: { winner: 1, reason: "resign" } });

/** A key pressed with nothing focused (the event starts at the body and bubbles to the document). */
const key = (k: string) => document.body.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));

async function setup() {
  loadPage();
  const board = new FakeBoard();
  const exits = vi.fn();
  const viewer = new ReplayViewer({
    api: { gameRecord: async () => record() } as unknown as Api,
    board: board.asBoard(),
    enter: () => {},
    exit: exits,
  });
  await viewer.open("g1", "b");
  return { viewer, board, exits };
}

describe("ReplayViewer", () => {
  it("opens on the final position, from the viewer's side, with the result", async () => {
    const { viewer, board } = await setup();
    expect(viewer.isOpen).toBe(true);
    expect(viewer.position).toEqual({ index: 3, total: 3 });
    expect(board.last!.orientation).toBe(1);
    expect(board.last!.legalMoves).toEqual([]);
    expect(text("replay-position")).toBe("3 / 3");
    expect(text("turn-indicator")).toBe("You won! — Alice (Red) resigned.");
    expect(text("game-title")).toBe("Replay · Connect Four · 1 min + 5 s");
    expect(hidden("game-controls")).toBe(true);
    expect((document.getElementById("replay-next") as HTMLButtonElement).disabled).toBe(true);
  });

  it("steps with the buttons, the arrow keys and clicks on moves", async () => {
    const { viewer, board } = await setup();
    click("replay-first");
    expect(viewer.position.index).toBe(0);
    expect(text("turn-indicator")).toBe("Start position");
    click("replay-next");
    expect(viewer.position.index).toBe(1);
    expect(board.last!.animate).toBe(true);
    expect(text("turn-indicator")).toBe("After move 1");
    key("ArrowRight");
    expect(viewer.position.index).toBe(2);
    key("Home");
    expect(viewer.position.index).toBe(0);
    key("End");
    expect(viewer.position.index).toBe(3);
    key("ArrowLeft");
    expect(viewer.position.index).toBe(2);
    key("x");
    expect(viewer.position.index).toBe(2);
    click("replay-prev");
    click("replay-last");
    expect(viewer.position.index).toBe(3);
    document.querySelector<HTMLElement>('#move-list .move[data-ply="0"]')!.click();
    expect(viewer.position.index).toBe(1);
    // Clocks after move 1: Alice's from her move, Bob's initial.
    expect(document.querySelector("#player-top .clock")!.textContent).toBe("1:00");
  });

  it("leaving closes it", async () => {
    const { viewer, exits } = await setup();
    click("leave-replay");
    expect(viewer.isOpen).toBe(false);
    expect(exits).toHaveBeenCalledOnce();
    key("Home");
    expect(viewer.position).toEqual({ index: 0, total: 0 });
  });

  it("turns the board and the cards round with the flip button", async () => {
    const { board } = await setup();
    const name = (id: string) => document.querySelector(`#${id} .player-name`)!.textContent;
    expect(board.last!.orientation).toBe(1);
    expect(name("player-bottom")).toBe("Bob");
    board.flips.toggle();
    expect(board.last!.orientation).toBe(0);
    expect(name("player-bottom")).toBe("Alice");
    click("replay-first");
    expect(board.last!.orientation).toBe(0);
  });
});
