-- Issue 10 (leaderboards): the ranking of every rating pool as a materialized view, refreshed by one node at a
-- time every LEADERBOARD_REFRESH_S (game-server/src/db/leaderboard.ts), so that a request reads the top 100 and
-- its own rank by index lookups and never ranks the "Rating" table itself. See docs/database.md.
--
-- On the board: established ratings only (RD at most 110, ratings/glicko.ts PROVISIONAL_RD: a provisional
-- rating is no ranking) of players who are not bots. rank(): equal ratings share a rank and the next rank
-- skips ("1, 2, 2, 4"), as sports tables do.

-- CreateMaterializedView
CREATE MATERIALIZED VIEW "LeaderboardEntry" AS
SELECT r."pool", r."playerId", p."name", r."rating", r."rd", r."games", r."wins", r."losses", r."draws",
       (rank() OVER (PARTITION BY r."pool" ORDER BY r."rating" DESC))::integer AS "rank"
FROM "Rating" r
JOIN "Player" p ON p."id" = r."playerId"
WHERE r."rd" <= 110 AND NOT p."isBot";

-- A unique index over every row: REFRESH MATERIALIZED VIEW CONCURRENTLY needs one (readers are never blocked),
-- and it finds a player's own rank.
CREATE UNIQUE INDEX "LeaderboardEntry_pool_playerId_key" ON "LeaderboardEntry"("pool", "playerId");

-- The top of a pool, in order: ties by name.
CREATE INDEX "LeaderboardEntry_pool_rank_name_idx" ON "LeaderboardEntry"("pool", "rank", "name");

-- When the view was last refreshed: one row (id 1), written in the refresh's own transaction, so that nodes
-- (and the read replica, which replays both together) know how old the board is. The first refresh makes
-- the row (db/leaderboard.ts): a migration that inserted it would collide with a restored dump's row.
-- CreateTable
CREATE TABLE "LeaderboardRefresh" (
    "id" INTEGER NOT NULL,
    "refreshedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "LeaderboardRefresh_pkey" PRIMARY KEY ("id")
);
