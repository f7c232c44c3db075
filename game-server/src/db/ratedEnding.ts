/**
 * The end of a rated game, in one transaction: the ending itself (its final
 * move with the game-row update, or a result not made by a move), then both
 * players' Glicko-2 updates — the Rating rows locked, recomputed and written
 * with their game counts, and one RatingChange row each. All or nothing: a
 * node that dies before COMMIT leaves the game live and unrated (its new host
 * ends it and rates it), one that dies after leaves it ended and rated, so a
 * game is rated exactly once whichever node ends it. The ending keeps the
 * guards every write has (expected ply, status 'active', the writer's fencing
 * token); a write that fails them changes nothing, ratings included, and
 * RatingChange's key (gameId, playerId) backs that up.
 *
 * Only endings run here: a rated game's other moves take group commit like
 * every game's (groupCommit.ts), and an aborted game is not rated (liveGames.ts
 * FINISH). Locks are taken in one order — the game row, then the two Rating
 * rows by player id — so two games of the same player ending at once queue
 * instead of deadlocking.
 */
import type { MoveRecord } from "@tabula/shared/protocol";
import type pg from "pg";
import type { ClockFields, Ending } from "../game/record.ts";
import { NEW_RATING, type Rating, rateGame, type Score } from "../ratings/glicko.ts";
import type { StoredChange } from "../ratings/seats.ts";
import { guard } from "./errors.ts";
import { COMMIT_MOVES_SQL, columnsOf } from "./groupCommit.ts";
import { FINISH, finishValues } from "./liveGames.ts";

/** What ends a rated game: its final move, or (move null) a result at `ply` (resign, timeout, agreement, abandon). */
export interface RatedEndingWrite {
  fence: bigint;
  gameId: string;
  /** The game's ply before the ending (the final move's `ply`). */
  ply: number;
  move: MoveRecord | null;
  clocks: ClockFields;
  /** Must be "finished": an aborted game is not rated. */
  ending: Ending;
  /** The game's rating pool and its players by seat. */
  pool: string;
  playerIds: readonly [string, string];
}

/** The pool connection a transaction needs (pg.Pool). */
export type TxPool = Pick<pg.Pool, "connect">;

const DEFAULTS = `
INSERT INTO "Rating" ("playerId", pool, rating, rd, volatility)
SELECT p, $2, $3, $4, $5 FROM unnest($1::uuid[]) AS p ORDER BY p
ON CONFLICT ("playerId", pool) DO NOTHING`;

const LOCK = `
SELECT "playerId"::text AS "playerId", rating, rd, volatility FROM "Rating"
WHERE pool = $1 AND "playerId" = ANY($2::uuid[]) ORDER BY "playerId" FOR UPDATE`;

const UPDATE = `
UPDATE "Rating" r SET rating = v.rating, rd = v.rd, volatility = v.vol, games = r.games + 1,
       wins = r.wins + v.win, losses = r.losses + v.loss, draws = r.draws + v.draw, "updatedAt" = now()
FROM unnest($2::uuid[], $3::float8[], $4::float8[], $5::float8[], $6::int[], $7::int[], $8::int[])
     AS v(player, rating, rd, vol, win, loss, draw)
WHERE r.pool = $1 AND r."playerId" = v.player`;

const CHANGES = `
INSERT INTO "RatingChange" ("gameId", "playerId", pool, before, after, "rdBefore", "rdAfter")
SELECT $1, p, $2, b, a, rb, ra FROM unnest($3::uuid[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS v(p, b, a, rb, ra)`;

/** SQLSTATEs after which the transaction had no effect and may simply run again (deadlock, serialization). */
const RETRYABLE = new Set(["40P01", "40001"]);
const MAX_RETRIES = 3;

/** Seat 0's score from a result's winner (null: a draw). */
function scoreOf(winner: 0 | 1 | null): Score {
  return winner === null ? 0.5 : winner === 0 ? 1 : 0;
}

