/**
 * Clocks are enforced by the server from stored deadlines. The node runs on a
 * clock this test advances by hand (injected through startTestNode), so a
 * flag falls exactly when the test says, and a move can arrive after the flag
 * fell but before the deadline timer ran — no sleeps, no races.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../support/clock.ts";
import { query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const clock = new ManualClock();
let node: TestNode;
beforeAll(async () => {
  // 1+5 (60 s + 5 s a move); 30 s for each first move.
  node = await startTestNode({ FIRST_MOVE_TIMEOUT_S: "30" }, { clock });
});
afterAll(async () => {
  await node?.stop();
});

async function paired() {
  const a = await newPlayer(node.url);
  const b = await newPlayer(node.url);
  const [g] = await Promise.all([quickPlay(a, "connect4", "1+5"), quickPlay(b, "connect4", "1+5")]);
  const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
  return { seats: (sa.seat === 0 ? [sa, sb] : [sb, sa]) as [Seat, Seat], gameId: g };
}

const row = async (gameId: string) =>
  (
    await query<{ status: string; ply: number; winner: number | null; resultReason: string | null; clock0Ms: number }>(
      node.databaseUrl,
      `SELECT status, ply, winner, "resultReason", "clock0Ms" FROM "Game" WHERE id = $1`,
      [gameId],
    )
  )[0];

describe("clocks", () => {
  it("running out of time loses, exactly at the deadline", async () => {
    const { seats, gameId } = await paired();
    expect(seats[0].snapshot?.clocks.firstMoveDeadline).toBe(clock.t + 30_000);
    await seats[0].play("3");
    await seats[1].play("4");
    await seats[0].until((s) => s.snapshot?.ply === 2, "seat 0 sees the reply");
    expect(seats[0].snapshot?.clocks).toMatchObject({ running: 0, remainingMs: [60_000, 60_000] });
    // Seat 0 thinks: a millisecond short of its minute nothing happens; at the minute its flag falls.
    await clock.advance(59_999);
    expect((await row(gameId)).status).toBe("active");
    await clock.advance(1);
    await seats[1].until((s) => s.snapshot?.status === "finished", "flag fall");
    expect(seats[1].snapshot?.result).toEqual({ winner: 1, reason: "timeout" });
    expect(seats[1].snapshot?.clocks.remainingMs[0]).toBe(0);
    expect(await row(gameId)).toMatchObject({ status: "finished", winner: 1, resultReason: "timeout", clock0Ms: 0 });
  });

  it("a move that arrives after the flag fell, before the deadline timer ran, is refused and the game ends on time", async () => {
    const { seats, gameId } = await paired();
    await seats[0].play("3");
    await seats[1].play("4");
    clock.t += 60_001; // a minute passes; the deadline timer has not run yet
    const before = seats[0].errors.length;
    seats[0].room.send("move", { ply: 2, move: "3" });
    await seats[0].until((s) => s.snapshot?.status === "finished", "the game ended on time");
    expect(seats[0].errors.slice(before)).toEqual([{ code: "GAME_OVER", message: "your time ran out", inReplyTo: "move" }]);
    expect(seats[0].snapshot?.result).toEqual({ winner: 1, reason: "timeout" });
    expect(seats[0].snapshot?.ply).toBe(2);
    expect(await row(gameId)).toMatchObject({ status: "finished", ply: 2, resultReason: "timeout" });
  });

  it("no first move in time aborts the game", async () => {
    const { seats, gameId } = await paired();
    await clock.advance(29_999);
    expect((await row(gameId)).status).toBe("active");
    await clock.advance(1);
    await seats[0].until((s) => s.snapshot?.status === "aborted", "abort");
    expect(seats[0].snapshot?.result).toEqual({ winner: null, reason: "aborted" });
    expect((await row(gameId)).status).toBe("aborted");
  });
});
