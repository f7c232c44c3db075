/**
 * A rated game whose node is killed (SIGKILL) at the final move is rated
 * exactly once, on a 3-node cluster behind nginx: two RatingChange rows and
 * Rating.games 1 for each player, with Glicko-2's values, whichever way the
 * kill fell —
 * - before the final move reached the node: the game is rebuilt on a survivor
 *   and the client, after reconnecting, sends its final move again;
 * - just after the ending committed: the game is over and rated, nothing is
 *   rebuilt (the player reads the result from the log) and nothing rates it again;
 * - at the same instant as the final move: either of the above, and the client
 *   sends the move again when its rejoined snapshot lacks it.
 * Each killed node is started again before the next case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NEW_RATING, rateGame } from "../../src/ratings/glicko.ts";
import type { Player } from "../support/clients.ts";
import { Seat } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { changeRows, newAccount, ratedQuickPlay, ratingRows } from "../support/ratedPlay.ts";

const ENV = { LEASE_TTL_MS: "1500", TAKEOVER_INTERVAL_MS: "250", RECONNECT_WINDOW_S: "30" };
/** startCluster's token secret: account tokens are signed with it (as a login would). */
const SECRET = "cluster-tests-secret-0123456789abcdef";
let cluster: Cluster;
const killed: string[] = [];

beforeAll(async () => {
  cluster = await startCluster({ nodes: 3, env: ENV });
});
afterEach(async () => {
  for (const id of killed.splice(0)) await cluster.restartNode(id);
  // nginx was reloaded: wait until requests get through (the test clients' API calls use fresh connections).
  await until(async () => (await fetch(`${cluster.url}/nginx-healthz`).catch(() => null))?.ok === true, "nginx after the reload");
});
afterAll(async () => {
  await cluster?.stop();
});

/** Resolves once `cond` holds (checked every 50 ms); throws naming `what` after `ms`. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const gameRow = async (id: string) =>
  (
    await query<{ status: string; ply: number; ownerNode: string; winner: number | null }>(
      cluster.databaseUrl,
      `SELECT status, ply, "ownerNode", winner FROM "Game" WHERE id = $1`,
      [id],
    )
  )[0]!;

/** A rated Connect Four game between two new accounts, played to one move before seat 0's connect-four. */
async function oneMoveFromTheEnd() {
  const a = await newAccount(cluster.url, undefined, SECRET);
  const b = await newAccount(cluster.url, undefined, SECRET);
  const [gameId] = await Promise.all([ratedQuickPlay(a, "connect4", "3+5"), ratedQuickPlay(b, "connect4", "3+5")]);
  const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
  const seats = (sa.seat === 0 ? [sa, sb] : [sb, sa]) as [Seat, Seat];
  const players = (sa.seat === 0 ? [a, b] : [b, a]) as [Player, Player];
  expect(seats[0].snapshot?.rated).toBe(true);
  for (const [seat, move] of [
    [0, "3"],
    [1, "4"],
    [0, "3"],
    [1, "4"],
    [0, "3"],
    [1, "4"],
  ] as const)
    await seats[seat].play(move);
  const owner = (await gameRow(gameId)).ownerNode;
  return { gameId, seats, players, node: cluster.nodes.find((n) => n.id === owner)! };
}

function kill(node: Cluster["nodes"][number]) {
  killed.push(node.id);
  node.process.child.kill("SIGKILL");
}

/** Stop listening to a socket whose node died (what a client does before rejoining by id). */
function drop(seats: Seat[]) {
  for (const s of seats) {
    s.room.reconnection.enabled = false;
    s.room.removeAllListeners();
    void s.room.leave(false).catch(() => {});
  }
}

/** Wait until the killed node's game is over in the log, or live on another node (taken over). */
async function settledAfterKill(gameId: string, victim: string) {
  await until(async () => {
    const r = await gameRow(gameId);
    return r.status !== "active" || r.ownerNode !== victim;
  }, "the game to be over or taken over");
  return gameRow(gameId);
}

