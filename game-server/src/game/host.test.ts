/**
 * GameHost: plan → commit → apply against a fake repository (the SQL's
 * guards), a hand-driven clock and a recording outbox (test/support/host.ts).
 * Offers: host-offers.test.ts; deadlines, the bot, abandonment: host-timers.test.ts.
 */
import { describe, expect, it } from "vitest";
import { FakeStorage, draw, move, setup } from "../../test/support/host.ts";
import { DbUnavailableError } from "../db/errors.ts";
import { newRecord, T0 } from "../../test/support/records.ts";
import type { GameRecord } from "./record.ts";

describe("GameHost: plan → commit → apply", () => {
  it("a committed move is stored, then sent to everyone", async () => {
    const s = await setup();
    await move(s, "p0", "3");
    expect(s.storage.row.moves.map((m) => m.move)).toEqual(["3"]);
    for (const who of ["p0", "p1", "watcher"] as const) expect(s.outbox.last(who, "moved")?.record.move).toBe("3");
  });

  it("a refused move writes nothing and answers only the sender", async () => {
    const s = await setup();
    await move(s, "p0", "3", 5);
    await move(s, "p1", "3");
    expect(s.storage.writes).toBe(0);
    expect(s.outbox.of("p0", "error").map((e) => e.code)).toEqual(["STALE_PLY"]);
    expect(s.outbox.of("p1", "error").map((e) => e.code)).toEqual(["NOT_YOUR_TURN"]);
    expect(s.outbox.sent.filter((m) => m.type !== "error")).toEqual([]);
  });

  it("stale write: the log moved on behind our back → reload from it, STALE_PLY, nothing of ours applied", async () => {
    const s = await setup();
    s.storage.row.moves.push({ ply: 0, seat: 0, move: "5", san: "f1", clockMs: 60_000, at: T0 });
    s.storage.row.ply = 1;
    await move(s, "p0", "3");
    expect(s.outbox.of("p1", "moved")).toEqual([]);
    expect(s.outbox.last("p0", "error")?.code).toBe("STALE_PLY");
    expect(s.outbox.last("p1", "snapshot")?.moves.map((m) => m.move)).toEqual(["5"]);
    expect(s.host.state.ply).toBe(1);
    expect(s.outbox.relinquished).toEqual([]);
  });

  it("fenced-out write: another node took the game → relinquish; nothing applied or sent, no further writes", async () => {
    const s = await setup();
    s.storage.row.leaseToken = 2n;
    await move(s, "p0", "3");
    expect(s.outbox.relinquished).toEqual(["fenced out: another node owns this game now"]);
    expect(s.outbox.sent).toEqual([]);
    expect(s.storage.row.moves).toEqual([]);
    const writes = s.storage.writes;
    await move(s, "p0", "3");
    await s.clock.advance(120_000); // no deadline, bot or abandonment timer fires any more
    expect(s.storage.writes).toBe(writes);
    expect(s.outbox.sent).toEqual([]);
  });

  it("database unavailable → UNAVAILABLE to the sender, nothing applied; logged as a warning", async () => {
    const s = await setup();
    s.storage.failWith = new DbUnavailableError("connect ECONNREFUSED 127.0.0.1:5432");
    await move(s, "p0", "3");
    expect(s.outbox.of("p0", "error")).toEqual([
      {
        code: "UNAVAILABLE",
        message: "the database is temporarily unavailable; nothing was applied, try again",
        inReplyTo: "move",
      },
    ]);
    expect(s.outbox.of("p1", "moved")).toEqual([]);
    expect(s.host.state.ply).toBe(0);
    expect(s.errors(50)).toEqual([]);
    expect(s.errors(40).map((l) => l.msg)).toEqual(["commit failed: database unavailable"]);
    await move(s, "p0", "3"); // and the retry goes through
    expect(s.storage.row.ply).toBe(1);
  });

  it("any other database error (a bug, a constraint) → INTERNAL to the sender, logged as an error", async () => {
    const s = await setup();
    s.storage.failWith = new Error('duplicate key value violates unique constraint "Move_pkey"');
    await draw(s, "p0", "offer");
    expect(s.outbox.of("p0", "error").map((e) => [e.code, e.inReplyTo])).toEqual([["INTERNAL", "draw"]]);
    expect(s.host.state.offers.drawOffer).toBeNull();
    expect(s.errors(50).map((l) => l.msg)).toEqual(["commit failed"]);
  });
});

describe("GameHost: resume after a takeover", () => {
  const midGame = (): GameRecord =>
    newRecord("connect4", {
      ply: 3,
      moves: [
        { ply: 0, seat: 0, move: "3", san: "d1", clockMs: 60_000, at: T0 + 1000 },
        { ply: 1, seat: 1, move: "3", san: "d2", clockMs: 60_000, at: T0 + 2000 },
        { ply: 2, seat: 0, move: "4", san: "e1", clockMs: 55_000, at: T0 + 12_000 },
      ],
      // Seat 1's turn began at T0 + 12 s with 60 s; the node died soon after.
      clocks: { clock0Ms: 55_000, clock1Ms: 60_000, turnStartedAt: T0 + 12_000, deadlineAt: T0 + 72_000 },
    });

  it("the side to move gets the time it had when its turn began, from now", async () => {
    const s = await setup(midGame(), { resume: true });
    expect(s.storage.row.clocks).toEqual({ clock0Ms: 55_000, clock1Ms: 60_000, turnStartedAt: T0, deadlineAt: T0 + 60_000 });
    await s.clock.advance(59_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row.result).toEqual({ winner: 0, reason: "timeout" });
  });

  it("a pending first-move deadline restarts", async () => {
    const r = newRecord("connect4", {
      ply: 1,
      moves: [{ ply: 0, seat: 0, move: "3", san: "d1", clockMs: 60_000, at: T0 - 50_000 }],
    });
    r.clocks = { clock0Ms: 60_000, clock1Ms: 60_000, turnStartedAt: T0 - 50_000, deadlineAt: T0 - 20_000 };
    const s = await setup(r, { resume: true });
    expect(s.storage.row.clocks.deadlineAt).toBe(T0 + 30_000);
    await s.clock.advance(30_000);
    expect(s.storage.row.status).toBe("aborted");
  });

  it("a resume that finds the game fenced by a newer owner is not hosted", async () => {
    const storage = new FakeStorage(midGame());
    storage.row.leaseToken = 5n;
    await expect(setup(midGame(), { resume: true, storage })).rejects.toThrow(/not hostable/);
  });
});
