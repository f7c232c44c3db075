/**
 * The statements a live game runs besides its moves — created, taken over
 * (and loaded in the same statement), its fence checked at a join when the
 * lease cannot vouch for it, offers saved, ended or resumed —
 * as named prepared statements on the pg pool, like group commit
 * (groupCommit.ts says why Prisma is not on this path). With think time 0 a
 * Connect Four game lasts ~30 moves, so these run once per ~30 moves: through
 * Prisma they cost a node more CPU than the moves themselves. Each write is
 * guarded in the same statement by the expected ply and status and by the
 * writer's fencing token.
 */
import type { GameStatus, MoveRecord } from "@tabula/shared/protocol";
import { BOT_LEVELS, type BotLevel, type GameKind, type GameResult, type Seat } from "@tabula/shared/rules";
import type { ClockFields, Ending, Expected, GameMode, GameRecord, NewGame, Offers } from "../game/record.ts";
import type { Sql } from "./client.ts";
import { type RatingRows, ratingsOfRows } from "../ratings/seats.ts";
import { guard } from "./errors.ts";

const date = (ms: number | null) => (ms === null ? null : new Date(ms));
const ms = (d: Date | null) => (d === null ? null : d.getTime());
const seat = (n: number | null) => (n === null ? null : (n as Seat));
const isBotLevel = (s: string | null): s is BotLevel => BOT_LEVELS.includes(s as BotLevel);

/** The columns a new game's row is written with (INSERT and CREATE_REMATCH), in `newGameValues` order around the id. */
const NEW_GAME_COLUMNS = `id, kind, "timeControl", "initialMs", "incrementMs", seed, mode, status, "seat0Id", "seat1Id",
                    ply, "clock0Ms", "clock1Ms", "turnStartedAt", "deadlineAt", "ownerNode", "rematchOfId", rated, "ratingPool"`;

/** A new game's values from `kind` to `ownerNode`, in NEW_GAME_COLUMNS order (status and ply are constants). */
const newGameValues = (g: NewGame) => [
  ...[g.kind, g.timeControl, g.initialMs, g.incrementMs, g.seed, g.mode, g.seat0Id, g.seat1Id],
  ...[g.clock0Ms, g.clock1Ms, g.turnStartedAt, g.deadlineAt, g.ownerNode],
];

const INSERT = `
INSERT INTO "Game" (${NEW_GAME_COLUMNS}, "passwordHash", "botLevel")
VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, 0, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`;

const FENCE = `SELECT "leaseToken"::text AS fence FROM "Game" WHERE id = $1`;

/**
 * The game row `g` with both players and the move log, as one row (one snapshot of the database); a rated
 * game also with its players' Rating rows in its pool and its RatingChange rows (once rated).
 */
const WITH_PLAYERS_AND_MOVES = `
SELECT g.*, g."leaseToken"::text AS fence,
       p0.name AS "p0Name", p0."isBot" AS "p0Bot", p1.name AS "p1Name", p1."isBot" AS "p1Bot",
       (SELECT coalesce(json_agg(json_build_object(
                'ply', m.ply, 'seat', m.seat, 'move', m.move, 'san', m.san, 'clockMs', m."clockMs",
                'at', (extract(epoch FROM m."createdAt") * 1000)::int8) ORDER BY m.ply), '[]'::json)
          FROM "Move" m WHERE m."gameId" = g.id) AS moves,
       CASE WHEN g.rated THEN json_build_object(
         'pool', g."ratingPool",
         'current', (SELECT coalesce(json_agg(json_build_object('playerId', r."playerId", 'rating', r.rating, 'rd', r.rd)), '[]'::json)
                       FROM "Rating" r WHERE r.pool = g."ratingPool" AND r."playerId" IN (g."seat0Id", g."seat1Id")),
         'changes', (SELECT coalesce(json_agg(json_build_object('playerId', c."playerId", 'before', c.before, 'after', c.after,
                                                                'rdBefore', c."rdBefore", 'rdAfter', c."rdAfter")), '[]'::json)
                       FROM "RatingChange" c WHERE c."gameId" = g.id)) END AS ratings
FROM g
JOIN "Player" p0 ON p0.id = g."seat0Id"
JOIN "Player" p1 ON p1.id = g."seat1Id"`;

const LOAD = `WITH g AS (SELECT * FROM "Game" WHERE id = $1) ${WITH_PLAYERS_AND_MOVES}`;

/**
 * Take a live game and load it, in one statement: bump the fencing token, record the owner,
 * and return the game as LOAD does, with the new token.
 */
