/**
 * Join tickets: what a room WebSocket presents instead of the player's identity token.
 *
 * The identity token is long-lived (TOKEN_TTL_DAYS) and a URL is the wrong place for it: URLs
 * land in proxy access logs, error logs and browser consoles, and a WebSocket (in a browser)
 * carries no Authorization header. So the token goes only in the Authorization header of the seat
 * reservation (`POST /matchmake/joinById/<gameId>`), and the reservation's `sessionId`, which the
 * socket URL must carry, is the ticket: random, used once (Colyseus consumes the reservation),
 * expiring with it (JOIN_TICKET_TTL_S), good for that one game, and bound to the identity that
 * reserved it (the reservation holds it; nothing in the socket URL can name another player).
 */
import { randomBytes } from "node:crypto";

/** Random bytes in a ticket: 18 (144 bits), written as 24 base64url characters. */
export const JOIN_TICKET_BYTES = 18;

/** A new, unguessable join ticket. */
export function newJoinTicket(): string {
  return randomBytes(JOIN_TICKET_BYTES).toString("base64url");
}
