/**
 * Operator identities for the operator page. Identities are guest players
 * with signed tokens today (auth/tokens.ts; accounts come later), so an
 * operator is an ordinary player whose id the operator lists in
 * ADMIN_PLAYER_IDS: nothing in the database marks it, and taking an id out of
 * the setting (and restarting the nodes) revokes it.
 */
import type { TokenService } from "../../auth/tokens.ts";
import type { Db } from "../../db/client.ts";
import { createPlayer, findPlayer } from "../../db/players.ts";

export interface OperatorIdentity {
  id: string;
  name: string;
  /** Identity token (Bearer) to paste on the operator page; valid TOKEN_TTL_DAYS. */
  token: string;
}

/** A new player named `name` (the first free variant, as for guests) and its identity token. */
export async function createOperator(db: Db, tokens: TokenService, name: string): Promise<OperatorIdentity> {
  const player = await createPlayer(db, name);
  return { id: player.id, name: player.name, token: await tokens.sign({ playerId: player.id, name: player.name }) };
}

/** A fresh token for the existing player `id` (the old one expired or was lost), or null when there is no such player. */
export async function operatorToken(db: Db, tokens: TokenService, id: string): Promise<OperatorIdentity | null> {
  const player = await findPlayer(db, id);
  if (!player || player.isBot) return null;
  return { id: player.id, name: player.name, token: await tokens.sign({ playerId: player.id, name: player.name }) };
}

/** The ADMIN_PLAYER_IDS value with `id` added to `current` (kept in order, no duplicate). */
export function withOperator(current: readonly string[], id: string): string {
  const ids = current.includes(id) ? current : [...current, id];
  return ids.join(",");
}
