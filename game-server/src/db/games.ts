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
import { createLiveGameStatements } from "./liveGames.ts";

export { DbUnavailableError } from "./errors.ts";
export type { NewGame } from "../game/record.ts";

const PLAYER = { select: { id: true, name: true, isBot: true } } as const;

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
 * same pool); reads for the API and the takeover sweep stay on Prisma.
 */
export function createGameRepository(db: Db, sql: Sql, moves: GroupCommit) {
  const live = createLiveGameStatements(sql);
  /** A game with its players and move log, as stored (the API's history reads this too). */
  function loadGame(id: string) {
    return guard(() =>
      db.game.findUnique({
        where: { id },
        include: { seat0: PLAYER, seat1: PLAYER, moves: { orderBy: { ply: "asc" } } },
      }),
    ).then((g) => (g ? { game: g, players: [g.seat0, g.seat1] as [typeof g.seat0, typeof g.seat1], moves: g.moves } : null));
  }

  return {
    loadGame,

    ...live,

    /**
     * Append `move` and advance the game; a pending draw offer is cleared in the
     * same statement (a move answers it with "no"). Moves of all games go through
     * group commit (groupCommit.ts): this resolves once the move's batch committed.
     * @returns false when the game is no longer at `move.ply`, not active, or owned by a newer fence.
     */
    commitMove(fence: bigint, gameId: string, move: MoveRecord, clocks: ClockFields, ending: Ending | null): Promise<boolean> {
      return moves.commit({ fence, gameId, move, clocks, ending });
    },

    /** Active games created before `before` (takeover candidates). */
    async activeGames(before: Date): Promise<Array<{ id: string; ownerNode: string | null }>> {
      return guard(() =>
        db.game.findMany({ where: { status: "active", createdAt: { lt: before } }, select: { id: true, ownerNode: true } }),
      );
    },

    /** Games of a player, newest first. */
    async listForPlayer(playerId: string, limit = 50) {
      return guard(() =>
        db.game.findMany({
          where: { OR: [{ seat0Id: playerId }, { seat1Id: playerId }] },
          orderBy: { createdAt: "desc" },
          take: limit,
          include: { seat0: PLAYER, seat1: PLAYER },
        }),
      );
    },
  };
}

export type GameRepository = ReturnType<typeof createGameRepository>;
