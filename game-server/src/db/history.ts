/**
 * The API's history reads (a player's games, one game with its move log),
 * written against `ReadDb` so that they can run on the read replica
 * (reads.ts), with what makes a replica's answer safe to give: the
 * read-your-writes checks below. Game hosting never uses these: it reads the
 * primary (games.ts, liveGames.ts).
 */
import type { ReadDb, ReadOptions } from "./reads.ts";

const PLAYER = { select: { id: true, name: true, isBot: true } } as const;
const ofPlayer = (playerId: string) => ({ OR: [{ seat0Id: playerId }, { seat1Id: playerId }] });

/** A game with its players and move log, as stored; null when there is no such game. */
export async function loadGameRecord(db: ReadDb, id: string) {
  const g = await db.game.findUnique({
    where: { id },
    include: { seat0: PLAYER, seat1: PLAYER, moves: { orderBy: { ply: "asc" } } },
  });
  return g ? { game: g, players: [g.seat0, g.seat1] as [typeof g.seat0, typeof g.seat1], moves: g.moves } : null;
}

/**
 * A replica's copy of one game is used only when it is there and over: a finished or aborted game no
 * longer changes (what the API shows of it), so it is the primary's. A game the replica lacks (made a
 * moment ago) or still shows active (its last moves or its end may not have arrived, e.g. the game the
 * player has just finished) is read from the primary.
 */
export const trustGameRecord: ReadOptions<Awaited<ReturnType<typeof loadGameRecord>>>["trust"] = (r) =>
  r !== null && r.game.status !== "active";

/** A player's games with both players, newest first, at most `limit` (default 50). */
export function listPlayerGames(db: ReadDb, playerId: string, limit = 50) {
  return db.game.findMany({
    where: ofPlayer(playerId),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    include: { seat0: PLAYER, seat1: PLAYER },
  });
}

/**
 * A replica's list of a player's games is used when none of them is active (a game over on the replica is
 * over for good; an active one may have ended since) and its newest game is the primary's newest too (one
 * indexed row read on the primary): a game made after the replica's horizon would be newest there and
 * missing here. Together: the list is exactly the primary's.
 */
export function trustPlayerGames(playerId: string): ReadOptions<Awaited<ReturnType<typeof listPlayerGames>>>["trust"] {
  return async (rows, primary) => {
    if (rows.some((g) => g.status === "active")) return false;
    const newest = await primary.game.findFirst({
      where: ofPlayer(playerId),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    return (newest?.id ?? null) === (rows[0]?.id ?? null);
  };
}
