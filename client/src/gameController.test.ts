import type { ErrorMessage, GameSnapshot } from "@tabula/shared/protocol";
import type { Connect4View } from "@tabula/shared/rules";
import { describe, expect, it, vi } from "vitest";
import {
  GameController,
  type GameControllerDeps,
  PENDING_MOVE_TIMEOUT_MS,
  RECORD_CHECK_AFTER_ATTEMPTS,
} from "./gameController.ts";
import type { SessionHandlers } from "./session.ts";
import { moved, records, snapshot } from "./testing/fixtures.ts";

/** A controller on a fake session: `server` plays the server's side by calling the handlers. */
function setup(over: Partial<GameControllerDeps> = {}) {
  let handlers!: SessionHandlers;
  const sent: Array<[string, unknown]> = [];
  let online = true;
  const session = {
    start: vi.fn(async () => {}),
    leave: vi.fn(async () => {}),
    send: (type: string, payload: unknown) => {
      if (!online) return false;
      sent.push([type, payload]);
      return true;
    },
  };
  const changes: boolean[] = [];
  const notes: string[] = [];
  const rematches: string[] = [];
  let clock = 10_000;
  const game = new GameController("g1", false, {
    openSession: (_id, _spectate, h) => {
      handlers = h;
      return session as never;
    },
    gameRecord: async () => ({ game: { status: "active", result: null }, moves: [] }),
    changed: (animate) => changes.push(animate),
    connection: () => {},
    notify: (text) => notes.push(text),
    rematch: (id) => rematches.push(id),
    now: () => clock,
    ...over,
  });
  const server = {
    snapshot: (s: GameSnapshot) => handlers.snapshot(s, clock),
    moved: (m: Parameters<SessionHandlers["moved"]>[0]) => handlers.moved(m, clock),
    error: (e: ErrorMessage) => handlers.error(e),
    connection: (s: Parameters<SessionHandlers["connection"]>[0]) => handlers.connection(s),
    retryFailed: (attempt: number) => handlers.retryFailed!(new Error("x"), attempt),
    latency: (ms: number) => handlers.latency(ms),
    offerDeclined: (offer: "draw" | "rematch", gameId = "g1") => handlers.offerDeclined!({ gameId, offer }),
  };
  const syncs = () => sent.filter(([t]) => t === "sync").length;
  return {
    game,
    server,
    sent,
    syncs,
    changes,
    notes,
    rematches,
    session,
    setOnline: (v: boolean) => {
      online = v;
    },
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

function connected(t: ReturnType<typeof setup>, s = snapshot()) {
  t.server.connection("connected");
  t.server.snapshot(s);
}

describe("GameController: one source of truth", () => {
  it("draws the rules' position built from the snapshot, and moves it on with each `moved`", () => {
    const t = setup();
    connected(t, snapshot(["3"], { you: { role: "player", seat: 1 } }));
    expect((t.game.shownView() as Connect4View).board[3]).toBe(0);
    expect(t.game.canMoveNow).toBe(true);
    expect(t.game.legalMoves()).toHaveLength(7);
    t.server.moved(moved(["3"], "4"));
    expect(t.game.model!.ply).toBe(2);
    expect(t.game.canMoveNow).toBe(false);
    // The opponent's turn: the board offers premoves (every column not full), nothing is sent.
    expect(t.game.legalMoves()).toHaveLength(7);
    expect(t.syncs()).toBe(0);
  });

  it("ignores a snapshot of another game", () => {
    const t = setup();
    connected(t, snapshot([], { gameId: "other" }));
    expect(t.game.model).toBeNull();
    expect(t.game.shownView()).toBeNull();
  });

  it("keeps the position it has when the server's log does not replay, and says so", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    const bad = snapshot(["3", "4"]);
    bad.moves[1] = { ...bad.moves[1]!, move: "9" };
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    t.server.snapshot(bad);
    err.mockRestore();
    expect(t.game.model!.ply).toBe(1);
    expect(t.notes.at(-1)).toMatch(/reload/);
  });

  it("animates only the other side's moves", () => {
    const t = setup();
    connected(t);
    t.game.play("3");
    t.server.moved(moved([], "3"));
    expect(t.changes.at(-1)).toBe(false);
    t.server.moved(moved(["3"], "4"));
    expect(t.changes.at(-1)).toBe(true);
    t.server.snapshot(snapshot(["3", "4", "3"]));
    expect(t.changes.at(-1)).toBe(false); // our own move, folded in by a snapshot
  });
});

describe("GameController: playing", () => {
  it("checks a move with the shared rules, draws it at once and sends it with its ply", () => {
    const t = setup();
    connected(t, snapshot(["3", "4"]));
    expect(t.game.play("9")).toBe("illegal");
    expect(t.game.play("2")).toBe("sent");
    expect(t.sent).toEqual([["move", { ply: 2, move: "2" }]]);
    expect((t.game.shownView() as Connect4View).board[2]).toBe(0);
    expect((t.game.model!.view() as Connect4View).board[2]).toBe(-1);
    // One move at a time: a second one while the first is in flight is the premove.
    expect(t.game.play("1")).toBe("queued");
    expect(t.sent).toHaveLength(1);
    t.game.cancelPremove();
    t.server.moved(moved(["3", "4"], "2"));
    expect(t.game.pending).toBeNull();
    expect(t.game.model!.ply).toBe(3);
  });

  it("refuses to play out of turn, as a spectator, or while reconnecting; reports a failed send", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    expect(t.game.play("3")).toBe("queued"); // out of turn: the premove, not sent
    expect(t.sent).toEqual([]);
    const s = setup();
    connected(s, snapshot([], { you: { role: "spectator", seat: null } }));
    expect(s.game.play("3")).toBe("not-now");
    const r = setup();
    connected(r);
    r.server.connection("reconnecting");
    expect(r.game.play("3")).toBe("not-now");
    const o = setup();
    connected(o);
    o.setOnline(false);
    expect(o.game.play("3")).toBe("offline");
    expect(o.game.pending).toBeNull();
  });

  it("passes resign, abort, draw and rematch on; false when not connected", () => {
    const t = setup();
    connected(t);
    expect(t.game.send("resign")).toBe(true);
    expect(t.game.send("draw", "offer")).toBe(true);
    expect(t.game.send("rematch", "decline")).toBe(true);
    expect(t.sent).toEqual([
      ["resign", {}],
      ["draw", { action: "offer" }],
      ["rematch", { action: "decline" }],
    ]);
    t.setOnline(false);
    expect(t.game.send("abort")).toBe(false);
  });

  it("follows an agreed rematch once", () => {
    const t = setup();
    connected(t, snapshot([], { status: "finished", result: { winner: 0, reason: "resign" }, rematchGameId: "g2" }));
    t.server.snapshot(snapshot([], { status: "finished", result: { winner: 0, reason: "resign" }, rematchGameId: "g2" }));
    expect(t.rematches).toEqual(["g2"]);
  });
});

