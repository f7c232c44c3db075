import type { GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { applyMoved, controlsFor, seatToMove } from "./gameState.ts";

function snapshot(over: Partial<GameSnapshot> = {}): GameSnapshot {
  return {
    gameId: "g1",
    kind: "connect4",
    timeControl: { id: "1+5", initialMs: 60_000, incrementMs: 5_000 },
    mode: "quick",
    status: "active",
    players: [
      { id: "a", name: "alice", isBot: false, connected: true, reconnectDeadline: null },
      { id: "b", name: "bob", isBot: false, connected: true, reconnectDeadline: null },
    ],
    you: { role: "player", seat: 0 },
    seed: "s",
    moves: [],
    ply: 0,
    view: { toMove: 0 },
    clocks: { remainingMs: [60_000, 60_000], running: null, serverNow: 1, firstMoveDeadline: 30_001 },
    result: null,
    drawOffer: null,
    rematchOffer: null,
    rematchGameId: null,
    spectators: 0,
    heartbeat: { intervalMs: 500, timeoutMs: 1500 },
    ...over,
  };
}

function moved(ply: number, over: Partial<MovedMessage> = {}): MovedMessage {
  return {
    gameId: "g1",
    record: { ply: ply - 1, seat: ((ply - 1) % 2) as 0 | 1, move: "3", san: "d", clockMs: 60_000, at: 2 },
    ply,
    view: { toMove: ply % 2 },
    clocks: { remainingMs: [60_000, 60_000], running: null, serverNow: 2, firstMoveDeadline: 40_000 },
    status: "active",
    result: null,
    ...over,
  };
}

describe("applyMoved", () => {
  it("folds the next move in and clears a draw offer", () => {
    const r = applyMoved(snapshot({ drawOffer: 1 }), moved(1));
    expect(r.kind).toBe("applied");
    if (r.kind !== "applied") return;
    expect(r.snapshot.ply).toBe(1);
    expect(r.snapshot.moves).toHaveLength(1);
    expect(r.snapshot.drawOffer).toBeNull();
    expect(r.snapshot.clocks.serverNow).toBe(2);
  });
  it("ignores duplicates and reports gaps", () => {
    expect(applyMoved(snapshot({ ply: 1, moves: [moved(1).record] }), moved(1)).kind).toBe("ignored");
    expect(applyMoved(snapshot(), moved(2)).kind).toBe("gap");
    expect(applyMoved(snapshot(), moved(1, { gameId: "other" })).kind).toBe("gap");
  });
});

describe("controlsFor", () => {
  it("offers abort before your first move, and resign", () => {
    const c = controlsFor(snapshot());
    expect(c).toMatchObject({ canMove: true, canAbort: true, canResign: true, canOfferDraw: true });
    const after = controlsFor(snapshot({ moves: [moved(1).record], ply: 1, view: { toMove: 1 } }));
    expect(after).toMatchObject({ canMove: false, canAbort: false });
  });
  it("handles draw and rematch offers", () => {
    expect(controlsFor(snapshot({ drawOffer: 1 }))).toMatchObject({ drawOfferedToMe: true, canOfferDraw: false });
    expect(controlsFor(snapshot({ drawOffer: 0 }))).toMatchObject({ drawOfferedByMe: true });
    const over = snapshot({ status: "finished", result: { winner: 0, reason: "resign" }, rematchOffer: 1 });
    expect(controlsFor(over)).toMatchObject({ canResign: false, rematchOfferedToMe: true, canOfferRematch: false });
  });
  it("gives spectators nothing", () => {
    const c = controlsFor(snapshot({ you: { role: "spectator", seat: null } }));
    expect(Object.values(c).every((v) => v === false)).toBe(true);
  });
  it("knows who is to move", () => {
    expect(seatToMove(snapshot({ view: { toMove: 1 } }))).toBe(1);
    expect(seatToMove(snapshot({ status: "finished" }))).toBeNull();
  });
});
