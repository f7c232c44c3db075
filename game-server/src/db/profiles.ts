/**
 * A player's profile (GET /api/players/<name>), read through db/reads.ts so the
 * read replica can serve it: ratings per pool with their rank on the boards,
 * the rating history per pool (RatingChange), results per game kind and the
 * newest finished games (Game). Every part is an index lookup or a scan of
 * this player's own rows, never of a whole table.
 */
import {
  PROFILE_HISTORY_POINTS,
  PROFILE_RECENT_GAMES,
  type ProfileRating,
  type ProfileResponse,
  type ProfileResults,
} from "@tabula/shared/protocol";
import { type GameKind, isRatingPool, RATING_POOLS, type RatingPool } from "@tabula/shared/rules";
import { PROVISIONAL_RD } from "../ratings/glicko.ts";
import { boardEntriesOf } from "./leaderboard.ts";
import { nameKey } from "./players.ts";
import type { ReadDb, ReadOptions, ReadSql } from "./reads.ts";

const PLAYER = { select: { id: true, name: true, isBot: true } } as const;
const ofPlayer = (playerId: string) => ({ OR: [{ seat0Id: playerId }, { seat1Id: playerId }] });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The player named `nameOrId` (case and spacing as names compare) or with that id; null when there is none. */
export function findProfilePlayer(db: ReadDb, nameOrId: string) {
  const select = { id: true, name: true, isBot: true, createdAt: true, registeredAt: true } as const;
  return UUID.test(nameOrId)
    ? db.player.findUnique({ where: { id: nameOrId.toLowerCase() }, select })
    : db.player.findUnique({ where: { nameKey: nameKey(nameOrId) }, select });
}

/** A profile as stored, with the number of finished games it counted (what `trustProfile` compares). */
export type LoadedProfile = { profile: Omit<ProfileResponse, "recentGames">; recentGames: RecentGameRow[]; finished: number };
export type RecentGameRow = Awaited<ReturnType<typeof recentGamesOf>>[number];

function recentGamesOf(db: ReadDb, playerId: string) {
  return db.game.findMany({
    where: { ...ofPlayer(playerId), status: "finished" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PROFILE_RECENT_GAMES,
    include: { seat0: PLAYER, seat1: PLAYER },
  });
}

/** Wins, losses and draws per game kind over `playerId`'s finished games, from both seats. */
async function resultsOf(db: ReadDb, playerId: string): Promise<{ results: ProfileResults[]; finished: number }> {
  const bySeat = await Promise.all(
    ([0, 1] as const).map((seat) =>
      db.game.groupBy({
        by: ["kind", "winner"],
        where: { [seat === 0 ? "seat0Id" : "seat1Id"]: playerId, status: "finished" },
        _count: { _all: true },
      }),
    ),
  );
  const byKind = new Map<string, ProfileResults>();
  let finished = 0;
  bySeat.forEach((groups, seat) => {
    for (const g of groups) {
      const r = byKind.get(g.kind) ?? { kind: g.kind as GameKind, wins: 0, losses: 0, draws: 0 };
      const n = g._count._all;
      if (g.winner === null) r.draws += n;
      else if (g.winner === seat) r.wins += n;
      else r.losses += n;
      finished += n;
      byKind.set(g.kind, r);
    }
  });
  return { results: [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind)), finished };
}

/** The profile of `nameOrId`, or null when there is no such player. */
export async function loadProfile(db: ReadDb, sql: ReadSql, nameOrId: string): Promise<LoadedProfile | null> {
  const p = await findProfilePlayer(db, nameOrId);
  if (!p) return null;
  const [ratingRows, { results, finished }, recentGames] = await Promise.all([
    db.rating.findMany({ where: { playerId: p.id } }),
    resultsOf(db, p.id),
    recentGamesOf(db, p.id),
  ]);
  const order = (pool: string) => RATING_POOLS.indexOf(pool as RatingPool);
  const rated = ratingRows.filter((r) => isRatingPool(r.pool)).sort((a, b) => order(a.pool) - order(b.pool));
  const pools = rated.map((r) => r.pool as RatingPool);
  const [ranks, history] = await Promise.all([
    pools.length ? boardEntriesOf(sql, p.id, pools) : Promise.resolve([]),
    // The newest points of each pool (index (playerId, pool, at)), oldest first.
    Promise.all(
      pools.map(async (pool) => {
        const rows = await db.ratingChange.findMany({
          where: { playerId: p.id, pool },
          orderBy: { at: "desc" },
          take: PROFILE_HISTORY_POINTS,
          select: { at: true, after: true, gameId: true },
        });
        return { pool, points: rows.reverse().map((c) => ({ at: c.at.getTime(), rating: c.after, gameId: c.gameId })) };
      }),
    ),
  ]);
  const rankOf = new Map(ranks.map((e) => [e.pool, e.rank]));
  const ratings: ProfileRating[] = rated.map((r) => ({
    pool: r.pool as RatingPool,
    rating: r.rating,
    rd: r.rd,
    provisional: r.rd > PROVISIONAL_RD,
    games: r.games,
    wins: r.wins,
    losses: r.losses,
    draws: r.draws,
    rank: rankOf.get(r.pool as RatingPool) ?? null,
  }));
  return {
    profile: {
      player: { id: p.id, name: p.name, isBot: p.isBot, account: p.registeredAt !== null, since: p.createdAt.getTime() },
      ratings,
      history,
      results,
    },
    recentGames,
    finished,
  };
}

/**
 * A replica's profile is used when the replica has the player and every game the primary has finished for
 * them (one count of the player's finished games on the primary): a game's ending and its rating changes
 * are one transaction, so the same finished games mean the same ratings, history, results and recent games.
 * A game that just ended, not yet replayed on the replica, sends the read to the primary (read-your-writes).
 */
export const trustProfile: ReadOptions<LoadedProfile | null>["trust"] = async (r, primary) => {
  if (!r) return false;
  const finished = await primary.game.count({ where: { ...ofPlayer(r.profile.player.id), status: "finished" } });
  return finished === r.finished;
};
