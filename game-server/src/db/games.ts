/**
 * The game repository: the move log and the game rows, mapped to the table's
 * own types (game/record.ts). Every write is guarded in the same statement by
 * the expected ply and status and by the writer's fencing token, so a
 * duplicated, stale or fenced-out write changes nothing; UNIQUE(gameId, ply)
 * backs that up. Connection failures surface as DbUnavailableError (errors.ts).
 */
import type { GameStatus, MoveRecord } from "@tabula/shared/protocol";
import type { GameKind, GameResult, Seat } from "@tabula/shared/rules";
import type { ClockFields, Ending, Expected, GameMode, GameRecord, Offers } from "../game/record.ts";
import type { Db } from "./client.ts";
import { guard } from "./errors.ts";
import type { GroupCommit } from "./groupCommit.ts";

export { DbUnavailableError } from "./errors.ts";

/** A new game's row. */
export interface NewGame {
  id: string;
  kind: string;
  timeControl: string;
  initialMs: number;
  incrementMs: number;
  seed: string;
  mode: string;
  seat0Id: string;
  seat1Id: string;
  clock0Ms: number;
  clock1Ms: number;
  turnStartedAt: Date | null;
  deadlineAt: Date | null;
  ownerNode: string | null;
  rematchOfId: string | null;
}

const PLAYER = { select: { id: true, name: true, isBot: true } } as const;

const date = (ms: number | null) => (ms === null ? null : new Date(ms));
const seat = (n: number | null) => (n === null ? null : (n as Seat));

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

function clockColumns(c: ClockFields) {
  return { clock0Ms: c.clock0Ms, clock1Ms: c.clock1Ms, turnStartedAt: date(c.turnStartedAt), deadlineAt: date(c.deadlineAt) };
}

function endingColumns(e: Ending) {
  return { status: e.status, winner: e.result.winner, resultReason: e.result.reason, endedAt: new Date(e.endedAt) };
}

/**
 * The repository over `db`; moves are written through `moves` (group commit on
 * the same pool as `db`).
 */
export function createGameRepository(db: Db, moves: GroupCommit) {
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

    async insertGame(g: NewGame): Promise<void> {
      await guard(() => db.game.create({ data: { ...g, status: "active", ply: 0 } }));
    },

    /** A game as the table sees it, or null when there is no such game. */
    async load(id: string): Promise<GameRecord | null> {
      const loaded = await loadGame(id);
      if (!loaded) return null;
      const { game: g, players, moves } = loaded;
      return {
        id: g.id,
        kind: g.kind as GameKind,
        timeControl: { id: g.timeControl, initialMs: g.initialMs, incrementMs: g.incrementMs },
        mode: g.mode as GameMode,
        seed: g.seed,
        status: g.status as GameStatus,
        ply: g.ply,
        clocks: {
          clock0Ms: g.clock0Ms,
          clock1Ms: g.clock1Ms,
          turnStartedAt: g.turnStartedAt?.getTime() ?? null,
          deadlineAt: g.deadlineAt?.getTime() ?? null,
        },
        result: g.resultReason ? { winner: seat(g.winner), reason: g.resultReason as GameResult["reason"] } : null,
        offers: { drawOffer: seat(g.drawOffer), rematchOffer: seat(g.rematchOffer), rematchGameId: g.rematchGameId },
        leaseToken: g.leaseToken,
        players,
        moves: moves.map(moveRecordOf),
      };
    },

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
     * Record a result not made by a move (resign, timeout, agreement, abort, abandonment); clears a draw offer.
     * @returns false when the game is no longer at `ply`, already over, or owned by a newer fence.
     */
    async finishGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields, ending: Ending): Promise<boolean> {
      const r = await guard(() =>
        db.game.updateMany({
          where: { id: gameId, ply, status: "active", leaseToken: fence },
          data: { ...clockColumns(clocks), ...endingColumns(ending), drawOffer: null },
        }),
      );
      return r.count === 1;
    },

    /**
     * Store the offers of a game (draw during it, rematch after it).
     * @returns false when the game moved on (ply or status) or is owned by a newer fence.
     */
    async saveOffers(fence: bigint, gameId: string, expected: Expected, offers: Offers): Promise<boolean> {
      const r = await guard(() =>
        db.game.updateMany({
          where: { id: gameId, ply: expected.ply, status: expected.status, leaseToken: fence },
          data: { drawOffer: offers.drawOffer, rematchOffer: offers.rematchOffer, rematchGameId: offers.rematchGameId },
        }),
      );
      return r.count === 1;
    },

    /**
     * Restart the clocks of a game rebuilt on this node (see GameTable.planResume).
     * @returns false when the game moved on or ended meanwhile, or is owned by a newer fence.
     */
    async resumeGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields): Promise<boolean> {
      const r = await guard(() =>
        db.game.updateMany({ where: { id: gameId, ply, status: "active", leaseToken: fence }, data: clockColumns(clocks) }),
      );
      return r.count === 1;
    },

    /**
     * Become the host of a game: record `ownerNode` and bump the fencing token,
     * which from now on every write must carry. Only a live game can be taken:
     * returns the new token, or null when the game is over or unknown.
     */
    async takeOwnership(gameId: string, ownerNode: string): Promise<bigint | null> {
      const rows = await guard(
        () => db.$queryRaw<Array<{ leaseToken: bigint }>>`
          UPDATE "Game" SET "leaseToken" = "leaseToken" + 1, "ownerNode" = ${ownerNode}
          WHERE id = ${gameId} AND status = 'active' RETURNING "leaseToken"`,
      );
      return rows.length === 1 ? BigInt(rows[0].leaseToken) : null;
    },

    /** The game's current fencing token (who may write), or null for an unknown game. */
    async fenceOf(gameId: string): Promise<bigint | null> {
      const row = await guard(() => db.game.findUnique({ where: { id: gameId }, select: { leaseToken: true } }));
      return row ? row.leaseToken : null;
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
