/** GameTable: clocks, deadlines, offers and endings, with time passed in explicitly. */
import { describe, expect, it } from "vitest";
import type { MoveChange } from "./changes.ts";
import { newRecord, T0 } from "../../test/support/records.ts";
import { GameTable } from "./table.ts";
import type { NewGame } from "./record.ts";

const OPTS = { firstMoveTimeoutMs: 30_000 };
const table = (r = newRecord()) => new GameTable(r, OPTS);

function play(t: GameTable, seat: 0 | 1, move: string, now: number): MoveChange {
  const change = t.planMove(seat, t.ply, move, now);
  if (!change.ok) throw new Error(change.message);
  t.apply(change);
  return change;
}

describe("GameTable", () => {
  it("planning changes nothing until applied", () => {
    const t = table();
    const change = t.planMove(0, 0, "3", T0 + 1000);
    expect(change).toMatchObject({ ok: true, kind: "move", record: { ply: 0, seat: 0, move: "3", san: "d1" } });
    expect(t.ply).toBe(0);
  });

  it("clocks start after both first moves; then the mover's thinking time is charged and the increment added", () => {
    const t = table();
    play(t, 0, "3", T0 + 10_000); // first moves are free...
    expect(t.clockState(T0 + 10_000).running).toBeNull();
    expect(t.clockState(T0 + 10_000).firstMoveDeadline).toBe(T0 + 40_000);
    play(t, 1, "3", T0 + 20_000);
    expect(t.remainingAt(T0 + 20_000)).toEqual([60_000, 60_000]);
    expect(t.clockState(T0 + 20_000).running).toBe(0);
    expect(t.deadline()).toBe(T0 + 80_000);
    const change = play(t, 0, "4", T0 + 27_000); // 7 s thought, +5 s increment
    expect(change.record.clockMs).toBe(58_000);
    expect(t.remainingAt(T0 + 30_000)).toEqual([58_000, 57_000]);
  });

  it("refuses stale plies, wrong turns, illegal moves and moves after the flag", () => {
    const t = table();
    expect(t.planMove(0, 1, "3", T0)).toMatchObject({ ok: false, code: "STALE_PLY" });
    expect(t.planMove(1, 0, "3", T0)).toMatchObject({ ok: false, code: "NOT_YOUR_TURN" });
    expect(t.planMove(0, 0, "9", T0)).toMatchObject({ ok: false, code: "BAD_MOVE_FORMAT" });
    expect(t.planMove(0, 0, "3", T0 + 30_000)).toMatchObject({ ok: false, code: "GAME_OVER" });
  });

  it("the first-move deadline aborts; later deadlines lose on time", () => {
    const t = table();
    expect(t.planDeadline(T0 + 29_999)).toBeNull();
    expect(t.planDeadline(T0 + 30_000)?.ending).toMatchObject({ status: "aborted", result: { winner: null, reason: "aborted" } });
    const u = table();
    play(u, 0, "3", T0 + 1000);
    play(u, 1, "3", T0 + 2000);
    const change = u.planDeadline(T0 + 62_000);
    expect(change?.ending).toMatchObject({ status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(change?.clocks.clock0Ms).toBe(0);
  });

  it("a chess flag with mating material on the board loses on time (the bare-king draw: host.test.ts)", () => {
    const t = table(newRecord("chess"));
    play(t, 0, "e2e4", T0 + 100);
    play(t, 1, "e7e5", T0 + 200);
    expect(t.planDeadline(T0 + 200 + 60_000)?.ending.result).toEqual({ winner: 1, reason: "timeout" });
  });

  it("resign, abort and abandonment", () => {
    const t = table();
    expect(t.planAbort(0, T0)).toMatchObject({ ok: true, kind: "end" });
    play(t, 0, "3", T0 + 1000);
    expect(t.planAbort(0, T0 + 1000)).toMatchObject({ ok: false, code: "CANNOT_ABORT" });
    expect(t.planAbort(1, T0 + 1000)).toMatchObject({ ok: true });
    expect(t.planAbandon(1, T0 + 1000)).toMatchObject({ ending: { status: "aborted" } });
    play(t, 1, "4", T0 + 2000);
    expect(t.planAbandon(1, T0 + 3000)).toMatchObject({ ending: { result: { winner: 0, reason: "abandon" } } });
    const r = t.planResign(0, T0 + 3000);
    if (!r.ok) throw new Error("resign refused");
    t.apply(r);
    expect(t.status).toBe("finished");
    expect(t.result).toEqual({ winner: 1, reason: "resign" });
    expect(t.planMove(1, t.ply, "4", T0 + 4000)).toMatchObject({ ok: false, code: "GAME_OVER" });
    expect(t.planResign(1, T0 + 4000)).toMatchObject({ ok: false, code: "GAME_OVER" });
    expect(t.planAbandon(1, T0 + 4000)).toMatchObject({ ok: false, code: "GAME_OVER" });
  });

  it("a claimed win: refused while the opponent is here or within its window; then the abandonment's ending", () => {
    const t = table();
    play(t, 0, "3", T0);
    expect(t.planClaimWin(0, T0 + 5000, T0 + 5000)).toMatchObject({ ending: { status: "aborted" } }); // before clocks
    play(t, 1, "4", T0);
    expect(t.planClaimWin(0, null, T0 + 1000)).toMatchObject({ ok: false, code: "OPPONENT_CONNECTED" });
    expect(t.planClaimWin(0, T0 + 60_000, T0 + 59_001)).toMatchObject({
      ok: false,
      code: "CLAIM_TOO_EARLY",
      message: "your opponent has 1 s left to come back",
    });
    expect(t.planClaimWin(0, T0 + 60_000, T0 + 60_000)).toMatchObject({
      ok: true,
      kind: "end",
      ending: { status: "finished", result: { winner: 0, reason: "abandon" }, endedAt: T0 + 60_000 },
    });
    expect(t.planClaimWin(1, T0, T0 + 60_000)).toMatchObject({ ending: { result: { winner: 1, reason: "abandon" } } });
  });

  it("rebuilds from the move log and refuses a log that disagrees with the row", () => {
    const moves = [
      { ply: 0, seat: 0 as const, move: "3", san: "d1", clockMs: 60_000, at: T0 },
      { ply: 1, seat: 1 as const, move: "3", san: "d2", clockMs: 60_000, at: T0 },
    ];
    const t = table(newRecord("connect4", { moves, ply: 2 }));
    expect(t.ply).toBe(2);
    expect(t.toMove()).toBe(0);
    expect(() => table(newRecord("connect4", { moves, ply: 3 }))).toThrow(/log holds 2/);
    expect(() => table(newRecord("connect4", { moves: [{ ...moves[0], move: "9" }], ply: 1 }))).toThrow(/illegal/);
  });

  it("resume: the side to move gets the time it had when the turn began; a first-move deadline restarts", () => {
    const t = table();
    expect(t.planResume(T0 + 50_000)).toMatchObject({
      kind: "clocks",
      clocks: { turnStartedAt: T0 + 50_000, deadlineAt: T0 + 80_000 },
    });
    play(t, 0, "3", T0 + 1000);
    play(t, 1, "3", T0 + 2000);
    play(t, 0, "4", T0 + 12_000); // seat 0: 60 - 10 + 5 = 55 s; seat 1 to move with 60 s since T0 + 12 s
    const resumed = t.planResume(T0 + 40_000); // the node died; 28 s of seat 1's turn were lost to the outage
    expect(resumed?.clocks).toEqual({ clock0Ms: 55_000, clock1Ms: 60_000, turnStartedAt: T0 + 40_000, deadlineAt: T0 + 100_000 });
    if (!resumed) throw new Error("no resume");
    t.apply(resumed);
    expect(t.remainingAt(T0 + 40_000)).toEqual([55_000, 60_000]);
    const r = t.planResign(1, T0 + 41_000);
    if (!r.ok) throw new Error("resign refused");
    t.apply(r);
    expect(t.planResume(T0 + 50_000)).toBeNull();
  });
});

describe("GameTable offers", () => {
  it("a draw offer is a change; the opponent accepts (a draw) or declines (offer gone)", () => {
    const t = table();
    expect(t.planDraw(0, "accept", T0)).toMatchObject({ ok: false, code: "NO_OFFER" });
    expect(t.planDraw(0, "decline", T0)).toMatchObject({ ok: false, code: "NO_OFFER" });
    const offer = t.planDraw(0, "offer", T0);
    expect(offer).toMatchObject({ kind: "offers", expected: { ply: 0, status: "active" }, offers: { drawOffer: 0 } });
    expect(t.offers.drawOffer).toBeNull(); // planned, not applied
    if (!offer.ok || offer.kind !== "offers") throw new Error("no offer");
    t.apply(offer);
    expect(t.planDraw(0, "offer", T0)).toEqual({ ok: true, kind: "unchanged" });
    expect(t.planDraw(0, "accept", T0)).toMatchObject({ ok: false, code: "NO_OFFER" }); // not your own offer
    expect(t.planDraw(1, "decline", T0)).toMatchObject({ kind: "offers", offers: { drawOffer: null } });
    expect(t.planDraw(1, "accept", T0)).toMatchObject({
      kind: "end",
      ending: { status: "finished", result: { winner: null, reason: "agreement" } },
    });
    // Offering when the opponent already offered is accepting.
    expect(t.planDraw(1, "offer", T0)).toMatchObject({ kind: "end", ending: { result: { reason: "agreement" } } });
  });

  it("a move answers a pending draw offer with no; a game's end clears it; no draw after the end", () => {
    const t = table();
    const offer = t.planDraw(1, "offer", T0);
    if (!offer.ok || offer.kind !== "offers") throw new Error("no offer");
    t.apply(offer);
    play(t, 0, "3", T0 + 100);
    expect(t.offers.drawOffer).toBeNull();
    const again = t.planDraw(0, "offer", T0);
    if (!again.ok || again.kind !== "offers") throw new Error("no offer");
    t.apply(again);
    const resign = t.planResign(1, T0 + 200);
    if (!resign.ok) throw new Error("resign refused");
    t.apply(resign);
    expect(t.offers.drawOffer).toBeNull();
    expect(t.planDraw(1, "offer", T0)).toMatchObject({ ok: false, code: "GAME_OVER" });
  });

  it("a bot declines a draw at once: nothing is left pending", () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    expect(table(r).planDraw(0, "offer", T0)).toEqual({ ok: true, kind: "unchanged" });
  });

  it("rematch: only after the game; offer, decline, accept (colours swapped), and once created it stays", () => {
    const t = table();
    expect(t.planRematch(0, "offer")).toMatchObject({ ok: false, code: "GAME_NOT_OVER" });
    const r = t.planResign(0, T0);
    if (!r.ok) throw new Error("resign refused");
    t.apply(r);
    expect(t.planRematch(1, "accept")).toMatchObject({ ok: false, code: "NO_OFFER" });
    expect(t.planRematch(1, "decline")).toMatchObject({ ok: false, code: "NO_OFFER" });
    const offer = t.planRematch(0, "offer");
    expect(offer).toMatchObject({ kind: "offers", expected: { ply: 0, status: "finished" }, offers: { rematchOffer: 0 } });
    if (!offer.ok || offer.kind !== "offers") throw new Error("no offer");
    t.apply(offer);
    expect(t.planRematch(0, "offer")).toEqual({ ok: true, kind: "unchanged" });
    expect(t.planRematch(1, "decline")).toMatchObject({ kind: "offers", offers: { rematchOffer: null } });
    const agreed = t.planRematch(1, "offer"); // offering back is accepting
    expect(agreed).toEqual(t.planRematch(1, "accept"));
    expect(agreed).toMatchObject({
      kind: "create-rematch",
      game: "connect4",
      mode: "rematch",
      playerIds: ["b", "a"],
      rematchOfId: "g1",
    });
    const game = { id: "g2", rematchOfId: "g1" } as NewGame; // the row itself is the factory's (factory.ts)
    const created = t.rematchCreated(game);
    expect(created.offers).toEqual({ drawOffer: null, rematchOffer: null, rematchGameId: "g2" });
    expect(created.creates).toBe(game);
    t.apply(created);
    expect(t.planRematch(0, "offer")).toEqual({ ok: true, kind: "unchanged" });
  });

  it("a bot accepts a rematch at once", () => {
    const r = newRecord("connect4", { status: "finished", result: { winner: 0, reason: "resign" } });
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    expect(table(r).planRematch(0, "offer")).toMatchObject({ kind: "create-rematch", mode: "bot", playerIds: ["bot", "a"] });
  });

  it("offers load with the game (they survive a takeover)", () => {
    const t = table(newRecord("connect4", { offers: { drawOffer: 1, rematchOffer: null, rematchGameId: null } }));
    expect(t.planDraw(0, "accept", T0)).toMatchObject({ kind: "end", ending: { result: { reason: "agreement" } } });
  });
});