describe("GameController: the resync rule", () => {
  it("asks for one sync on a gap, not one per message, and again after the snapshot", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    t.server.moved(moved(["3", "4"], "5"));
    t.server.moved(moved(["3", "4", "5"], "6"));
    expect(t.syncs()).toBe(1);
    t.server.snapshot(snapshot(["3", "4", "5", "6"]));
    expect(t.game.model!.ply).toBe(4);
    t.server.moved(moved(["3", "4", "5", "6", "0"], "1"));
    expect(t.syncs()).toBe(2);
  });

  it("asks for a sync on STALE_PLY and on any error answering our move, and drops the move in flight", () => {
    const t = setup();
    connected(t);
    t.game.play("3");
    t.server.error({ code: "STALE_PLY", message: "stale", inReplyTo: "move" });
    expect(t.game.pending).toBeNull();
    expect(t.syncs()).toBe(1);
    expect(t.notes.at(-1)).toMatch(/moved on/);
    t.server.snapshot(snapshot());
    t.game.play("3");
    t.server.error({ code: "ILLEGAL_MOVE", message: "no", inReplyTo: "move" });
    expect(t.syncs()).toBe(2);
    expect(t.notes.at(-1)).toBe("That move is not legal."); // the code, translated
    // Other errors are shown, not resynced.
    t.server.snapshot(snapshot());
    t.server.error({ code: "NO_OFFER", message: "", inReplyTo: "draw" });
    expect(t.notes.at(-1)).toBe("There is no offer to answer.");
    expect(t.syncs()).toBe(2);
  });

  it("asks for a sync when a move stays unanswered, and when a connection comes back with one in flight", () => {
    const t = setup();
    connected(t);
    t.game.play("3");
    t.advance(PENDING_MOVE_TIMEOUT_MS);
    t.game.tick();
    expect(t.game.pending).not.toBeNull();
    t.advance(1);
    t.game.tick();
    expect(t.game.pending).toBeNull();
    expect(t.syncs()).toBe(1);
    t.server.snapshot(snapshot());
    t.game.play("3");
    t.server.connection("reconnecting");
    t.server.connection("connected");
    expect(t.syncs()).toBe(2);
    // The snapshot says the move arrived: not in flight any more.
    t.server.snapshot(snapshot(["3"]));
    expect(t.game.pending).toBeNull();
  });

  it("a new connection may resync again even if the last sync was never answered", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    t.server.moved(moved(["3", "4"], "5"));
    expect(t.syncs()).toBe(1);
    t.server.connection("reconnecting");
    t.server.connection("connected");
    t.server.moved(moved(["3", "4"], "5"));
    expect(t.syncs()).toBe(2);
  });
});

