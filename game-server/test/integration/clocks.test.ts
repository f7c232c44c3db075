/**
 * Clocks are enforced by the server from stored deadlines. CLOCK_SCALE shrinks
 * time controls so a "1+5" game lasts well under a second here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

let node: TestNode;
beforeAll(async () => {
  // 1+5 becomes 0.6 s + 50 ms; players get 1 s for their first move.
  node = await startTestNode({ CLOCK_SCALE: "0.01", FIRST_MOVE_TIMEOUT_S: "1" });
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

describe("clocks", () => {
  it("running out of time loses", async () => {
    const { seats, gameId } = await paired();
    expect(seats[0].snapshot?.clocks.firstMoveDeadline).not.toBeNull();
    await seats[0].play("3");
    await seats[1].play("4");
    await seats[0].until((s) => s.snapshot?.ply === 2, "seat 0 sees the reply");
    expect(seats[0].snapshot?.clocks.running).toBe(0);
    // Seat 0 now thinks forever.
    await seats[1].until((s) => s.snapshot?.status === "finished", "flag fall", 5000);
    expect(seats[1].snapshot?.result).toEqual({ winner: 1, reason: "timeout" });
    expect(seats[1].snapshot?.clocks.remainingMs[0]).toBe(0);
    const [row] = await query<{ winner: number; resultReason: string; clock0Ms: number }>(
      node.databaseUrl,
      `SELECT winner, "resultReason", "clock0Ms" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ winner: 1, resultReason: "timeout", clock0Ms: 0 });
  });

  it("a move after the flag fell is refused", async () => {
    const { seats } = await paired();
    await seats[0].play("3");
    await seats[1].play("4");
    await new Promise((r) => setTimeout(r, 800));
    const n = seats[0].errors.length;
    seats[0].room.send("move", { ply: 2, move: "3" });
    await seats[0].until((s) => s.snapshot?.status === "finished", "flag");
    expect(seats[0].snapshot?.result?.reason).toBe("timeout");
    expect(seats[0].snapshot?.ply).toBe(2);
    expect(seats[0].errors.length).toBeGreaterThanOrEqual(n);
  });

  it("no first move in time aborts the game", async () => {
    const { seats, gameId } = await paired();
    await seats[0].until((s) => s.snapshot?.status === "aborted", "abort", 4000);
    expect(seats[0].snapshot?.result).toEqual({ winner: null, reason: "aborted" });
    const [row] = await query<{ status: string }>(node.databaseUrl, `SELECT status FROM "Game" WHERE id = $1`, [gameId]);
    expect(row.status).toBe("aborted");
  });
});
