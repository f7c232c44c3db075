-- Issue 11 (bots with levels): the level a bot game was made at (easy | medium | hard), so that a room rebuilt
-- on another node, and the game's rematch, play at the same level. Null for games without a bot (and for bot
-- games made before levels existed, which play at the default level, medium).

-- AlterTable
ALTER TABLE "Game" ADD COLUMN "botLevel" VARCHAR(8);