describe("GameController: a game whose room is gone", () => {
  it("stops re-joining once the record says the game is over, and shows how it ended", async () => {
    const t = setup({
      gameRecord: async () => ({
        game: { status: "finished", result: { winner: 1, reason: "abandon" } },
        moves: records("connect4", ["3", "4"]),
      }),
    });
    connected(t, snapshot(["3"]));
    // A failover takes a few attempts: the first ones do not ask.
    expect(await t.server.retryFailed(RECORD_CHECK_AFTER_ATTEMPTS - 1)).toBe("retry");
    expect(t.game.model!.active).toBe(true);
    expect(await t.server.retryFailed(RECORD_CHECK_AFTER_ATTEMPTS)).toBe("stop");
    expect(t.game.model!.active).toBe(false);
    expect(t.game.model!.ply).toBe(2);
    expect(t.game.anchor!.clocks.running).toBeNull();
  });

  it("keeps trying while the game is active or the record cannot be read", async () => {
    const t = setup();
    expect(await t.server.retryFailed(7)).toBe("retry"); // nothing known yet
    connected(t);
    expect(await t.server.retryFailed(7)).toBe("retry");
    const down = setup({ gameRecord: async () => Promise.reject(new Error("down")) });
    connected(down);
    expect(await down.server.retryFailed(9)).toBe("retry");
  });

  it("gives up after a few attempts on a game already known to be over", async () => {
    const t = setup({ gameRecord: async () => Promise.reject(new Error("down")) });
    connected(t, snapshot([], { status: "aborted" }));
    expect(await t.server.retryFailed(2)).toBe("retry");
    expect(await t.server.retryFailed(3)).toBe("stop");
  });
});

describe("GameController: clocks and latency", () => {
  it("anchors the clocks where each message arrived, net of half the round trip", () => {
    const t = setup();
    t.server.latency(80);
    expect(t.game.latencyMs).toBe(80);
    connected(t);
    expect(t.game.anchor).toEqual({ clocks: snapshot().clocks, receivedAt: 10_000, transitMs: 40 });
    t.advance(500);
    const m = moved([], "3");
    t.server.moved(m);
    expect(t.game.anchor).toEqual({ clocks: m.clocks, receivedAt: 10_500, transitMs: 40 });
  });

  it("starts and leaves the session", async () => {
    const t = setup();
    await t.game.start();
    await t.game.leave();
    expect(t.session.start).toHaveBeenCalledOnce();
    expect(t.session.leave).toHaveBeenCalledOnce();
    expect(t.game.connection).toBe("connecting");
  });
});