const TAKE = `
WITH g AS (UPDATE "Game" SET "leaseToken" = "leaseToken" + 1, "ownerNode" = $2
           WHERE id = $1 AND status = 'active' RETURNING *)
${WITH_PLAYERS_AND_MOVES}`;

/**
 * An agreed rematch, in one statement: the finished game records the rematch's id ($7) — guarded
 * like OFFERS, and only once — and only if it did, the rematch's row is inserted. Both or neither.
 * A private game's rematch keeps its password (the hash is copied), a bot game's its level.
 */
const CREATE_REMATCH = `
WITH old AS (
  UPDATE "Game" SET "drawOffer" = $5, "rematchOffer" = $6, "rematchGameId" = $7
  WHERE id = $1 AND ply = $2 AND status = $3 AND "leaseToken" = $4 AND "rematchGameId" IS NULL
  RETURNING id, "passwordHash", "botLevel")
INSERT INTO "Game" (${NEW_GAME_COLUMNS}, "passwordHash", "botLevel")
SELECT $7, $8::varchar, $9::varchar, $10::int, $11::int, $12::varchar, $13::varchar, 'active', $14::uuid, $15::uuid,
       0, $16::int, $17::int, $18::timestamptz, $19::timestamptz, $20::varchar, old.id, $21::boolean, $22::varchar, old."passwordHash",
       old."botLevel"
FROM old`;

const OFFERS = `
UPDATE "Game" SET "drawOffer" = $5, "rematchOffer" = $6, "rematchGameId" = $7
WHERE id = $1 AND ply = $2 AND status = $3 AND "leaseToken" = $4`;

/** A result not made by a move, guarded ($1 game, $2 ply, $3 fence): `finishValues` gives its parameters. */
export const FINISH = `
UPDATE "Game" SET "clock0Ms" = $4, "clock1Ms" = $5, "turnStartedAt" = $6, "deadlineAt" = $7,
                  status = $8, winner = $9, "resultReason" = $10, "endedAt" = $11, "drawOffer" = NULL
WHERE id = $1 AND ply = $2 AND status = 'active' AND "leaseToken" = $3`;

const RESUME = `
UPDATE "Game" SET "clock0Ms" = $4, "clock1Ms" = $5, "turnStartedAt" = $6, "deadlineAt" = $7
WHERE id = $1 AND ply = $2 AND status = 'active' AND "leaseToken" = $3`;

interface LoadRow {
  id: string;
  kind: string;
  timeControl: string;
  initialMs: number;
  incrementMs: number;
  mode: string;
  seed: string;
  status: string;
  ply: number;
  clock0Ms: number;
  clock1Ms: number;
  turnStartedAt: Date | null;
  deadlineAt: Date | null;
  winner: number | null;
  resultReason: string | null;
  drawOffer: number | null;
  rematchOffer: number | null;
  rematchGameId: string | null;
  passwordHash: string | null;
  botLevel: string | null;
  fence: string;
  seat0Id: string;
  seat1Id: string;
  p0Name: string;
  p0Bot: boolean;
  p1Name: string;
  p1Bot: boolean;
  moves: MoveRecord[];
  ratings: RatingRows | null;
}

function recordOf(g: LoadRow): GameRecord {
  return {
    id: g.id,
    kind: g.kind as GameKind,
    timeControl: { id: g.timeControl, initialMs: g.initialMs, incrementMs: g.incrementMs },
    mode: g.mode as GameMode,
    seed: g.seed,
    status: g.status as GameStatus,
    ply: g.ply,
    clocks: { clock0Ms: g.clock0Ms, clock1Ms: g.clock1Ms, turnStartedAt: ms(g.turnStartedAt), deadlineAt: ms(g.deadlineAt) },
    result: g.resultReason ? { winner: seat(g.winner), reason: g.resultReason as GameResult["reason"] } : null,
    offers: { drawOffer: seat(g.drawOffer), rematchOffer: seat(g.rematchOffer), rematchGameId: g.rematchGameId },
    leaseToken: BigInt(g.fence),
    ...(g.passwordHash !== null ? { private: true } : {}),
    ...(isBotLevel(g.botLevel) ? { botLevel: g.botLevel } : {}),
    players: [
      { id: g.seat0Id, name: g.p0Name, isBot: g.p0Bot },
      { id: g.seat1Id, name: g.p1Name, isBot: g.p1Bot },
    ],
    moves: g.moves.map((m) => ({ ...m, seat: m.seat as Seat, at: Number(m.at) })),
    ratings: g.ratings ? ratingsOfRows(g.ratings, [g.seat0Id, g.seat1Id]) : null,
  };
}

