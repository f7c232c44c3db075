/**
 * Leaderboards and profiles under /api, public (no token needed):
 * GET /api/leaderboard/<pool> — the top 100 of a rating pool, and the
 * caller's own standing when the request carries a token; GET
 * /api/players/<name or id> — a player's profile. Both are read through
 * db/reads.ts: on the read replica while it is up and fresh.
 */
import type { LeaderboardResponse, ProfileResponse } from "@tabula/shared/protocol";
import { isRatingPool, RATING_POOLS, type RatingPool } from "@tabula/shared/rules";
import type express from "express";
import { z } from "zod";
import { boardRefreshedAt, standingOf, topOfBoard } from "../db/leaderboard.ts";
import { loadProfile, trustProfile } from "../db/profiles.ts";
import type { Reads } from "../db/reads.ts";
import { ClientError } from "../errors.ts";
import { summary } from "./api.ts";
import type { Identify } from "./identity.ts";
import { parse, route } from "./middleware.ts";

const PoolParams = z.object({
  pool: z.string().refine(isRatingPool, { message: `a rating pool: ${RATING_POOLS.join(", ")}` }),
});
// Names are at most 24 characters; an id is a UUID (36).
const PlayerParams = z.object({ name: z.string().trim().min(1).max(36) });

/** Add the leaderboard and profile routes to `api` (the /api router). */
export function addLeaderboardRoutes(api: express.Router, deps: { reads: Reads; identify: Identify }): void {
  api.get(
    "/leaderboard/:pool",
    route(async (req): Promise<LeaderboardResponse> => {
      const pool = parse(PoolParams, req.params).pool as RatingPool;
      // A token is optional here; a bad one is still refused (401) rather than silently ignored.
      const me = req.header("authorization") ? await deps.identify(req) : null;
      // The board is one interval old anyway: the replica's copy (within REPLICA_MAX_LAG_S) is as good.
      return deps.reads.read(async (db, sql) => {
        const [refreshedAt, entries, you] = await Promise.all([
          boardRefreshedAt(sql),
          topOfBoard(sql, pool),
          me ? standingOf(db, sql, pool, me.playerId) : Promise.resolve(null),
        ]);
        return { pool, refreshedAt, entries, you };
      });
    }),
  );

  api.get(
    "/players/:name",
    route(async (req): Promise<ProfileResponse> => {
      const { name } = parse(PlayerParams, req.params);
      const loaded = await deps.reads.read((db, sql) => loadProfile(db, sql, name), { trust: trustProfile });
      if (!loaded) throw new ClientError("NO_PLAYER", "no player with that name or id");
      return { ...loaded.profile, recentGames: loaded.recentGames.map(summary) };
    }),
  );
}
