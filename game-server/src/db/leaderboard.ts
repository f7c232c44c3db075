/**
 * The leaderboards: the materialized view "LeaderboardEntry" (migration
 * 20261202000300_leaderboard: every established, non-bot rating ranked within
 * its pool) and the job that refreshes it.
 *
 * Why a materialized view: ranking means ordering every rating of a pool,
 * which a request must not do. The view is recomputed once per
 * LEADERBOARD_REFRESH_S on the primary, by one node at a time, and reaches the
 * read replica by streaming like any write; a request then reads the top 100
 * and its own rank by index lookups (unique (pool, playerId); (pool, rank,
 * name)) on the replica. `REFRESH … CONCURRENTLY` writes only the rows that
 * changed and never blocks those reads. A board is thus up to one interval old;
 * each answer says when it was computed (`refreshedAt`). See docs/database.md.
 */
import type { LeaderboardEntry, LeaderboardStanding } from "@tabula/shared/protocol";
import { LEADERBOARD_SIZE } from "@tabula/shared/protocol";
import type { RatingPool } from "@tabula/shared/rules";
import type pg from "pg";
import type { Logger } from "../log.ts";
import { PROVISIONAL_RD } from "../ratings/glicko.ts";
import type { ReadDb, ReadSql } from "./reads.ts";

/** Advisory lock key of the refresh (the partition job's is 72707370, Prisma's migrations' 72707369). */
export const LEADERBOARD_LOCK = 72707371;

const ENTRY_COLUMNS = `rank, "playerId"::text AS "playerId", name, rating, rd, games, wins, losses, draws`;

/** The top `limit` (default LEADERBOARD_SIZE) of `pool`, best first, ties by name; an index range scan. */
export function topOfBoard(sql: ReadSql, pool: RatingPool, limit = LEADERBOARD_SIZE): Promise<LeaderboardEntry[]> {
  return sql.select<LeaderboardEntry>(
    `SELECT ${ENTRY_COLUMNS} FROM "LeaderboardEntry" WHERE pool = $1 ORDER BY rank, name LIMIT $2`,
    [pool, limit],
  );
}

/** `playerId`'s rows on the boards of `pools` (none where they are not ranked); unique-index lookups. */
export function boardEntriesOf(sql: ReadSql, playerId: string, pools: readonly RatingPool[]) {
  return sql.select<LeaderboardEntry & { pool: RatingPool }>(
    `SELECT pool, ${ENTRY_COLUMNS} FROM "LeaderboardEntry" WHERE pool = ANY($1::text[]) AND "playerId" = $2::uuid`,
    [pools, playerId],
  );
}

/** When the boards were last computed (epoch ms). */
export async function boardRefreshedAt(sql: ReadSql): Promise<number> {
  const rows = await sql.select<{ at: Date }>(`SELECT "refreshedAt" AS at FROM "LeaderboardRefresh" WHERE id = 1`);
  return rows[0]?.at.getTime() ?? 0;
}

/** `playerId`'s standing in `pool`: their rank as the board has it, else their rating (if any) as it is now. */
export async function standingOf(db: ReadDb, sql: ReadSql, pool: RatingPool, playerId: string): Promise<LeaderboardStanding> {
  const [entry] = await boardEntriesOf(sql, playerId, [pool]);
  if (entry) return { rank: entry.rank, rating: entry.rating, rd: entry.rd, games: entry.games, provisional: false };
  const r = await db.rating.findUnique({ where: { playerId_pool: { playerId, pool } } });
  if (!r) return { rank: null, rating: null, rd: null, games: 0, provisional: true };
  return { rank: null, rating: r.rating, rd: r.rd, games: r.games, provisional: r.rd > PROVISIONAL_RD };
}

/**
 * One refresh pass on the primary: when the boards are at least `everyS` seconds old, recompute them and
 * record when, in one transaction; else nothing. Under a transaction-scoped advisory lock, so that of the
 * nodes that look at the same moment one does it and the others skip (they never wait).
 * @returns whether this pass refreshed.
 */
export async function refreshLeaderboards(pool: pg.Pool, everyS: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const lock = await client.query<{ got: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS got", [LEADERBOARD_LOCK]);
    // The row says how old the boards are for every node (and, streamed, for the replica's readers).
    const due =
      lock.rows[0]?.got &&
      (
        await client.query(
          // The first pass makes the row; a later one moves it forward only when the boards are old enough.
          `INSERT INTO "LeaderboardRefresh" AS r (id, "refreshedAt") VALUES (1, now())
           ON CONFLICT (id) DO UPDATE SET "refreshedAt" = now()
           WHERE r."refreshedAt" <= now() - make_interval(secs => $1)`,
          [everyS],
        )
      ).rowCount === 1;
    if (due) await client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY "LeaderboardEntry"`);
    await client.query(due ? "COMMIT" : "ROLLBACK");
    return !!due;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export interface LeaderboardJob {
  /** The first pass (started at once); resolves when it is over, whatever its outcome. */
  firstPass: Promise<void>;
  /** No more passes; resolves when a pass under way is over. */
  stop(): Promise<void>;
}

/**
 * Every node runs this: a pass (refreshLeaderboards) at start and then every fifth of `everyS`, so that the
 * boards are recomputed every `everyS` seconds (at most a fifth of it later), whichever nodes are up. A failed
 * pass is logged and the next one tries again; it never stops the node.
 */
export function startLeaderboardJob(pool: pg.Pool, everyS: number, log: Logger): LeaderboardJob {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const pass = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      const started = performance.now();
      try {
        if (await refreshLeaderboards(pool, everyS))
          log.debug({ ms: Math.round(performance.now() - started) }, "leaderboards refreshed");
      } catch (err) {
        log.warn({ err: (err as Error).message }, "leaderboard refresh failed; tried again shortly");
      }
    });
    return running;
  };
  const firstPass = pass();
  const timer = setInterval(() => void pass(), Math.max(50, (everyS * 1000) / 5));
  timer.unref();
  return {
    firstPass,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      return running;
    },
  };
}
