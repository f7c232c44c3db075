// @vitest-environment happy-dom
import type { GameSnapshot } from "@tabula/shared/protocol";
import type { Connect4View } from "@tabula/shared/rules";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Api } from "./api.ts";
import { GameScreen } from "./gameScreen.ts";
import type { SessionHandlers } from "./session.ts";
import { storedGame } from "./storedGame.ts";
import { click, FakeBoard, hidden, loadPage, text } from "./testing/dom.ts";
import { moved, records, snapshot } from "./testing/fixtures.ts";

function setup(record: { status: GameSnapshot["status"]; result: GameSnapshot["result"] } = { status: "active", result: null }) {
  loadPage();
  const board = new FakeBoard();
  const sent: Array<[string, unknown]> = [];
  const sessions: SessionHandlers[] = [];
  const exits: Array<string | undefined> = [];
  const counts = vi.fn();
  let failStart: Error | null = null;
  const api = {
    token: "t",
    gameRecord: vi.fn(async () => ({ game: record, moves: records("connect4", ["3"]) })),
  } as unknown as Api;
  const screen = new GameScreen({
    api,
    board: board.asBoard(),
    enter: () => {},
    exit: (tab) => exits.push(tab),
    countsChanged: counts,
    openSession: (_id, _spectate, handlers) => {
      sessions.push(handlers);
      return {
        start: async () => {
          if (failStart) throw failStart;
        },
        leave: async () => {},
        send: (type: string, payload: unknown) => {
          sent.push([type, payload]);
          return true;
        },
      } as never;
    },
  });
  const server = () => sessions.at(-1)!;
  const join = async (s: GameSnapshot = snapshot()) => {
    await screen.open(s.gameId, s.you.role === "spectator");
    server().connection("connected");
    server().snapshot(s, Date.now());
  };
  return {
    screen,
    board,
    sent,
    server,
    join,
    exits,
    counts,
    api,
    failNextStart: (e: Error) => {
      failStart = e;
    },
  };
}

beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "clearTimeout", "clearInterval", "Date"] }));
afterEach(() => vi.useRealTimers());

describe("GameScreen: the flip button", () => {
  it("turns a chess board and its cards round, keeps it turned while the game is open, and not in another game", async () => {
    const t = setup();
    const name = (id: string) => document.querySelector(`#${id} .player-name`)!.textContent;
    const chess = (over = {}) => snapshot([], { kind: "chess", you: { role: "player", seat: 0 }, ...over });
    await t.join(chess());
    expect(t.board.last!.orientation).toBe(0);
    expect(name("player-bottom")).toBe("Alice");
    click("flip-board");
    expect(t.board.last!.orientation).toBe(1);
    expect(name("player-bottom")).toBe("Bob");
    expect(name("player-top")).toBe("Alice");
    expect(document.getElementById("player-top")!.classList.contains("you")).toBe(true);
    // A fresh snapshot (a move, a reconnection) keeps it turned.
    t.server().snapshot(chess(), Date.now());
    expect(t.board.last!.orientation).toBe(1);
    expect(name("player-bottom")).toBe("Bob");
    click("flip-board");
    expect(t.board.last!.orientation).toBe(0);
    expect(name("player-bottom")).toBe("Alice");
    // Flipped in g1, a new game g2 starts your way round; back in g1 it is still flipped.
    click("flip-board");
    await t.join(chess({ gameId: "g2" }));
    expect(t.board.last!.orientation).toBe(0);
    await t.join(chess());
    expect(t.board.last!.orientation).toBe(1);
  });
});

