/**
 * What a rated quick-play ticket carries, read from PostgreSQL when it is
 * made: the player's rating in the pool and everyone they must never be
 * paired with (PlayerRelation kind "block", either way). A block made while a
 * ticket waits applies from the player's next ticket.
 */
import type { Db } from "../db/client.ts";
import { guard } from "../db/errors.ts";
import type { RatedSeek } from "../matchmaking/matchmaker.ts";
import { NEW_RATING } from "./glicko.ts";

/** `playerId`'s rating in `pool` (1500 when they have none) and the players they blocked or were blocked by. */
export async function seekOf(db: Db, playerId: string, pool: string): Promise<RatedSeek> {
  const rows = await guard(
    () => db.$queryRaw<Array<{ rating: number | null; avoid: string[] }>>`
      SELECT (SELECT rating FROM "Rating" WHERE "playerId" = ${playerId}::uuid AND pool = ${pool}) AS rating,
             ARRAY(SELECT "targetId"::text FROM "PlayerRelation" WHERE "ownerId" = ${playerId}::uuid AND kind = 'block'
                   UNION
                   SELECT "ownerId"::text FROM "PlayerRelation" WHERE "targetId" = ${playerId}::uuid AND kind = 'block') AS avoid`,
  );
  const row = rows[0];
  return { rating: row?.rating ?? NEW_RATING.rating, avoid: row?.avoid ?? [] };
}
