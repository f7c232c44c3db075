/**
 * Creates games: the row in PostgreSQL first, then the room that hosts it
 * (a rematch's row is written by its host, with the finished game's record of
 * it: GameHost.rematch).
 * Rooms are always built from the database (the same path a recovered game
 * will take), never from in-memory hand-over.
 */
import { randomBytes } from "node:crypto";
import { matchMaker, ServerError } from "@colyseus/core";
import { GAME_ROOM } from "@tabula/shared/protocol";
import { type BotLevel, createRng, findTimeControl, type GameKind, ratingPool } from "@tabula/shared/rules";
import type { GameRepository } from "../db/games.ts";
import { newGameId } from "./gameId.ts";
import type { NewGame } from "./record.ts";
import type { Logger } from "../log.ts";

/** The code a game room's creation is refused with when another process holds the game's lease. */
export const HOSTED_ELSEWHERE = 409;

export interface NewGameRequest {
  game: GameKind;
  timeControl: string;
  mode: "quick" | "invite" | "bot" | "rematch";
  /** The two players; seats are drawn from the game's seed unless `seatsFixed`. */
  playerIds: [string, string];
  /** Keep `playerIds` order as seats 0 and 1 (rematches swap colours explicitly). */
  seatsFixed?: boolean;
  rematchOfId?: string;
  /**
   * A rated game (default casual): made by rated quick play between two accounts, or a rematch of a
   * rated game. It changes both players' ratings in its pool (rules' ratingPool) when it ends.
   */
  rated?: boolean;
  /** A private game's password hash (Argon2id): spectators must give the password. */
  passwordHash?: string;
  /** A bot game's level (stored with the game: a rebuilt room and a rematch keep it). */
  botLevel?: BotLevel;
}

export interface GameFactory {
  /** Make the game's row (no write): id, seed, seats, clocks. Throws on an unknown time control. */
  prepare(req: NewGameRequest): NewGame;
  /** Build the room of a game already written; rejects when it cannot be hosted. */
  host(gameId: string): Promise<void>;
  /** Write a new game and build its room; resolves with its id. */
  create(req: NewGameRequest): Promise<string>;
}

export function createGameFactory(deps: {
  games: GameRepository;
  nodeId: string;
  firstMoveTimeoutMs: number;
  /** Multiplies time controls (tests only; 1 in production). */
  clockScale?: number;
  log: Logger;
  now?: () => number;
}): GameFactory {
  const now = deps.now ?? Date.now;
  const factory: GameFactory = {
    prepare(req) {
      const tc = findTimeControl(req.game, req.timeControl);
      if (!tc) throw new Error(`unknown time control ${req.timeControl} for ${req.game}`);
      const seed = randomBytes(16).toString("hex");
      const swap = !req.seatsFixed && createRng(seed).int(2) === 1;
      const [seat0Id, seat1Id] = swap ? [req.playerIds[1], req.playerIds[0]] : req.playerIds;
      const t = now();
      const scale = deps.clockScale ?? 1;
      const initialMs = Math.round(tc.initialSeconds * 1000 * scale);
      return {
        // Time-ordered by the wall clock (not the game clock, which tests may drive): the id picks
        // the game's move-log partition, and partitions are made by the wall clock (docs/database.md).
        id: newGameId(),
        kind: req.game,
        timeControl: tc.id,
        initialMs,
        incrementMs: Math.round(tc.incrementSeconds * 1000 * scale),
        seed,
        mode: req.mode,
        seat0Id,
        seat1Id,
        clock0Ms: initialMs,
        clock1Ms: initialMs,
        turnStartedAt: new Date(t),
        deadlineAt: new Date(t + deps.firstMoveTimeoutMs),
        ownerNode: deps.nodeId,
        rematchOfId: req.rematchOfId ?? null,
        rated: req.rated === true,
        ratingPool: req.rated === true ? (ratingPool(req.game, tc.id) ?? null) : null,
        passwordHash: req.passwordHash ?? null,
        botLevel: req.botLevel ?? null,
      };
    },
    async host(gameId) {
      try {
        await matchMaker.createRoom(GAME_ROOM, { gameId });
      } catch (err) {
        // When the process chosen for the room answers too late (Colyseus' ipc_timeout), Colyseus builds
        // the room here instead — but that process is still building it and holds the game's lease, so
        // ours is refused as hosted elsewhere. The game is hosted: the players join it by id.
        if (!(err instanceof ServerError && err.code === HOSTED_ELSEWHERE)) throw err;
        deps.log.info({ gameId }, "game room built by another process");
      }
    },
    async create(req) {
      const game = factory.prepare(req);
      await deps.games.insertGame(game);
      await factory.host(game.id);
      const level = req.botLevel ? { botLevel: req.botLevel } : {};
      deps.log.info(
        { gameId: game.id, game: req.game, tc: game.timeControl, mode: req.mode, rated: game.rated, ...level },
        "game created",
      );
      return game.id;
    },
  };
  return factory;
}
