import { describe, expect, it } from "vitest";
import { ClientMessages, type GameSnapshot, type MovedMessage, snapshotAfterMove } from "./index.ts";

describe("move message schema", () => {
  const ok = (ply: unknown) => ClientMessages.move.safeParse({ ply, move: "e2e4" }).success;

  it("accepts any non-negative safe integer ply, however far from the game's (the room answers STALE_PLY)", () => {
    for (const ply of [0, 1, 10_000, 10_001, 1_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER])
      expect(ok(ply), String(ply)).toBe(true);
  });

  it("refuses a ply that is not a non-negative safe integer (BAD_MESSAGE)", () => {
    for (const ply of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, "1", null]) {
      expect(ok(ply), String(ply)).toBe(false);
    }
  });
});

describe("snapshotAfterMove", () => {
  it("appends the move and takes the ply, view, clocks, status and result of the moved message; the rest stays", () => {
    const before = {
      gameId: "g1",
      ply: 0,
      moves: [],
      view: "v0",
      status: "active",
      result: null,
      spectators: 2,
    } as unknown as GameSnapshot;
    const record = { ply: 0, seat: 0, move: "3", san: "d1", clockMs: 59_000, at: 5 } as const;
    const clocks = { clock0Ms: 59_000, clock1Ms: 60_000, running: 1 } as unknown as MovedMessage["clocks"];
    const m: MovedMessage = {
      gameId: "g1",
      record,
      ply: 1,
      view: "v1",
      clocks,
      status: "finished",
      result: { winner: 0, reason: "resign" },
    };
    const after = snapshotAfterMove(before, m);
    expect(after).toEqual({ ...before, moves: [record], ply: 1, view: "v1", clocks, status: "finished", result: m.result });
    expect(before.moves).toEqual([]); // not changed in place
  });
});
