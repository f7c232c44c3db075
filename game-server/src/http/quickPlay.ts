/**
 * `POST /api/matchmaking/quick`: casual quick play as always, or rated quick
 * play (`rated: true`), which is for registered accounts only (a guest gets
 * 403 ACCOUNT_REQUIRED) and queues the player with their rating in the game's
 * pool and the players they must never meet (ratings/seek.ts).
 */
import { QuickPlayRequest, type TicketResponse } from "@tabula/shared/protocol";
import { findTimeControl, getGame, ratingPool } from "@tabula/shared/rules";
import type { Identity } from "../auth/tokens.ts";
import type { Db } from "../db/client.ts";
import { ClientError } from "../errors.ts";
import type { Matchmaker } from "../matchmaking/matchmaker.ts";
import { seekOf } from "../ratings/seek.ts";
import { parse } from "./middleware.ts";

/** Queue `me` for quick play as `body` asks (QuickPlayRequest); answers the ticket. */
export async function quickPlay(deps: { db: Db; matchmaker: Matchmaker }, me: Identity, body: unknown): Promise<TicketResponse> {
  const req = parse(QuickPlayRequest, body);
  const tc = findTimeControl(req.game, req.timeControl ?? getGame(req.game)?.timeControls[0]?.id ?? "");
  if (!tc) throw new ClientError("BAD_REQUEST", `unknown time control ${req.timeControl} for ${req.game}`);
  if (!req.rated) return deps.matchmaker.quickPlay(me.playerId, req.game, tc.id);
  if (!me.account) throw new ClientError("ACCOUNT_REQUIRED", "rated games are for registered accounts: register or log in");
  const pool = ratingPool(req.game, tc.id) as string;
  return deps.matchmaker.quickPlay(me.playerId, req.game, tc.id, await seekOf(deps.db, me.playerId, pool));
}
