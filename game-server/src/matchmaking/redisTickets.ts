/**
 * How the Redis matchmaker (redisMatchmaker.ts) keeps tickets: the keys, the
 * public view of a ticket, and the Lua scripts of invites and of giving a
 * ticket back (quick play's own are in quickScripts.ts). Each runs atomically in
 * Redis, so no ticket can be taken twice, and a ticket taken by a node that
 * died can be given back exactly once.
 *
 * A ticket's life: "waiting" (in its queue, or reachable by its invite code) →
 * "pairing" (taken by one node, which is creating the game; `pairedBy` names
 * the scan or acceptance that took it and `pairingUntil` bounds how long that
 * may take) →
 * "matched" (`gameId` set). "cancelled" and "expired" end it. A "pairing"
 * ticket past its deadline goes back to "waiting" (UNPAIR), so a node dying in
 * the middle of a pairing strands nobody.
 */

import type { TicketResponse, TicketStatus } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";

/** Prefix of every matchmaking key. */
export const P = "tabula:mm:";
/** Pub/sub channel on which changed tickets' ids are published (one message: ids separated by spaces). */
export const EVENTS = `${P}events`;
/** Tickets, player → ticket links and invite codes expire after this long, s. */
export const TICKET_TTL_S = 3600;

/** A ticket's hash. */
export const tkey = (id: string) => `${P}t:${id}`;
/** The FIFO of waiting quick-play tickets of a game and time control (rated and casual wait apart). */
export const qkey = (game: string, tc: string, rated = false) => `${P}q:${game}|${tc}${rated ? "|rated" : ""}`;
/** Invite code → the host's ticket id. */
export const ikey = (code: string) => `${P}i:${code}`;
/** The keys a ticket's scripts touch: itself, its queue, its invite key ('' for quick play). */
export const keysOf = (id: string, h: Record<string, string>) => [
  tkey(id),
  qkey(h.game, h.timeControl, h.rated === "1"),
  h.inviteCode ? ikey(h.inviteCode) : "",
];

/** A hash as Redis returns it from a script (field, value, field, value, …) as an object. */
export function fieldsOf(flat: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return h;
}

/** What a client sees of ticket `id` with hash `h`. */
export function ticketView(id: string, h: Record<string, string>): TicketResponse {
  // "pairing" is internal: the outside sees the ticket still waiting until the game exists.
  const status = (h.status === "pairing" ? "waiting" : h.status) as TicketStatus;
  return {
    ticket: id,
    status,
    game: h.game as GameKind,
    timeControl: h.timeControl,
    ...(h.gameId ? { gameId: h.gameId } : {}),
    ...(h.inviteCode ? { inviteCode: h.inviteCode } : {}),
    ...(h.rated === "1" ? { rated: true } : {}),
  };
}

/**
 * KEYS[1] invite key. ARGV: playerId, ticket key prefix, pairing deadline (epoch ms), pairedBy
 * (a token of this acceptance), the ticket id the invite must still name ('' any: a private
 * invite's password was checked against that ticket's hash). Returns the host's ticket id (now
 * "pairing") or an error NO_INVITE / OWN_INVITE.
 */
export const TAKE_INVITE = `
local id = redis.call('GET', KEYS[1])
if not id then return {err = 'NO_INVITE'} end
if ARGV[5] ~= '' and id ~= ARGV[5] then return {err = 'NO_INVITE'} end
local t = redis.call('HMGET', ARGV[2] .. id, 'status', 'playerId')
if t[1] ~= 'waiting' then return {err = 'NO_INVITE'} end
if t[2] == ARGV[1] then return {err = 'OWN_INVITE'} end
redis.call('HSET', ARGV[2] .. id, 'status', 'pairing', 'pairedBy', ARGV[4], 'pairingUntil', ARGV[3])
redis.call('DEL', KEYS[1])
return id
`;

/**
 * Give a "pairing" ticket back: to the head of its queue (quick play) or to its invite code.
 * KEYS[1] ticket, KEYS[2] its queue, KEYS[3] its invite key ('' when none). ARGV: ticket id,
 * pairedBy (the pairing node gives its own back; '' matches no one), now (a ticket past
 * `pairingUntil` is given back by anyone; 0 never), ticket TTL (s).
 * Returns the status after: 'waiting' if given back, else the unchanged status.
 */
export const UNPAIR = `
local t = redis.call('HMGET', KEYS[1], 'status', 'pairedBy', 'pairingUntil')
if t[1] ~= 'pairing' then return t[1] end
local mine = ARGV[2] ~= '' and t[2] == ARGV[2]
local late = tonumber(t[3] or '0') < tonumber(ARGV[3])
if not (mine or late) then return 'pairing' end
redis.call('HSET', KEYS[1], 'status', 'waiting')
redis.call('HDEL', KEYS[1], 'pairedBy', 'pairingUntil')
if KEYS[3] ~= '' then
  redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[4])
else
  redis.call('LPUSH', KEYS[2], ARGV[1])
end
return 'waiting'
`;

/**
 * The pairing node made the game: mark the partner's ticket matched, if it is still ours —
 * "pairing" by us, or given back (late) but not yet taken by anyone else. KEYS[1] ticket,
 * KEYS[2] its queue, KEYS[3] its invite key ('' when none). ARGV: ticket id, pairedBy,
 * gameId, ticket TTL (s), events channel. Returns 1 when matched, 0 when the ticket moved on.
 */
export const SETTLE_PAIRED = `
local t = redis.call('HMGET', KEYS[1], 'status', 'pairedBy')
if not ((t[1] == 'pairing' and t[2] == ARGV[2]) or t[1] == 'waiting') then return 0 end
redis.call('HSET', KEYS[1], 'status', 'matched', 'gameId', ARGV[3])
redis.call('HDEL', KEYS[1], 'pairedBy', 'pairingUntil')
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('LREM', KEYS[2], 0, ARGV[1])
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
redis.call('PUBLISH', ARGV[5], ARGV[1])
return 1
`;

/** KEYS[1] ticket, KEYS[2] queue. ARGV: new status, ticket id. Sets it only if still waiting; returns the status after. */
export const SETTLE_IF_WAITING = `
local s = redis.call('HGET', KEYS[1], 'status')
if s == 'waiting' then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  redis.call('LREM', KEYS[2], 0, ARGV[2])
  return ARGV[1]
end
return s
`;
