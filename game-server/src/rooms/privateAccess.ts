/**
 * The seat reservation's check for private games: whoever does not hold a
 * seat in a game with a password (Game.passwordHash) must give it as the join
 * option `password`, checked and throttled by the node's password gate
 * (privateGames/passwordGate.ts). The hash is read from the game's row, not
 * from the room, so a game rebuilt on another node after a takeover asks for
 * the same password, and any node can check it before a seat is held.
 */
import { ServerError } from "@colyseus/core";
import type { Identity } from "../auth/tokens.ts";
import { PasswordRefused } from "../privateGames/passwordGate.ts";
import type { RoomServices } from "./services.ts";

/**
 * The game id a seat reservation is for: the last segment of `POST /matchmake/joinById/<gameId>`
 * (Colyseus hands `onAuth` the request, not the room id). Null when the path is not that.
 */
export function reservedGameId(url: string | undefined): string | null {
  if (!url) return null;
  const path = new URL(url, "http://localhost").pathname;
  const m = /\/matchmake\/joinById\/([^/]+)$/.exec(path);
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/**
 * Resolves when `identity` may join game `gameId` (spectating when it holds no seat); else throws
 * the refusal as Colyseus answers it: HTTP 403 `PASSWORD_REQUIRED: …` / `WRONG_PASSWORD: …`, or 429
 * `PASSWORD_THROTTLED: … try again in N s`.
 */
export async function checkPrivateAccess(
  s: Pick<RoomServices, "games" | "passwords">,
  gameId: string,
  identity: Identity,
  password: string | undefined,
  ip: string | undefined,
): Promise<void> {
  const access = await s.games.accessOf(gameId);
  // No row: Colyseus found a room, so the game exists; a row that vanished is the room's own refusal.
  if (!access?.passwordHash || access.seatIds.includes(identity.playerId)) return;
  try {
    await s.passwords.check({ hash: access.passwordHash, password, scope: { gameId }, ip, playerId: identity.playerId });
  } catch (err) {
    if (err instanceof PasswordRefused) throw new ServerError(err.status, `${err.code}: ${err.message}`);
    throw err;
  }
}