/**
 * End the rated game `w` and rate it, in one transaction on `pool`.
 * @returns both seats' changes (index = seat), or null when the ending's guard failed (nothing written).
 * Rejects when the transaction failed (nothing written; connection trouble as DbUnavailableError).
 */
export async function endRatedGame(pool: TxPool, w: RatedEndingWrite): Promise<[StoredChange, StoredChange] | null> {
  if (w.ending.status !== "finished") throw new Error("only a finished game is rated");
  for (let attempt = 0; ; attempt++) {
    try {
      return await guard(() => transaction(pool, w));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= MAX_RETRIES || typeof code !== "string" || !RETRYABLE.has(code)) throw err;
    }
  }
}

async function transaction(pool: TxPool, w: RatedEndingWrite): Promise<[StoredChange, StoredChange] | null> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    if (!(await endGame(client, w))) {
      await client.query("ROLLBACK");
      return null;
    }
    const ids = [...w.playerIds];
    await client.query({
      name: "tabula_rating_defaults",
      text: DEFAULTS,
      values: [ids, w.pool, NEW_RATING.rating, NEW_RATING.rd, NEW_RATING.vol],
    });
    const { rows } = await client.query({ name: "tabula_rating_lock", text: LOCK, values: [w.pool, ids] });
    const byId = new Map(
      (rows as Array<{ playerId: string; rating: number; rd: number; volatility: number }>).map((r) => [r.playerId, r]),
    );
    const before = w.playerIds.map((id) => {
      const r = byId.get(id);
      if (!r) throw new Error(`no Rating row for ${id} in ${w.pool}`);
      return { rating: r.rating, rd: r.rd, vol: r.volatility } satisfies Rating;
    }) as [Rating, Rating];
    const after = rateGame(before[0], before[1], scoreOf(w.ending.result.winner));
    const winner = w.ending.result.winner;
    const flag = (seat: 0 | 1, what: "win" | "loss" | "draw") =>
      (what === "draw" ? winner === null : what === "win" ? winner === seat : winner !== null && winner !== seat) ? 1 : 0;
    await client.query({
      name: "tabula_rating_update",
      text: UPDATE,
      values: [
        w.pool,
        ids,
        after.map((r) => r.rating),
        after.map((r) => r.rd),
        after.map((r) => r.vol),
        [flag(0, "win"), flag(1, "win")],
        [flag(0, "loss"), flag(1, "loss")],
        [flag(0, "draw"), flag(1, "draw")],
      ],
    });
    await client.query({
      name: "tabula_rating_changes",
      text: CHANGES,
      values: [
        w.gameId,
        w.pool,
        ids,
        before.map((r) => r.rating),
        after.map((r) => r.rating),
        before.map((r) => r.rd),
        after.map((r) => r.rd),
      ],
    });
    await client.query("COMMIT");
    const change = (s: 0 | 1): StoredChange => ({
      before: before[s].rating,
      after: after[s].rating,
      rdBefore: before[s].rd,
      rdAfter: after[s].rd,
    });
    return [change(0), change(1)];
  } catch (err) {
    await client.query("ROLLBACK").catch((e: Error) => {
      broken = e; // the connection is gone: do not hand it back to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The ending's guarded write inside the transaction: true when the game row (and the final move) were written. */
async function endGame(client: pg.PoolClient, w: RatedEndingWrite): Promise<boolean> {
  if (w.move) {
    if (w.move.ply !== w.ply) throw new Error("the final move's ply is not the ending's");
    const write = { fence: w.fence, gameId: w.gameId, move: w.move, clocks: w.clocks, ending: w.ending };
    const res = await client.query({ name: "tabula_commit_moves", text: COMMIT_MOVES_SQL, values: columnsOf([write]) });
    return res.rows.length === 1;
  }
  const res = await client.query({
    name: "tabula_finish_game",
    text: FINISH,
    values: finishValues(w.fence, w.gameId, w.ply, w.clocks, w.ending),
  });
  return res.rowCount === 1;
}
