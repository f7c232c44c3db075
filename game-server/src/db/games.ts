/**
 * The game repository: the move log and the game rows. Every write is guarded
 * by the expected ply and the `active` status in the same statement, so a
 * duplicated or stale write changes nothing; UNIQUE(gameId, ply) backs that up.
 */
import type { GameResult, Seat } from "@tabula/shared/rules";
import type { Db } from "./client.ts";

export interface GameRow {
  id: string;
  kind: string;
  timeControl: string;
  initialMs: number;
  incrementMs: number;
  seed: string;
  mode: string;
  status: string;
  seat0Id: string;
  seat1Id: string;
  ply: number;
  clock0Ms: number;
  clock1Ms: number;
  turnStartedAt: Date | null;
  deadlineAt: Date | null;
  winner: number | null;
  resultReason: string | null;
  ownerNode: string | null;
  leaseToken: bigint;
  rematchOfId: string | null;
  createdAt: Date;
  endedAt: Date | null;
}

export interface MoveRow {
  gameId: string;
  ply: number;
  seat: number;
  move: string;
  san: string;
  clockMs: number;
  createdAt: Date;
}

export interface LoadedGame {
  game: GameRow;
  players: [{ id: string; name: string; isBot: boolean }, { id: string; name: string; isBot: boolean }];
  moves: MoveRow[];
}

/** Clock fields written with every move or result. */
export interface ClockFields {
  clock0Ms: number;
  clock1Ms: number;
  turnStartedAt: Date | null;
  deadlineAt: Date | null;
}

export interface Ending {
  status: "finished" | "aborted";
  result: GameResult;
  endedAt: Date;
}

/** A database failure (connection lost, timeout): the write did not happen, or its outcome is unknown. */
export class DbUnavailableError extends Error {}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new DbUnavailableError((err as Error).message);
  }
}

export type NewGame = Omit<GameRow, "createdAt" | "endedAt" | "winner" | "resultReason" | "ply" | "status" | "leaseToken">;

export function createGameRepository(db: Db) {
  return {
    async insertGame(g: NewGame): Promise<void> {
      await guard(() => db.game.create({ data: { ...g, status: "active", ply: 0 } }));
    },

    async loadGame(id: string): Promise<LoadedGame | null> {
      const game = await guard(() =>
        db.game.findUnique({
          where: { id },
          include: {
            seat0: { select: { id: true, name: true, isBot: true } },
            seat1: { select: { id: true, name: true, isBot: true } },
            moves: { orderBy: { ply: "asc" } },
          },
        }),
      );
      if (!game) return null;
      const { seat0, seat1, moves, ...row } = game;
      return { game: row, players: [seat0, seat1], moves };
    },

    /**
     * Append move `ply` and update the game in one atomic statement.
     * @returns false when the game is no longer at `ply` or not active (stale: nothing written).
     */
    async commitMove(
      fence: bigint,
      gameId: string,
      move: { ply: number; seat: Seat; move: string; san: string; clockMs: number; at: Date },
      clocks: ClockFields,
      ending: Ending | null,
    ): Promise<boolean> {
      const n = await guard(
        () => db.$executeRaw`
        WITH g AS (
          UPDATE "Game" SET
            ply = ply + 1,
            "clock0Ms" = ${clocks.clock0Ms}, "clock1Ms" = ${clocks.clock1Ms},
            "turnStartedAt" = ${clocks.turnStartedAt}::timestamptz, "deadlineAt" = ${clocks.deadlineAt}::timestamptz,
            status = ${ending?.status ?? "active"},
            winner = ${ending?.result.winner ?? null}::int,
            "resultReason" = ${ending?.result.reason ?? null},
            "endedAt" = ${ending?.endedAt ?? null}::timestamptz
          WHERE id = ${gameId} AND ply = ${move.ply} AND status = 'active' AND "leaseToken" = ${fence}
          RETURNING id
        )
        INSERT INTO "Move" ("gameId", ply, seat, move, san, "clockMs", "createdAt")
        SELECT id, ${move.ply}, ${move.seat}, ${move.move}, ${move.san}, ${move.clockMs}, ${move.at}::timestamptz FROM g`,
      );
      return n === 1;
    },

    /**
     * Record a result not caused by a move (resign, timeout, agreement, abort, abandonment).
     * @returns false when the game is no longer at `ply` or already over.
     */
    async finishGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields, ending: Ending): Promise<boolean> {
      const r = await guard(() =>
        db.game.updateMany({
          where: { id: gameId, ply, status: "active", leaseToken: fence },
          data: {
            ...clocks,
            status: ending.status,
            winner: ending.result.winner,
            resultReason: ending.result.reason,
            endedAt: ending.endedAt,
          },
        }),
      );
      return r.count === 1;
    },

    /**
     * Restart the clocks of a game rebuilt on `ownerNode` (see GameTable.planResume).
     * @returns false when the game moved on or ended meanwhile.
     */
    async resumeGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields): Promise<boolean> {
      const r = await guard(() =>
        db.game.updateMany({ where: { id: gameId, ply, status: "active", leaseToken: fence }, data: { ...clocks } }),
      );
      return r.count === 1;
    },

    /**
     * Become the host of a game: record `ownerNode` and bump the fencing token,
     * which from now on every write must carry. Returns the new token.
     */
    async takeOwnership(gameId: string, ownerNode: string): Promise<bigint> {
      const rows = await guard(
        () => db.$queryRaw<Array<{ leaseToken: bigint }>>`
          UPDATE "Game" SET "leaseToken" = "leaseToken" + 1, "ownerNode" = ${ownerNode}
          WHERE id = ${gameId} RETURNING "leaseToken"`,
      );
      if (rows.length !== 1) throw new Error(`no game ${gameId}`);
      return BigInt(rows[0].leaseToken);
    },

    /** The current fencing token and ply of a game (to tell a fenced-out write from a stale one). */
    async ownership(gameId: string): Promise<{ leaseToken: bigint; ownerNode: string | null } | null> {
      return guard(() => db.game.findUnique({ where: { id: gameId }, select: { leaseToken: true, ownerNode: true } }));
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
          include: {
            seat0: { select: { id: true, name: true, isBot: true } },
            seat1: { select: { id: true, name: true, isBot: true } },
          },
        }),
      );
    },

    async countMoves(gameId: string): Promise<number> {
      return guard(() => db.move.count({ where: { gameId } }));
    },
  };
}

export type GameRepository = ReturnType<typeof createGameRepository>;
