/**
 * Rated play for tests: account identities (a guest's player signed as an
 * account, `acct: true`, with the node's token secret — what a login gives),
 * rated quick play over HTTP, and the rating rows as stored.
 */
import type { TicketResponse } from "@tabula/shared/protocol";
import { createTokenService } from "../../src/auth/tokens.ts";
import { sdkClient } from "../../../bots/src/sdk.ts";
import { http, newPlayer, type Player } from "./clients.ts";
import { query } from "./db.ts";

/** The token secret startTestNode gives every node (support/node.ts). */
export const TEST_TOKEN_SECRET = "integration-tests-secret-0123456789abcdef";

/** A new player holding an account token (as after registering and logging in). */
export async function newAccount(base: string, name?: string, secret = TEST_TOKEN_SECRET): Promise<Player> {
  const guest = await newPlayer(base, name);
  const token = await createTokenService(secret, 1).sign({ playerId: guest.id, name: guest.name, account: true });
  return { ...guest, token, sdk: sdkClient(base, token) };
}

/** Ask for quick play (rated by default); the first answer as it came (status and body). */
export function askQuickPlay(p: Player, game: string, timeControl?: string, rated = true) {
  return http<TicketResponse & { error?: { code: string } }>(p.base, "POST", "/api/matchmaking/quick", p.token, {
    game,
    timeControl,
    rated,
  });
}

/** Rated quick play until matched (a 503 is tried again); resolves with the game id. */
export async function ratedQuickPlay(p: Player, game: string, timeControl?: string, waitS = 10): Promise<string> {
  let r = await askQuickPlay(p, game, timeControl);
  for (let tries = 1; r.status === 503 && tries < 5; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200 * tries));
    r = await askQuickPlay(p, game, timeControl);
  }
  if (r.status !== 200) throw new Error(`rated quick play failed: ${r.status} ${JSON.stringify(r.body)}`);
  while (r.body.status === "waiting") {
    r = await http<TicketResponse & { error?: { code: string } }>(
      p.base,
      "GET",
      `/api/matchmaking/tickets/${r.body.ticket}?wait=${waitS}`,
      p.token,
    );
  }
  if (r.body.status !== "matched" || !r.body.gameId) throw new Error(`not matched: ${JSON.stringify(r.body)}`);
  return r.body.gameId;
}

export interface RatingRow {
  playerId: string;
  pool: string;
  rating: number;
  rd: number;
  volatility: number;
  games: number;
  wins: number;
  losses: number;
  draws: number;
}

/** The Rating rows of `playerIds`, in their order (missing ones left out). */
export async function ratingRows(url: string, playerIds: readonly string[]): Promise<RatingRow[]> {
  const rows = await query<RatingRow & Record<string, unknown>>(
    url,
    `SELECT "playerId"::text AS "playerId", pool, rating, rd, volatility, games, wins, losses, draws FROM "Rating" WHERE "playerId" = ANY($1::uuid[])`,
    [playerIds],
  );
  return playerIds.flatMap((id) => rows.filter((r) => r.playerId === id));
}

/** The RatingChange rows of game `gameId`. */
export async function changeRows(url: string, gameId: string) {
  return query<{ playerId: string; pool: string; before: number; after: number; rdBefore: number; rdAfter: number }>(
    url,
    `SELECT "playerId"::text AS "playerId", pool, before, after, "rdBefore", "rdAfter" FROM "RatingChange" WHERE "gameId" = $1`,
    [gameId],
  );
}
