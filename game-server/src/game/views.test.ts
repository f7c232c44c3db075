/** What each participant is sent: one shared body for a public view, one per seat with hidden information. */
import type { GameDefinition, Seat } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { newRecord, T0 } from "../../test/support/records.ts";
import { GameTable } from "./table.ts";
import { movedOf, type SnapshotContext, snapshotsOf } from "./views.ts";

const CTX: SnapshotContext = {
  now: T0,
  presence: [
    { connected: true, reconnectDeadline: null },
    { connected: true, reconnectDeadline: null },
  ],
  spectators: 2,
  heartbeat: { intervalMs: 1000, timeoutMs: 1500 },
};

function tableAfterOneMove(): GameTable {
  const t = new GameTable(newRecord(), { firstMoveTimeoutMs: 30_000 });
  const change = t.planMove(0, 0, "3", T0 + 1000);
  if (!change.ok) throw new Error(change.message);
  t.apply(change);
  return t;
}

/** The same table, as a game with hidden information: each seat's view names the seat, and counts its calls. */
function hidden(t: GameTable): { table: GameTable; calls: Array<Seat | null> } {
  const calls: Array<Seat | null> = [];
  const def: GameDefinition = {
    ...t.def,
    publicView: false,
    view: (_s, you) => {
      calls.push(you);
      return { seenBy: you };
    },
  };
  return { table: Object.assign(Object.create(GameTable.prototype), t, { def }), calls };
}

describe("views", () => {
  it("a move of a public-view game is one object for both seats and spectators, its view computed once", () => {
    const t = tableAfterOneMove();
    let views = 0;
    const counted = Object.assign(Object.create(GameTable.prototype), t, {
      def: {
        ...t.def,
        view: (s: unknown, you: Seat | null) => {
          views++;
          return t.def.view(s, you);
        },
      },
    });
    const body = movedOf(counted, T0 + 2000);
    const spectator = body(null);
    expect(body(0)).toBe(spectator);
    expect(body(1)).toBe(spectator);
    expect(views).toBe(1);
    expect(spectator).toMatchObject({ gameId: "g1", ply: 1, record: { move: "3" }, status: "active" });
    expect(spectator.view).toEqual(t.def.view(t.rulesState, 0));
  });

  it("with hidden information each seat and the spectators get their own view, each computed once", () => {
    const { table, calls } = hidden(tableAfterOneMove());
    const body = movedOf(table, T0 + 2000);
    expect([body(0).view, body(1).view, body(null).view, body(0).view]).toEqual([
      { seenBy: 0 },
      { seenBy: 1 },
      { seenBy: null },
      { seenBy: 0 },
    ]);
    expect(body(0)).not.toBe(body(1));
    expect(calls).toEqual([0, 1, null]);
  });

  it("snapshots say who `you` are, share the rest, and hide per seat when the game does", () => {
    const t = tableAfterOneMove();
    const snap = snapshotsOf(t, CTX);
    expect(snap(0).you).toEqual({ role: "player", seat: 0 });
    expect(snap(null).you).toEqual({ role: "spectator", seat: null });
    expect(snap(0)).toBe(snap(0));
    expect(snap(1).view).toBe(snap(0).view);
    expect(snap(1).moves.map((m) => m.move)).toEqual(["3"]);
    expect(snap(1)).toMatchObject({ ply: 1, spectators: 2, clocks: t.clockState(T0) });
    const { table } = hidden(t);
    const secret = snapshotsOf(table, CTX);
    expect([secret(0).view, secret(1).view, secret(null).view]).toEqual([{ seenBy: 0 }, { seenBy: 1 }, { seenBy: null }]);
  });
});
