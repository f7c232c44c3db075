/** GameHost: deadlines, the bot and abandonment, on a clock the test advances by hand. */
import { MIN_THINK_MS } from "../bots/thinkTime.ts";
import type { Seat } from "@tabula/shared/rules";
import { describe, expect, it } from "vitest";
import { move, setup } from "../../test/support/host.ts";
import { newRecord, T0 } from "../../test/support/records.ts";
import type { GameRecord } from "./record.ts";

describe("GameHost: deadlines, the bot and abandonment (fake clock)", () => {
  /** Both players connected, both first moves played at T0: seat 0 to move, clocks running. */
  const opened = async (record?: GameRecord) => {
    const s = await setup(record);
    s.host.seatChanged(0, 1);
    s.host.seatChanged(1, 1);
    await move(s, "p0", "3");
    await move(s, "p1", "3");
    return s;
  };

  it("no first move in time aborts the game", async () => {
    const s = await setup();
    await s.clock.advance(29_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row).toMatchObject({ status: "aborted", result: { winner: null, reason: "aborted" } });
  });

  it("the flag falls: the side to move loses on time, its clock at 0", async () => {
    const s = await opened();
    await s.clock.advance(60_000);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(s.storage.row.clocks.clock0Ms).toBe(0);
    expect(s.outbox.last("p1", "snapshot")?.result).toEqual({ winner: 1, reason: "timeout" });
  });

  it("the flag falls against a bare king: a draw (timeout vs insufficient material)", async () => {
    // White strips Black to a bare king (54 plies); White to move.
    const line =
      "a2a3 b8a6 g2g3 a6b8 g1h3 g8f6 d2d3 c7c5 b2b3 h7h5 d3d4 e7e6 d4c5 f6h7 d1d7 d8d7 c1h6 h5h4 g3h4 e6e5 h6g7 d7f5 g7e5 f5d7 e5h8 h7g5 h4g5 d7a4 b3a4 c8e6 f1g2 a7a5 g2b7 f7f6 b7a8 e6c4 g5f6 c4a6 e2e4 b8c6 a8c6 e8f7 f2f3 a6e2 e1e2 f8d6 c5d6 f7f8 d6d7 f8f7 d7d8b f7f8 d8a5 f8f7".split(
        " ",
      );
    const moves = line.map((m, ply) => ({ ply, seat: (ply % 2) as Seat, move: m, san: m, clockMs: 60_000, at: T0 }));
    const r = newRecord("chess", { ply: moves.length, moves });
    r.clocks = { clock0Ms: 10_000, clock1Ms: 60_000, turnStartedAt: T0, deadlineAt: T0 + 10_000 };
    const s = await setup(r);
    await s.clock.advance(10_000);
    expect(s.storage.row.result).toEqual({ winner: null, reason: "timeout-vs-insufficient-material" });
  });

  it("a move that arrives after the flag fell, before the timer ran, is refused and the game ends on time", async () => {
    const s = await opened();
    s.clock.t += 60_001; // time passed; the deadline timer has not run yet
    await move(s, "p0", "4");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "GAME_OVER", message: "your time ran out" });
    expect(s.storage.row).toMatchObject({ ply: 2, status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(s.outbox.of("p1", "moved").map((m) => m.ply)).toEqual([1, 2]);
  });

  it("the bot moves after its think time, on its own", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await move(s, "p0", "3");
    await s.clock.advance(MIN_THINK_MS - 1); // a person never answers faster
    expect(s.storage.row.ply).toBe(1);
    await s.clock.advance(10_000); // nor, at 1+5 on the second move, much slower (bots/thinkTime.ts)
    expect(s.storage.row.moves.map((m) => m.seat)).toEqual([0, 1]);
    expect(s.outbox.last("p0", "moved")?.record.seat).toBe(1);
  });

  it("a seat left empty past the reconnection window (and nobody claiming) loses by abandonment; coming back in time cancels it", async () => {
    const tenMinutes = { clock0Ms: 600_000, clock1Ms: 600_000, turnStartedAt: T0, deadlineAt: T0 + 30_000 };
    const s = await opened(newRecord("connect4", { clocks: tenMinutes }));
    s.host.seatChanged(1, -1);
    await s.clock.advance(30_000);
    s.host.broadcastSnapshots();
    expect(s.outbox.last("p0", "snapshot")?.players[1]).toMatchObject({
      connected: false,
      reconnectDeadline: s.clock.t + 30_000,
    });
    s.host.seatChanged(1, 1); // back in time
    await s.clock.advance(40_000);
    expect(s.storage.row.status).toBe("active");
    s.host.seatChanged(1, -1);
    await s.clock.advance(59_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1); // the window ran out: seat 0 may claim the win (host-claim.test.ts), or wait
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(60_000); // nobody claimed for one more window: over by itself
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
  });
});
