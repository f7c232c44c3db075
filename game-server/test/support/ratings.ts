/**
 * Seeds what rated play leaves behind — players, Rating rows, RatingChange
 * rows and finished games — straight into a database, for the leaderboard and
 * profile tests (integration, cluster, browser). Plain SQL on the primary.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { newGameId } from "../../src/game/gameId.ts";

/** Run `fn` with a client on `url`. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface SeededPlayer {
  id: string;
  name: string;
}

/** Insert a player named `name` (a bot when `isBot`). */
export async function seedPlayer(c: pg.ClientBase, name: string, isBot = false): Promise<SeededPlayer> {
  const id = randomUUID();
  await c.query(`INSERT INTO "Player" (id, name, "nameKey", "isBot") VALUES ($1, $2, $3, $4)`, [
    id,
    name,
    name.toLowerCase(),
    isBot,
  ]);
  return { id, name };
}

/** Set `playerId`'s rating in `pool` (insert or replace). `rd` defaults to an established 60. */
export async function seedRating(
  c: pg.ClientBase,
  playerId: string,
  pool: string,
  rating: number,
  more: { rd?: number; games?: number; wins?: number; losses?: number; draws?: number } = {},
): Promise<void> {
  const { rd = 60, games = 20, wins = 10, losses = 8, draws = 2 } = more;
  await c.query(
    `INSERT INTO "Rating" ("playerId", pool, rating, rd, volatility, games, wins, losses, draws)
     VALUES ($1, $2, $3, $4, 0.06, $5, $6, $7, $8)
     ON CONFLICT ("playerId", pool) DO UPDATE SET rating = $3, rd = $4, games = $5, wins = $6, losses = $7, draws = $8,
       "updatedAt" = now()`,
    [playerId, pool, rating, rd, games, wins, losses, draws],
  );
}

/**
 * A finished game between `seat0` and `seat1` (`winner` a seat, or null for a draw), created at `at` and
 * ended a minute later; rated in `ratingPool` when given. @returns its id.
 */
export async function seedFinishedGame(
  c: pg.ClientBase,
  g: {
    kind: "connect4" | "chess";
    timeControl?: string;
    seat0: string;
    seat1: string;
    winner: 0 | 1 | null;
    at: Date;
    ratingPool?: string;
    status?: "finished" | "aborted" | "active";
  },
): Promise<string> {
  const id = newGameId(g.at.getTime());
  const status = g.status ?? "finished";
  await c.query(
    `INSERT INTO "Game" (id, kind, "timeControl", "initialMs", "incrementMs", seed, mode, status, "seat0Id", "seat1Id",
       ply, "clock0Ms", "clock1Ms", winner, "resultReason", rated, "ratingPool", "createdAt", "endedAt")
     VALUES ($1, $2, $3, 180000, 2000, 'seed', 'quick', $4, $5, $6, 0, 180000, 180000, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      g.kind,
      g.timeControl ?? (g.kind === "chess" ? "3+2" : "3+5"),
      status,
      g.seat0,
      g.seat1,
      status === "finished" ? g.winner : null,
      status === "finished" ? (g.winner === null ? "agreement" : "resign") : status === "aborted" ? "aborted" : null,
      !!g.ratingPool,
      g.ratingPool ?? null,
      g.at,
      status === "active" ? null : new Date(g.at.getTime() + 60_000),
    ],
  );
  return id;
}

/** `playerId`'s rating change from game `gameId` (`before` → `after`) at `at`. */
export async function seedRatingChange(
  c: pg.ClientBase,
  r: { gameId: string; playerId: string; pool: string; before: number; after: number; at: Date },
): Promise<void> {
  await c.query(
    `INSERT INTO "RatingChange" ("gameId", "playerId", pool, before, after, "rdBefore", "rdAfter", at)
     VALUES ($1, $2, $3, $4, $5, 100, 95, $6)`,
    [r.gameId, r.playerId, r.pool, r.before, r.after, r.at],
  );
}
