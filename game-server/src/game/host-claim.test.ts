/**
 * GameHost: an opponent who stays away. When the reconnection window runs out
 * the present player may claim the win (`claimWin`); nobody claiming, the game
 * ends by itself one more window later; a bot, or nobody present, ends it at
 * once. On a clock the test advances by hand.
 */
import { describe, expect, it } from "vitest";
import { claimWin, move, setup } from "../../test/support/host.ts";
import { newRecord, T0 } from "../../test/support/records.ts";
import type { GameRecord } from "./record.ts";

const WINDOW = 60_000; // test/support/host.ts SETTINGS.reconnectWindowMs
const tenMinutes = { clock0Ms: 600_000, clock1Ms: 600_000, turnStartedAt: T0, deadlineAt: T0 + 30_000 };

/** Both players here, both first moves played: seat 0 to move, ten minutes each. */
async function playing(record: GameRecord = newRecord("connect4", { clocks: tenMinutes })) {
  const s = await setup(record);
  s.host.seatChanged(0, 1);
  s.host.seatChanged(1, 1);
  await move(s, "p0", "3");
  await move(s, "p1", "3");
  return s;
}

describe("GameHost: claiming a win when the opponent stays away", () => {
  it("the claim opens when the window runs out, not before; claiming ends the game as a win by abandonment", async () => {
    const s = await playing();
    s.host.seatChanged(1, -1);
    const until = s.clock.t + WINDOW;
    await claimWin(s, "p0");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "CLAIM_TOO_EARLY", inReplyTo: "claimWin" });
    await s.clock.advance(WINDOW - 1);
    await claimWin(s, "p0");
    expect(s.outbox.last("p0", "error")?.message).toBe("your opponent has 1 s left to come back");
    await s.clock.advance(1);
    // Not over by itself: everyone is told the window ran out (the seat stays away, its deadline passed).
    expect(s.storage.row.status).toBe("active");
    expect(s.outbox.last("p0", "snapshot")?.players[1]).toMatchObject({ connected: false, reconnectDeadline: until });
    expect(s.outbox.last("watcher", "snapshot")?.players[1]).toMatchObject({ connected: false, reconnectDeadline: until });
    await claimWin(s, "p0");
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
    expect(s.outbox.last("p0", "snapshot")?.result).toEqual({ winner: 0, reason: "abandon" });
    expect(s.outbox.gameOvers).toBe(1);
  });

  it("an opponent who is here (or came back, even after the window) cannot be claimed against", async () => {
    const s = await playing();
    await claimWin(s, "p0");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "OPPONENT_CONNECTED" });
    s.host.seatChanged(1, -1);
    await s.clock.advance(WINDOW + 5_000);
    s.host.seatChanged(1, 1); // back before anyone claimed: the game goes on
    await claimWin(s, "p0");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "OPPONENT_CONNECTED" });
    await s.clock.advance(3 * WINDOW);
    expect(s.storage.row.status).toBe("active");
    // Leaving again starts a whole new window.
    s.host.seatChanged(1, -1);
    await s.clock.advance(WINDOW - 1);
    await claimWin(s, "p0");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "CLAIM_TOO_EARLY" });
  });

  it("nobody claims: the game ends by itself one more window after the claim opened", async () => {
    const s = await playing();
    s.host.seatChanged(1, -1);
    await s.clock.advance(2 * WINDOW - 1);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
  });

  it("the window runs out while the opponent is away too: nobody can claim, the first one away loses at once", async () => {
    const s = await playing();
    s.host.seatChanged(1, -1);
    await s.clock.advance(10_000);
    s.host.seatChanged(0, -1);
    await s.clock.advance(WINDOW - 10_000);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
  });

  it("against a bot, a player who stays away loses when the window runs out (the bot claims at once)", async () => {
    const r = newRecord("connect4", { clocks: tenMinutes });
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    s.host.seatChanged(0, 1);
    await move(s, "p0", "3");
    await s.clock.advance(100); // the bot replies
    s.host.seatChanged(0, -1);
    await s.clock.advance(WINDOW);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 1, reason: "abandon" } });
  });

  it("claiming before both sides moved aborts the game, as an abandonment would", async () => {
    const s = await setup();
    s.host.seatChanged(0, 1);
    await move(s, "p0", "3");
    s.host.seatChanged(1, 1);
    s.host.seatChanged(1, -1);
    s.clock.t += WINDOW; // the window ran out (the first-move deadline's timer has not run yet)
    await claimWin(s, "p0");
    expect(s.storage.row).toMatchObject({ status: "aborted", result: { winner: null, reason: "aborted" } });
  });

  it("after a takeover the window runs from the rebuild: the present player can claim one window later", async () => {
    const first = await playing();
    first.storage.row.leaseToken = 2n; // the node died; another took the game over
    const second = await setup(first.storage.row, { resume: true, fence: 2n, storage: first.storage });
    second.host.seatChanged(0, 1); // only seat 0 rejoins the new node
    await second.clock.advance(WINDOW - 1);
    await claimWin(second, "p0");
    expect(second.outbox.last("p0", "error")).toMatchObject({ code: "CLAIM_TOO_EARLY" });
    await second.clock.advance(1);
    await claimWin(second, "p0");
    expect(second.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
  });
});