describe("GameScreen: drawing the game from the model", () => {
  it("shows the board, the players, whose turn it is, and the first-move countdown", async () => {
    const t = setup();
    await t.join(snapshot(["3"], { you: { role: "player", seat: 1 } }));
    const input = t.board.last!;
    expect(input.kind).toBe("connect4");
    expect((input.view as Connect4View).board[3]).toBe(0);
    expect(input.orientation).toBe(1);
    expect(input.moverSeat).toBe(1);
    expect(input.legalMoves).toHaveLength(7);
    expect(text("turn-indicator")).toBe("Your turn");
    expect(document.getElementById("turn-indicator")!.dataset.turn).toBe("you");
    expect(text("game-title")).toBe("Connect Four · 1 min + 5 s · quick");
    expect(document.querySelector("#player-bottom .player-name")!.textContent).toBe("Bob");
    expect(document.querySelector("#player-top .player-name")!.textContent).toBe("Alice");
    expect(hidden("countdown")).toBe(false);
    expect(text("move-list")).toContain("d1");
    expect(hidden("abort")).toBe(false);
    expect(hidden("result-dialog")).toBe(true);
    expect(t.counts).toHaveBeenCalled();
    expect(storedGame()).toEqual({ gameId: "g1", spectate: false });
    // The test hooks' view of the game.
    expect(t.screen.current?.ply).toBe(1);
    expect(t.screen.active).toBe(true);
  });

  it("plays a move chosen on the board: drawn at once, sent, confirmed", async () => {
    const t = setup();
    await t.join();
    t.board.handler!.move("3");
    expect(t.sent).toContainEqual(["move", { ply: 0, move: "3" }]);
    expect((t.board.last!.view as Connect4View).board[3]).toBe(0);
    expect(t.board.last!.premove).toBeNull();
    expect(text("turn-indicator")).toBe("Sending move…");
    t.server().moved(moved([], "3"), Date.now());
    expect(text("turn-indicator")).toBe("Opponent's turn");
    t.board.handler!.move("3"); // not our turn: queued as the premove, drawn, nothing sent
    expect(t.sent.filter(([type]) => type === "move")).toHaveLength(1);
    expect(t.board.last!.premove).toBe("3");
  });

  it("says so when a move is refused by the rules", async () => {
    const t = setup();
    await t.join();
    t.board.handler!.move("9");
    expect(text("toast")).toBe("That move is not legal.");
  });

  it("shows the banner while reconnecting and says Reconnecting instead of Your turn", async () => {
    const t = setup();
    await t.join();
    t.server().connection("reconnecting");
    expect(hidden("reconnect-banner")).toBe(false);
    expect(text("turn-indicator")).toBe("Reconnecting…");
    t.server().connection("connected");
    expect(hidden("reconnect-banner")).toBe(true);
    t.server().connection("closed");
    expect(text("reconnect-banner")).toBe("Disconnected from this game.");
    expect(hidden("reconnect-banner")).toBe(false);
  });

  it("a spectator sees who is to move, how many watch, and no actions", async () => {
    const t = setup();
    await t.join(snapshot(["3"], { you: { role: "spectator", seat: null }, spectators: 2 }));
    expect(text("turn-indicator")).toBe("Yellow to move");
    expect(text("spectators")).toBe("2 watching");
    expect(text("game-title")).toContain("spectating");
    expect(hidden("resign")).toBe(true);
    expect(text("leave-game")).toBe("Stop watching");
    click("leave-game");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.exits).toEqual(["watch"]);
    expect(storedGame()).toBeNull();
  });

  it("ticks the running clock down", async () => {
    const t = setup();
    const s = snapshot(["3", "4"], {
      clocks: { remainingMs: [30_000, 30_000], running: 0, serverNow: 0, firstMoveDeadline: null },
    });
    await t.join(s);
    const before = document.querySelector("#player-bottom .clock")!.textContent;
    await vi.advanceTimersByTimeAsync(5000);
    expect(before).toBe("0:30");
    expect(document.querySelector("#player-bottom .clock")!.textContent).toBe("0:25");
    expect(hidden("countdown")).toBe(true);
  });

  it("a failed join leaves nothing open", async () => {
    const t = setup();
    t.failNextStart(new Error("no such room"));
    await expect(t.screen.open("g1")).rejects.toThrow("no such room");
    expect(t.screen.active).toBe(false);
    expect(t.screen.current).toBeNull();
  });
});

