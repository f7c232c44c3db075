/**
 * Kill -9 the server in the middle of a game and start it again: every move a
 * player saw acknowledged is in the database, exactly once and in order, and
 * the game is rebuilt from that log so the players can carry on.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";
import { sdkClient } from "../../../bots/src/sdk.ts";

const running: NodeProcess[] = [];
afterAll(() => {
  for (const n of running) n.child.kill("SIGKILL");
});

/** A node (r1) on a fresh database and two players in a 10+0 chess game on it; `seats[0]` (of `players[0]`) plays white. */
async function chessOnNewNode() {
  const databaseUrl = await createTestDatabase();
  const first = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "r1" });
  running.push(first);
  const a = await newPlayer(first.url);
  const b = await newPlayer(first.url);
  const [gameId] = await Promise.all([quickPlay(a, "chess", "10+0"), quickPlay(b, "chess", "10+0")]);
  const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
  const seats: [Seat, Seat] = sa.seat === 0 ? [sa, sb] : [sb, sa];
  const players = sa.seat === 0 ? [a, b] : [b, a];
  return { databaseUrl, first, a, b, gameId, seats, players };
}

describe("restart", () => {
  it("after kill -9, every acknowledged move is in the database", async () => {
    const { databaseUrl, first, a, b, gameId, seats } = await chessOnNewNode();
    // A Ruy Lopez, 13 plies.
    const cycle = ["e2e4", "e7e5", "g1f3", "b8c6", "f1b5", "a7a6", "b5a4", "g8f6", "e1g1", "f8e7", "f1e1", "b7b5", "a4b3"];
    const acknowledged: string[] = [];
    for (let ply = 0; ply < 12; ply++) {
      const mover = seats[ply % 2];
      await mover.play(cycle[ply]);
      // A move counts as acknowledged once its mover saw it broadcast.
      acknowledged.push(mover.snapshot!.moves[ply].move);
    }
    // One more move in flight when the process dies.
    await seats[0].until((s) => s.snapshot?.ply === 12, "white sees ply 12");
    seats[0].room.send("move", { ply: 12, move: cycle[12] });
    const killedAt = Date.now();
    first.child.kill("SIGKILL");
    await first.exited;
    const seenByMover = seats[0].snapshot!.moves.map((m) => m.move);

    const second = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "r1" });
    running.push(second);
    const rows = await query<{ ply: number; seat: number; move: string; clockMs: number }>(
      databaseUrl,
      `SELECT ply, seat, move, "clockMs" FROM "Move" WHERE "gameId" = $1 ORDER BY ply`,
      [gameId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(rows.slice(0, acknowledged.length).map((r) => r.move)).toEqual(acknowledged);
    // Anything the mover saw acknowledged, even the in-flight one, is there.
    expect(rows.map((r) => r.move).slice(0, seenByMover.length)).toEqual(seenByMover);
    expect(rows.map((r) => r.ply)).toEqual(rows.map((_, i) => i));
    const [g] = await query<{ ply: number }>(databaseUrl, `SELECT ply FROM "Game" WHERE id = $1`, [gameId]);
    expect(g.ply).toBe(rows.length);

    // The restarted node rebuilt the room: the same players rejoin with their tokens and play on.
    for (const p of [a, b]) {
      p.sdk = sdkClient(second.url, p.token);
    }
    const [ra, rb] = await Promise.all([Seat.rejoin(a, gameId), Seat.rejoin(b, gameId)]);
    const again = ra.seat === 0 ? [ra, rb] : [rb, ra];
    expect(again[0].snapshot?.ply).toBe(rows.length);
    expect(again[0].snapshot?.moves.map((m) => m.move)).toEqual(rows.map((r) => r.move));
    // Nobody lost time to the outage: the turn of the side to move restarted when the room was rebuilt
    // (after the kill), with exactly the time that side had when its turn began — the clock it was left
    // with by its own last committed move (the move log, which the resume does not touch).
    const toMove = (rows.length % 2) as 0 | 1;
    const timeWhenTurnBegan = rows.filter((r) => r.seat === toMove).at(-1)?.clockMs;
    expect(timeWhenTurnBegan).toBeGreaterThan(0);
    const [resumed] = await query<{ clock0Ms: number; clock1Ms: number; turnStartedAt: Date; deadlineAt: Date }>(
      databaseUrl,
      `SELECT "clock0Ms", "clock1Ms", "turnStartedAt", "deadlineAt" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(toMove === 0 ? resumed.clock0Ms : resumed.clock1Ms).toBe(timeWhenTurnBegan);
    expect(resumed.turnStartedAt.getTime()).toBeGreaterThan(killedAt);
    expect(resumed.deadlineAt.getTime() - resumed.turnStartedAt.getTime()).toBe(timeWhenTurnBegan);
    // 12 moves stored: the in-flight a4b3 was lost before its commit, so White plays it again; 13: Black replies.
    await again[toMove].play(rows.length === 12 ? "a4b3" : "d7d6");
    await again[1 - toMove].until((s) => s.snapshot?.ply === rows.length + 1, "the other player sees the move");
    second.child.kill("SIGTERM");
    const code = await second.exited;
    if (code !== 0) console.log(second.output().slice(-3000));
    expect(code).toBe(0);
  });

  it("a pending draw offer survives kill -9: after the restart it is still there and can be accepted", async () => {
    const { databaseUrl, first, gameId, seats, players } = await chessOnNewNode();
    const [white, black] = seats;
    await white.play("e2e4");
    await black.play("e7e5");
    white.room.send("draw", { action: "offer" });
    await black.until((s) => s.snapshot?.drawOffer === 0, "black sees the offer");
    first.child.kill("SIGKILL");
    await first.exited;
    const [stored] = await query<{ drawOffer: number | null }>(databaseUrl, `SELECT "drawOffer" FROM "Game" WHERE id = $1`, [
      gameId,
    ]);
    expect(stored.drawOffer).toBe(0);

    const second = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "r1" });
    running.push(second);
    const blackPlayer = players[1];
    blackPlayer.sdk = sdkClient(second.url, blackPlayer.token);
    const again = await Seat.rejoin(blackPlayer, gameId);
    expect(again.snapshot?.drawOffer).toBe(0);
    again.room.send("draw", { action: "accept" });
    await again.until((s) => s.snapshot?.status === "finished", "the draw");
    expect(again.snapshot?.result).toEqual({ winner: null, reason: "agreement" });
    const [row] = await query<{ status: string; resultReason: string; drawOffer: number | null }>(
      databaseUrl,
      `SELECT status, "resultReason", "drawOffer" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ status: "finished", resultReason: "agreement", drawOffer: null });
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("after kill -9, a player who does not come back can be claimed against one window after the rebuild", async () => {
    const { databaseUrl, first, gameId, seats, players } = await chessOnNewNode();
    const [white, black] = seats;
    await white.play("e2e4");
    await black.play("e7e5");
    first.child.kill("SIGKILL");
    await first.exited;
    // Presence is not stored: the restarted node counts every window from the rebuild (short here).
    const second = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "r1", RECONNECT_WINDOW_S: "10" });
    running.push(second);
    const whitePlayer = players[0];
    whitePlayer.sdk = sdkClient(second.url, whitePlayer.token);
    const again = await Seat.rejoin(whitePlayer, gameId); // only White comes back
    await again.until((s) => s.snapshot?.players[1].connected === false, "black shown away");
    const deadline = again.snapshot!.players[1].reconnectDeadline!;
    expect(deadline).toBeGreaterThan(Date.now());
    again.room.send("claimWin", {});
    await again.until((s) => s.errors.some((e) => e.code === "CLAIM_TOO_EARLY"), "claim refused within the window");
    // The window runs out: the claim opens (a snapshot says so), and the game waits for it.
    await again.until((s) => (s.snapshot?.clocks.serverNow ?? 0) >= deadline, "snapshot once the window ran out", 15_000);
    expect(again.snapshot?.status).toBe("active");
    again.room.send("claimWin", {});
    await again.until((s) => s.snapshot?.status === "finished", "the claimed win");
    expect(again.snapshot?.result).toEqual({ winner: 0, reason: "abandon" });
    const [row] = await query<{ status: string; winner: number; resultReason: string }>(
      databaseUrl,
      `SELECT status, winner, "resultReason" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ status: "finished", winner: 0, resultReason: "abandon" });
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