describe("GameController: premove", () => {
  const moves = (t: ReturnType<typeof setup>) => t.sent.filter(([type]) => type === "move");

  it("a move chosen during the opponent's turn is queued, drawn, and sent the moment the turn comes", () => {
    const t = setup();
    connected(t, snapshot(["3"])); // seat 0 to wait: seat 1 to move
    expect(t.game.inputSeat).toBe(0);
    expect(t.game.play("4")).toBe("queued");
    expect(t.game.premove).toBe("4");
    expect(moves(t)).toEqual([]);
    t.server.moved(moved(["3"], "5"));
    expect(moves(t)).toEqual([["move", { ply: 2, move: "4" }]]);
    expect(t.game.premove).toBeNull();
    expect(t.game.pending?.move).toBe("4");
  });

  it("one premove at a time: the latest replaces it; cancelled, nothing is sent", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    t.game.play("4");
    t.game.play("6");
    expect(t.game.premove).toBe("6");
    expect(t.game.cancelPremove()).toBe(true);
    expect(t.game.cancelPremove()).toBe(false);
    t.server.moved(moved(["3"], "5"));
    expect(moves(t)).toEqual([]);
  });

  it("a premove no longer legal when the turn comes is dropped silently", () => {
    const t = setup();
    connected(t, snapshot(["0", "0", "0", "0", "0"])); // column 0 has one hole left; seat 1 to move
    expect(t.game.legalMoves()).toContain("0");
    t.game.play("0");
    t.server.moved(moved(["0", "0", "0", "0", "0"], "0")); // the opponent fills it
    expect(moves(t)).toEqual([]);
    expect(t.game.premove).toBeNull();
    expect(t.notes).toEqual([]);
  });

  it("no premove for a spectator or once the game is over", () => {
    const s = setup();
    connected(s, snapshot(["3"], { you: { role: "spectator", seat: null } }));
    expect(s.game.inputSeat).toBeNull();
    expect(s.game.play("4")).toBe("not-now");
    const t = setup();
    connected(t, snapshot(["3"]));
    t.game.play("4");
    t.server.snapshot(snapshot(["3"], { status: "finished", result: { winner: 0, reason: "resign" } }));
    expect(t.game.premove).toBeNull();
    expect(t.game.inputSeat).toBeNull();
  });
});

describe("GameController: sounds, offers declined, claiming a win", () => {
  it("sounds for real events only: start, each move arriving, the end; nothing for a resync", () => {
    const played: string[] = [];
    const t = setup({ sound: (name) => played.push(name) });
    connected(t, snapshot());
    expect(played).toEqual(["start"]);
    t.server.moved(moved([], "3"));
    expect(played).toEqual(["start", "move"]);
    t.server.snapshot(snapshot(["3"])); // a resync: the same game, nothing new
    t.server.moved(moved([], "3")); // a duplicate
    expect(played).toEqual(["start", "move"]);
    t.server.moved(moved(["3"], "4", { status: "finished", result: { winner: 1, reason: "resign" } }));
    expect(played).toEqual(["start", "move", "move", "end"]);
  });

  it("low time: one sound when our running clock drops under the threshold", () => {
    const played: string[] = [];
    const t = setup({ sound: (name) => played.push(name) });
    const clocks = {
      remainingMs: [7_000, 60_000] as [number, number],
      running: 0 as const,
      serverNow: 1000,
      firstMoveDeadline: null,
    };
    connected(t, snapshot(["3", "4"], { clocks }));
    t.game.tick(); // 7 s of 60: above the 6 s threshold
    expect(played).toEqual([]);
    t.advance(1500);
    t.game.tick();
    t.advance(100);
    t.game.tick();
    expect(played).toEqual(["lowTime"]);
  });

  it("a declined offer is told, and kept for the panel's notice", () => {
    const t = setup();
    connected(t, snapshot(["3"]));
    t.server.offerDeclined("draw");
    expect(t.notes.at(-1)).toBe("Your draw offer was declined.");
    expect(t.game.declined).toEqual({ offer: "draw", at: 10_000 });
    t.server.offerDeclined("rematch", "other-game");
    expect(t.game.declined?.offer).toBe("draw");
  });

  it("claims the win over the room", () => {
    const t = setup();
    connected(t, snapshot(["3", "4"]));
    expect(t.game.claimWin()).toBe(true);
    expect(t.sent.at(-1)).toEqual(["claimWin", {}]);
  });
});