/**
 * After the kill: if the game still lives (rebuilt on a survivor), both players rejoin it and seat 0
 * sends the final move again unless the rejoined snapshot has it; resolves with the rejoined seats (none when
 * the game was already over).
 */
async function finishOnSurvivor(gameId: string, players: [Player, Player], victim: string): Promise<Seat[]> {
  const row = await settledAfterKill(gameId, victim);
  if (row.status !== "active") return [];
  const seats = await Promise.all(players.map((p) => Seat.rejoin(p, gameId, {}, 30_000)));
  if (seats[0]!.snapshot!.ply === 6) await seats[0]!.play("3");
  for (const s of seats) await s.until((x) => x.snapshot?.status === "finished", "the result after the takeover", 20_000);
  return seats;
}

/** Rated exactly once, with Glicko-2's values from two new ratings, seat 0 the winner. */
async function expectRatedOnce(gameId: string, players: [Player, Player]) {
  expect(await gameRow(gameId)).toMatchObject({ status: "finished", ply: 7, winner: 0 });
  const changes = await changeRows(cluster.databaseUrl, gameId);
  expect(changes).toHaveLength(2);
  const rows = await ratingRows(cluster.databaseUrl, [players[0].id, players[1].id]);
  expect(rows.map((r) => [r.games, r.wins, r.losses])).toEqual([
    [1, 1, 0],
    [1, 0, 1],
  ]);
  const [w, l] = rateGame(NEW_RATING, NEW_RATING, 1);
  expect(rows[0]!.rating).toBeCloseTo(w.rating, 6);
  expect(rows[1]!.rating).toBeCloseTo(l.rating, 6);
}

describe("a rated game's node killed at the final move", () => {
  it("before the move reached it: rebuilt on a survivor, the move sent again after reconnecting, rated once", async () => {
    const g = await oneMoveFromTheEnd();
    kill(g.node);
    g.seats[0].room.send("move", { ply: 6, move: "3" }); // into a dead socket
    drop(g.seats);
    const seats = await finishOnSurvivor(g.gameId, g.players, g.node.id);
    expect(seats).toHaveLength(2); // the game was live: it was rebuilt
    expect((await gameRow(g.gameId)).ownerNode).not.toBe(g.node.id);
    await expectRatedOnce(g.gameId, g.players);
    // Both players were told both changes, by the node that rebuilt the game.
    for (const s of seats) expect(s.snapshot?.ratings?.seats.map((x) => Math.sign(x.change?.delta ?? 0))).toEqual([1, -1]);
  });

  it("just after the ending committed: over and rated once, nothing rebuilt, never rated again", async () => {
    const g = await oneMoveFromTheEnd();
    g.seats[0].room.send("move", { ply: 6, move: "3" });
    await until(async () => (await gameRow(g.gameId)).status === "finished", "the ending committed", 10_000);
    kill(g.node);
    drop(g.seats);
    expect(await finishOnSurvivor(g.gameId, g.players, g.node.id)).toEqual([]);
    await expectRatedOnce(g.gameId, g.players);
    // A survivor never hosts a finished game: the sweep leaves it alone, and ratings stay as they are.
    await new Promise((r) => setTimeout(r, 1_000 + Number(ENV.TAKEOVER_INTERVAL_MS) * 2));
    await expectRatedOnce(g.gameId, g.players);
  });

  it("at the same instant as the final move: rated once, whichever way it fell", async () => {
    const g = await oneMoveFromTheEnd();
    g.seats[0].room.send("move", { ply: 6, move: "3" });
    kill(g.node);
    drop(g.seats);
    const seats = await finishOnSurvivor(g.gameId, g.players, g.node.id);
    console.log(`same-instant kill: the final move ${seats.length ? "was sent again on a survivor" : "had committed"}`);
    await expectRatedOnce(g.gameId, g.players);
  });
});
