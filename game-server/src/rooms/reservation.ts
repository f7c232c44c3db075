/**
 * The seat reservation (`POST /matchmake/joinById/<gameId>`, Colyseus' static
 * `onAuth` of the game room): who may hold a seat or a place in the gallery,
 * checked before any is held, on whichever node nginx picked: the identity,
 * the player's reservation rate, and a private game's password.
 */
import { type AuthContext, ServerError } from "@colyseus/core";
import { GamePassword } from "@tabula/shared/protocol";
import { z } from "zod";
import { AuthError, type Identity } from "../auth/tokens.ts";
import { newJoinTicket } from "./joinTicket.ts";
import { checkPrivateAccess, reservedGameId } from "./privateAccess.ts";
import { roomServices } from "./services.ts";

/** `password`: a private game's, for whoever holds no seat in it (rooms/privateAccess.ts). */
const JoinOptions = z.object({ spectate: z.boolean().optional(), password: GamePassword.optional() }).passthrough();

/** What a reservation carries to the room's node: who joins, as what, with which ticket, from where. */
export type SeatReservation = Identity & { spectate: boolean; sessionId: string; ip?: string };

/**
 * Identity, checked once, at the seat reservation (`POST /matchmake/joinById/<gameId>`, on
 * whichever node nginx picked): the identity token comes in that request's Authorization header,
 * never in a URL. What it returns travels with the reservation to the room's node, and its
 * `sessionId` is the join ticket the WebSocket presents instead of the identity token: random
 * (JOIN_TICKET_BYTES), single use and expiring with the reservation (JOIN_TICKET_TTL_S), valid in
 * this game only, and the player it names is the one who joins (rooms/joinTicket.ts).
 */
export async function reserveSeat(token: string | undefined, options: unknown, context: AuthContext): Promise<SeatReservation> {
  const parsed = JoinOptions.safeParse(options ?? {});
  if (!parsed.success) throw new ServerError(400, "invalid join options");
  try {
    const services = roomServices();
    const identity = await services.tokens.verify(token);
    // A player reserving seats in a loop (each reservation a ticket, a presence write and a room call) is cut off.
    if (services.joinLimit && !(await services.joinLimit(identity.playerId))) {
      services.audit?.record({
        kind: "ratelimit.cutoff",
        playerId: identity.playerId,
        ip: context.ip,
        detail: { limiter: "join" },
      });
      throw new ServerError(429, "too many seat reservations; slow down");
    }
    // Colyseus hands these options on to the room's node (through Redis in a cluster): not the password.
    if (options && typeof options === "object") delete (options as { password?: unknown }).password;
    const gameId = reservedGameId(context.req?.url);
    if (!gameId) throw new ServerError(400, "a seat is reserved with POST /matchmake/joinById/<gameId>");
    await checkPrivateAccess(services, gameId, identity, parsed.data.password, context.ip);
    return { ...identity, spectate: parsed.data.spectate === true, sessionId: newJoinTicket(), ip: context.ip };
  } catch (err) {
    // An HTTP status (the matchmaking route answers with the code as its status): 401, body `{ code: 401, error }`.
    if (err instanceof AuthError) {
      const detail = { where: "reservation" as const, reason: err.message };
      roomServices().audit?.record({ kind: "token.refused", ip: context.ip, detail });
      throw new ServerError(401, err.message);
    }
    throw err;
  }
}
