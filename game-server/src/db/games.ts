/**
 * The game repository: the move log and the game rows, mapped to the table's
 * own types (game/record.ts). Every write is guarded in the same statement by
 * the expected ply and status and by the writer's fencing token, so a
 * duplicated, stale or fenced-out write changes nothing; UNIQUE(gameId, ply)
 * backs that up. Connection failures surface as DbUnavailableError (errors.ts).
 */
import type { MoveRecord } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import type { ClockFields, Ending } from "../game/record.ts";
import type { Db, Sql } from "./client.ts";
import { guard } from "./errors.ts";
import type { GroupCommit } from "./groupCommit.ts";
import { loadGameRecord } from "./history.ts";
import { createGameAccessStatements } from "./gameAccess.ts";
import { createLiveGameStatements } from "./liveGames.ts";
import { endRatedGame, type RatedEndingWrite, type TxPool } from "./ratedEnding.ts";

export { DbUnavailableError } from "./errors.ts";
export type { NewGame } from "../game/record.ts";

/** A Move row as the protocol's MoveRecord (commit time in epoch ms). */
export function moveRecordOf(m: {
  ply: number;
  seat: number;
  move: string;
  san: string;
  clockMs: number;
  createdAt: Date;
}): MoveRecord {
  return { ply: m.ply, seat: m.seat as Seat, move: m.move, san: m.san, clockMs: m.clockMs, at: m.createdAt.getTime() };
}

/**
 * The repository over `db`. A live game's statements run on `sql` (the pool
 * under `db`; liveGames.ts) and its moves through `moves` (group commit on the
 * same pool); the takeover sweep's reads stay on Prisma. The API's history
 * reads are db/history.ts, through reads.ts (maybe the read replica).
 */
export function createGameRepository(db: Db, sql: Sql & TxPool, moves: GroupCommit) {
  const live = createLiveGameStatements(sql);
  /** A game with its players and move log, as stored, read on the primary (the API reads through reads.ts). */
  function loadGame(id: string) {
    return guard(() => loadGameRecord(db, id));
  }

  return {
    loadGame,

    ...live,

    ...createGameAccessStatements(sql),

    /**
     * Append `move` and advance the game; a pending draw offer is cleared in the
     * same statement (a move answers it with "no"). Moves of all games go through
     * group commit (groupCommit.ts): this resolves once the move's batch committed.
     * @returns false when the game is no longer at `move.ply`, not active, or owned by a newer fence.
     */
    commitMove(fence: bigint, gameId: string, move: MoveRecord, clocks: ClockFields, ending: Ending | null): Promise<boolean> {
      return moves.commit({ fence, gameId, move, clocks, ending });
    },

    /**
     * End a rated game and rate both players in one transaction (ratedEnding.ts): the final move or
     * result, both Rating rows and both RatingChange rows, or nothing. Null when the ending's guard failed.
     */
    endRated(w: RatedEndingWrite) {
      return endRatedGame(sql, w);
    },

    /** Active games created before `before` (takeover candidates). */
    async activeGames(before: Date): Promise<Array<{ id: string; ownerNode: string | null }>> {
      return guard(() =>
        db.game.findMany({ where: { status: "active", createdAt: { lt: before } }, select: { id: true, ownerNode: true } }),
      );
    },
  };
}

export type GameRepository = ReturnType<typeof createGameRepository>;
