/**
 * Who is calling: the identity check shared by the API (api.ts) and the
 * operator API (admin.ts). A request names its player with an
 * `Authorization: Bearer <identity token>` header; the token must verify and
 * its player must still exist.
 */
import type { Request } from "express";
import type { AuditSink } from "../audit/writer.ts";
import { AuthError, bearerToken, type Identity, type TokenService } from "../auth/tokens.ts";
import type { Db } from "../db/client.ts";
import { createPlayerLookup } from "../db/players.ts";
import { ClientError } from "../errors.ts";
import type { OnlineTracker } from "../game/online.ts";

/** Resolves a request's caller; throws ClientError UNAUTHENTICATED (401) when the token is missing, invalid or unknown. */
export type Identify = (req: Request) => Promise<Identity>;

/**
 * The identity check over `tokens` and the players in `db`. Each identified
 * request counts its player as online (`online.touch`).
 */
export function createIdentify(deps: {
  db: Db;
  tokens: TokenService;
  online: Pick<OnlineTracker, "touch">;
  /** Where a refused token is recorded (token.refused, throttled per client by the audit log). */
  audit?: AuditSink;
}): Identify {
  const knownPlayer = createPlayerLookup(deps.db);
  return async (req) => {
    try {
      const id = await deps.tokens.verify(bearerToken(req.header("authorization")));
      // A valid signature is not enough: the player must exist (the database may have been reset).
      // The lookup (findPlayer) classifies its own failures: an outage is DbUnavailableError (503), a bug stays a 500.
      const player = await knownPlayer(id.playerId);
      if (!player) throw new AuthError("unknown player; get a new guest identity");
      deps.online.touch(id.playerId);
      // An account's name is its access token's (signed minutes ago): a guest that just claimed an account under a
      // new name is known by it at once, while the lookup may remember the guest name for a minute.
      return id.account ? { playerId: player.id, name: id.name, account: true } : { playerId: player.id, name: player.name };
    } catch (err) {
      if (err instanceof AuthError) {
        deps.audit?.record({ kind: "token.refused", ip: req.ip, detail: { where: "api", reason: err.message } });
        throw new ClientError("UNAUTHENTICATED", err.message);
      }
      throw err;
    }
  };
}