/** FINISH's parameters. */
export function finishValues(fence: bigint, gameId: string, ply: number, c: ClockFields, e: Ending): unknown[] {
  return [
    ...[gameId, ply, String(fence), c.clock0Ms, c.clock1Ms, date(c.turnStartedAt), date(c.deadlineAt)],
    ...[e.status, e.result.winner, e.result.reason, new Date(e.endedAt)],
  ];
}

export function createLiveGameStatements(sql: Sql) {
  const run = (name: string, text: string, values: unknown[]) => guard(() => sql.query({ name, text, values }));
  const changed = async (name: string, text: string, values: unknown[]) => (await run(name, text, values)).rowCount === 1;

  return {
    async insertGame(g: NewGame): Promise<void> {
      await run("tabula_insert_game", INSERT, [
        g.id,
        ...newGameValues(g),
        g.rematchOfId,
        g.rated,
        g.ratingPool,
        g.passwordHash ?? null,
        g.botLevel ?? null,
      ]);
    },

    /** A game as the table sees it, or null when there is no such game. */
    async load(id: string): Promise<GameRecord | null> {
      const { rows } = await run("tabula_load_game", LOAD, [id]);
      return rows.length === 1 ? recordOf(rows[0] as LoadRow) : null;
    },

    /**
     * Become the host of a game: record `ownerNode` and bump the fencing token,
     * which from now on every write must carry. Only a live game can be taken:
     * returns the game as `load` does, its `leaseToken` the new token; null when
     * the game is over or unknown. One statement: hosting a game is one round trip.
     */
    async takeOwnership(gameId: string, ownerNode: string): Promise<GameRecord | null> {
      const { rows } = await run("tabula_take_game", TAKE, [gameId, ownerNode]);
      return rows.length === 1 ? recordOf(rows[0] as LoadRow) : null;
    },

    /** The game's current fencing token (who may write), or null for an unknown game. */
    async fenceOf(gameId: string): Promise<bigint | null> {
      const { rows } = await run("tabula_game_fence", FENCE, [gameId]);
      return rows.length === 1 ? BigInt((rows[0] as { fence: string }).fence) : null;
    },

    /**
     * Record a result not made by a move (resign, timeout, agreement, abort, abandonment); clears a draw offer.
     * @returns false when the game is no longer at `ply`, already over, or owned by a newer fence.
     */
    finishGame(fence: bigint, gameId: string, ply: number, c: ClockFields, e: Ending): Promise<boolean> {
      return changed("tabula_finish_game", FINISH, finishValues(fence, gameId, ply, c, e));
    },

    /**
     * Store the offers of a game (draw during it, rematch after it).
     * @returns false when the game moved on (ply or status) or is owned by a newer fence.
     */
    saveOffers(fence: bigint, gameId: string, expected: Expected, o: Offers): Promise<boolean> {
      return changed("tabula_save_offers", OFFERS, [
        ...[gameId, expected.ply, expected.status, String(fence)],
        ...[o.drawOffer, o.rematchOffer, o.rematchGameId],
      ]);
    },

    /**
     * Record the agreed rematch `game` on the finished game (`offers` with its id, guarded like
     * `saveOffers`) and insert the rematch's row, in one statement: both or neither.
     * @returns false when the finished game moved on, already has a rematch, or is owned by a newer fence
     * (then nothing is inserted).
     */
    createRematch(fence: bigint, gameId: string, expected: Expected, o: Offers, game: NewGame): Promise<boolean> {
      if (o.rematchGameId !== game.id || game.rematchOfId !== gameId) throw new Error("rematch ids do not match");
      return changed("tabula_create_rematch", CREATE_REMATCH, [
        ...[gameId, expected.ply, expected.status, String(fence), o.drawOffer, o.rematchOffer, game.id],
        ...newGameValues(game),
        game.rated,
        game.ratingPool,
      ]);
    },

    /**
     * Restart the clocks of a game rebuilt on this node (see GameTable.planResume).
     * @returns false when the game moved on or ended meanwhile, or is owned by a newer fence.
     */
    resumeGame(fence: bigint, gameId: string, ply: number, c: ClockFields): Promise<boolean> {
      return changed("tabula_resume_game", RESUME, [
        ...[gameId, ply, String(fence), c.clock0Ms, c.clock1Ms, date(c.turnStartedAt), date(c.deadlineAt)],
      ]);
    },
  };
}
