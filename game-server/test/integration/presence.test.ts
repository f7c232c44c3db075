/**
 * Disconnects: a player who drops keeps the seat for the reconnection window
 * (the opponent sees the countdown) and resumes; against one who does not come
 * back the opponent claims the win (or the game ends by itself one window
 * later). A declined offer is told to its sender. The window runs on a clock
 * the test advances by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat, type Player } from "../support/clients.ts";
import { ManualClock } from "../support/clock.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const clock = new ManualClock();
let node: TestNode;
beforeAll(async () => {
  node = await startTestNode({ RECONNECT_WINDOW_S: "60" }, { clock });
});
afterAll(async () => {
  await node?.stop();
});

async function paired(): Promise<{ seats: [Seat, Seat]; players: [Player, Player]; gameId: string }> {
  const a = await newPlayer(node.url);
  const b = await newPlayer(node.url);
  const [g] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
  const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
  return sa.seat === 0 ? { seats: [sa, sb], players: [a, b], gameId: g } : { seats: [sb, sa], players: [b, a], gameId: g };
}

describe("disconnects", () => {
  it("a player who drops and comes back inside the window resumes the game", async () => {
    const { seats, players, gameId } = await paired();
    await seats[0].play("3");
    await seats[1].play("3");
    await seats[1].room.leave(false); // the socket just closes, no goodbye
    await seats[0].until((s) => s.snapshot?.players[1].connected === false, "opponent shown as disconnected");
    expect(seats[0].snapshot?.players[1].reconnectDeadline).toBe(clock.t + 60_000);
    await clock.advance(59_000); // almost the whole window

    const back = await Seat.join(players[1], gameId); // a new socket, same identity (e.g. after a reload)
    expect(back.snapshot?.you).toEqual({ role: "player", seat: 1 });
    expect(back.snapshot?.ply).toBe(2);
    await seats[0].until((s) => s.snapshot?.players[1].connected === true, "opponent back");
    expect(seats[0].snapshot?.players[1].reconnectDeadline).toBeNull();
    await clock.advance(5_000); // past the window: nothing happens, they are back
    await seats[0].play("4");
    await back.play("4");
    expect(back.snapshot?.status).toBe("active");
    const [row] = await query<{ ply: number; status: string }>(node.databaseUrl, `SELECT ply, status FROM "Game" WHERE id = $1`, [
      gameId,
    ]);
    expect(row).toEqual({ ply: 4, status: "active" });
  });

  it("the SDK's own reconnection (same session) resumes too", async () => {
    const { seats } = await paired();
    await seats[0].play("0");
    const reconnected = new Promise<void>((resolve) => seats[1].room.onReconnect(() => resolve()));
    seats[1].room.reconnection.minUptime = 0; // the SDK skips reconnecting rooms joined less than 5 s ago
    // Break the transport under the SDK: it should reconnect by itself.
    (seats[1].room.connection as unknown as { transport: { ws: { close(): void } } }).transport.ws.close();
    await reconnected;
    seats[1].room.send("sync", {});
    await seats[1].play("1");
    expect(seats[0].snapshot?.ply).toBe(2);
  });

  it("a player who does not come back: the claim opens when the window runs out, and claiming wins by abandonment", async () => {
    const { seats, gameId } = await paired();
    await seats[0].play("3");
    await seats[1].play("3");
    await seats[1].room.leave(false);
    await seats[0].until((s) => s.snapshot?.players[1].connected === false, "opponent shown as disconnected");
    const deadline = seats[0].snapshot?.players[1].reconnectDeadline;
    expect(deadline).toBe(clock.t + 60_000);
    seats[0].room.send("claimWin", {});
    await seats[0].until((s) => s.errors.some((e) => e.code === "CLAIM_TOO_EARLY"), "claim refused before the window ran out");
    await clock.advance(60_000);
    // Not over by itself: the window ran out, the opponent may claim (the server says so with a snapshot).
    await seats[0].until((s) => s.snapshot?.clocks.serverNow === deadline, "snapshot as the window ran out");
    expect(seats[0].snapshot?.status).toBe("active");
    expect(seats[0].snapshot?.players[1]).toMatchObject({ connected: false, reconnectDeadline: deadline });
    seats[0].room.send("claimWin", {});
    await seats[0].until((s) => s.snapshot?.status === "finished", "claimed win");
    expect(seats[0].snapshot?.result).toEqual({ winner: 0, reason: "abandon" });
    const [row] = await query<{ status: string; winner: number; resultReason: string }>(
      node.databaseUrl,
      `SELECT status, winner, "resultReason" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ status: "finished", winner: 0, resultReason: "abandon" });
  });

  it("an opponent back after the window cannot be claimed against; nobody claiming, the game ends one window later", async () => {
    const { seats, players, gameId } = await paired();
    await seats[0].play("3");
    await seats[1].play("3");
    await seats[1].room.leave(false);
    await seats[0].until((s) => s.snapshot?.players[1].connected === false, "opponent shown as disconnected");
    await clock.advance(61_000);
    const back = await Seat.join(players[1], gameId); // late, but nobody claimed: the game goes on
    await seats[0].until((s) => s.snapshot?.players[1].connected === true, "opponent back");
    seats[0].room.send("claimWin", {});
    await seats[0].until((s) => s.errors.some((e) => e.code === "OPPONENT_CONNECTED"), "claim refused: opponent back");
    await seats[0].play("4"); // (now seat 1's clock runs: 3 min, more than the two windows to come)
    await back.room.leave(false);
    await seats[0].until((s) => s.snapshot?.players[1].connected === false, "opponent gone again");
    await clock.advance(119_999);
    expect(seats[0].snapshot?.status).toBe("active");
    await clock.advance(1);
    await seats[0].until((s) => s.snapshot?.status === "finished", "ended by itself");
    expect(seats[0].snapshot?.result).toEqual({ winner: 0, reason: "abandon" });
  });

  it("a declined draw offer is told to the one who offered, and only to them", async () => {
    const { seats } = await paired();
    await seats[0].play("3");
    seats[0].room.send("draw", { action: "offer" });
    await seats[1].until((s) => s.snapshot?.drawOffer === 0, "draw offer shown");
    seats[1].room.send("draw", { action: "decline" });
    await seats[0].until((s) => s.declined.length > 0, "offerDeclined");
    expect(seats[0].declined).toEqual([{ gameId: seats[0].snapshot?.gameId, offer: "draw" }]);
    await seats[1].until((s) => s.snapshot?.drawOffer === null, "offer cleared");
    expect(seats[1].declined).toEqual([]);
  });
});
