/** GameTable: clocks, deadlines and endings, with time passed in explicitly. */
import { describe, expect, it } from "vitest";
import type { LoadedGame } from "../db/games.ts";
import { GameTable, type MovePlan } from "./session.ts";

const T0 = 1_700_000_000_000;

function loaded(kind: "connect4" | "chess", initialMs = 60_000, incrementMs = 5_000): LoadedGame {
  return {
    game: {
      id: "g1",
      kind,
      timeControl: "1+5",
      initialMs,
      incrementMs,
      seed: "seed",
      mode: "quick",
      status: "active",
      seat0Id: "a",
      seat1Id: "b",
      ply: 0,
      clock0Ms: initialMs,
      clock1Ms: initialMs,
      turnStartedAt: new Date(T0),
      deadlineAt: new Date(T0 + 30_000),
      winner: null,
      resultReason: null,
      ownerNode: "n1",
      leaseToken: 1n,
      rematchOfId: null,
      createdAt: new Date(T0),
      endedAt: null,
    },
    players: [
      { id: "a", name: "A", isBot: false },
      { id: "b", name: "B", isBot: false },
    ],
    moves: [],
  };
}

const table = (l = loaded("connect4")) => new GameTable(l, { firstMoveTimeoutMs: 30_000 });

function play(t: GameTable, seat: 0 | 1, move: string, now: number): MovePlan {
  const plan = t.planMove(seat, t.ply, move, now);
  if (!plan.ok) throw new Error(plan.message);
  t.applyMove(plan);
  return plan;
}

describe("GameTable", () => {
  it("planning changes nothing until applied", () => {
    const t = table();
    const plan = t.planMove(0, 0, "3", T0 + 1000);
    expect(plan.ok).toBe(true);
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
    const plan = play(t, 0, "4", T0 + 27_000); // 7 s thought, +5 s increment
    expect(plan.record.clockMs).toBe(58_000);
    expect(t.remainingAt(T0 + 30_000)).toEqual([58_000, 57_000]);
  });

  it("refuses stale plies, wrong turns and moves after the flag", () => {
    const t = table();
    expect(t.planMove(0, 1, "3", T0)).toMatchObject({ ok: false, code: "STALE_PLY" });
    expect(t.planMove(1, 0, "3", T0)).toMatchObject({ ok: false, code: "NOT_YOUR_TURN" });
    expect(t.planMove(0, 0, "9", T0)).toMatchObject({ ok: false });
    expect(t.planMove(0, 0, "3", T0 + 30_000)).toMatchObject({ ok: false, code: "GAME_OVER" });
  });

  it("the first-move deadline aborts; later deadlines lose on time", () => {
    const t = table();
    expect(t.planDeadline(T0 + 29_999)).toBeNull();
    expect(t.planDeadline(T0 + 30_000)?.ending).toMatchObject({ status: "aborted", result: { winner: null, reason: "aborted" } });
    const u = table();
    play(u, 0, "3", T0 + 1000);
    play(u, 1, "3", T0 + 2000);
    const plan = u.planDeadline(T0 + 62_000);
    expect(plan?.ending).toMatchObject({ status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(plan?.clocks.clock0Ms).toBe(0);
  });

  it("a chess flag with mating material on the board loses on time (canWin itself is covered by the rules tests)", () => {
    const l = loaded("chess");
    const t = new GameTable(l, { firstMoveTimeoutMs: 30_000 });
    play(t, 0, "e2e4", T0 + 100);
    play(t, 1, "e7e5", T0 + 200);
    expect(t.planDeadline(T0 + 200 + 60_000)?.ending.result).toEqual({ winner: 1, reason: "timeout" });
  });

  it("resign, abort and abandonment", () => {
    const t = table();
    expect(t.planAbort(0, T0)).toMatchObject({ ok: true });
    play(t, 0, "3", T0 + 1000);
    expect(t.planAbort(0, T0 + 1000)).toMatchObject({ ok: false, code: "CANNOT_ABORT" });
    expect(t.planAbort(1, T0 + 1000)).toMatchObject({ ok: true });
    expect(t.planAbandon(1, T0 + 1000)).toMatchObject({ ending: { status: "aborted" } });
    play(t, 1, "4", T0 + 2000);
    expect(t.planAbandon(1, T0 + 3000)).toMatchObject({ ending: { result: { winner: 0, reason: "abandon" } } });
    const r = t.planResign(0, T0 + 3000);
    if (!r.ok) throw new Error("resign refused");
    t.applyEnd(r);
    expect(t.status).toBe("finished");
    expect(t.result).toEqual({ winner: 1, reason: "resign" });
    expect(t.planMove(1, t.ply, "4", T0 + 4000)).toMatchObject({ ok: false, code: "GAME_OVER" });
  });

  it("rebuilds from the move log and refuses a log that disagrees with the row", () => {
    const l = loaded("connect4");
    l.moves = [
      { gameId: "g1", ply: 0, seat: 0, move: "3", san: "d", clockMs: 60_000, createdAt: new Date(T0) },
      { gameId: "g1", ply: 1, seat: 1, move: "3", san: "d", clockMs: 60_000, createdAt: new Date(T0) },
    ];
    l.game.ply = 2;
    const t = new GameTable(l, { firstMoveTimeoutMs: 30_000 });
    expect(t.ply).toBe(2);
    expect(t.toMove()).toBe(0);
    l.game.ply = 3;
    expect(() => new GameTable(l, { firstMoveTimeoutMs: 30_000 })).toThrow(/log holds 2/);
  });
});