describe("GameScreen: actions and dialogs", () => {
  it("resigns after a confirmation, and can be talked out of it", async () => {
    const t = setup();
    await t.join();
    click("resign");
    expect(hidden("resign-confirm")).toBe(false);
    click("cancel-resign");
    expect(hidden("resign-confirm")).toBe(true);
    expect(hidden("resign")).toBe(false);
    click("resign");
    click("confirm-resign");
    expect(t.sent).toContainEqual(["resign", {}]);
  });

  it("offers, accepts and declines draws, and aborts", async () => {
    const t = setup();
    await t.join();
    click("abort");
    click("offer-draw");
    t.server().snapshot(snapshot([], { drawOffer: 1 }), Date.now());
    expect(hidden("draw-offer")).toBe(false);
    click("accept-draw");
    click("decline-draw");
    expect(t.sent).toEqual([
      ["abort", {}],
      ["draw", { action: "offer" }],
      ["draw", { action: "accept" }],
      ["draw", { action: "decline" }],
    ]);
    t.server().snapshot(snapshot([], { drawOffer: 0 }), Date.now());
    expect(text("offer-draw")).toBe("Draw offered…");
    expect((document.getElementById("offer-draw") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows the result once, with rematch offers both ways", async () => {
    const t = setup();
    await t.join();
    const over = { status: "finished" as const, result: { winner: 1 as const, reason: "resign" as const } };
    t.server().snapshot(snapshot([], over), Date.now());
    expect(hidden("result-dialog")).toBe(false);
    expect(text("result-title")).toBe("You lost");
    expect(document.getElementById("result-dialog")!.dataset.reason).toBe("resign");
    click("close-result");
    t.server().snapshot(snapshot([], { ...over, rematchOffer: 1 }), Date.now());
    expect(hidden("result-dialog")).toBe(true); // shown once; reopened on request
    click("show-result");
    expect(text("rematch")).toBe("Accept rematch");
    expect(text("rematch-status")).toBe("Your opponent wants a rematch.");
    click("rematch");
    click("decline-rematch");
    expect(t.sent).toEqual([
      ["rematch", { action: "accept" }],
      ["rematch", { action: "decline" }],
    ]);
    click("back-to-lobby");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.exits).toEqual([undefined]);
  });

  it("follows an agreed rematch into the new game", async () => {
    const t = setup();
    await t.join();
    t.server().snapshot(
      snapshot([], { status: "finished", result: { winner: 0, reason: "resign" }, rematchGameId: "g2" }),
      Date.now(),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(text("toast")).toMatch(/Rematch/);
    t.server().connection("connected");
    t.server().snapshot(snapshot([], { gameId: "g2", you: { role: "player", seat: 1 } }), Date.now());
    expect(t.screen.current?.gameId).toBe("g2");
  });

  it("asks which piece a promotion makes, and plays it", async () => {
    const t = setup();
    await t.join(snapshot([], { kind: "chess" }));
    t.board.handler!.promotion("a7", "a8", ["q", "n"]);
    expect(hidden("promotion-picker")).toBe(false);
    const queen = document.querySelector<HTMLButtonElement>('#promotion-picker button[data-piece="q"]')!;
    const rook = document.querySelector<HTMLButtonElement>('#promotion-picker button[data-piece="r"]')!;
    expect(rook.hidden).toBe(true);
    expect(queen.hidden).toBe(false);
    queen.click(); // not legal here: refused by the rules
    expect(text("toast")).toBe("That move is not legal.");
    click("promote-cancel");
    expect(hidden("promotion-picker")).toBe(true);
    expect(t.board.cancelled).toBe(1);
  });

  it("leaving closes the game and goes back to the lobby", async () => {
    const t = setup();
    await t.join(snapshot([], { status: "aborted" }));
    click("leave-game");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.screen.active).toBe(false);
    expect(t.exits).toEqual([undefined]);
  });
});
