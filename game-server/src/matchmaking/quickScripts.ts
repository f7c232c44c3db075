/**
 * The Lua scripts of quick play in Redis (see redisTickets.ts for the keys and
 * a ticket's life). Each runs atomically, so a ticket is taken by one pairing
 * at most, and each is one round trip however many tickets it handles:
 *
 * - ENQUEUE_AND_PAIR: a node's whole batch of new quick-play tickets goes into
 *   the queue, and every live waiting ticket is paired off from the head, in
 *   arrival order — one scan pairs a whole burst.
 * - SETTLE_PAIR: both tickets of a made game become "matched", and one
 *   message wakes both long polls.
 * - POLL_TICKET: a long poll's read, its keep-alive, and the return to the
 *   queue of a ticket whose pairing node missed its deadline (died).
 */
import type { Redis } from "ioredis";

/**
 * Lua, inside a loop over new tickets with `P` (the key prefix), `player` and a table `cancelled`: the
 * player's previous ticket, if still waiting, is cancelled (a player has one ticket; an invite's code goes
 * with it) and listed in `cancelled`; `pkey` is left naming the player's ticket pointer. Shared by casual
 * and rated enqueueing (ratedScripts.ts).
 */
export const CANCEL_PREVIOUS = `
  local pkey = P .. 'p:' .. player
  local prev = redis.call('GET', pkey)
  if prev then
    local pt = redis.call('HMGET', P .. 't:' .. prev, 'status', 'inviteCode')
    if pt[1] == 'waiting' then
      redis.call('HSET', P .. 't:' .. prev, 'status', 'cancelled')
      if pt[2] and redis.call('GET', P .. 'i:' .. pt[2]) == prev then redis.call('DEL', P .. 'i:' .. pt[2]) end
      cancelled[#cancelled + 1] = prev
    end
  end
`;

/**
 * KEYS[1] the queue. ARGV: key prefix, now (epoch ms), pairing deadline (epoch ms), pairedBy
 * token, ticket TTL (s), game, time control, aliveUntil of the new tickets (epoch ms), events
 * channel, then (ticket id, player id) for each new ticket, oldest first.
 *
 * Each new ticket cancels its player's previous one if still waiting (published on the events
 * channel); cancelled and stale entries leave the queue as the scan meets them. Returns
 * { pairs, expired } where pairs is a flat list: ticket A, player A, ticket B, player B, … (A
 * the older; both now "pairing" by the token); an odd one out stays at the head of the queue.
 * Each ticket's `queuedAt` (epoch ms, "0" for a ticket older than that field) follows its
 * player id: A, player A, queued A, B, player B, queued B.
 */
export const ENQUEUE_AND_PAIR = `
local queue = KEYS[1]
local P, now, deadline, by, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local game, tc, alive, events = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local cancelled = {}
for i = 10, #ARGV, 2 do
  local id, player = ARGV[i], ARGV[i + 1]
${CANCEL_PREVIOUS}  local tkey = P .. 't:' .. id
  redis.call('HSET', tkey, 'playerId', player, 'game', game, 'timeControl', tc, 'kind', 'quick',
    'status', 'waiting', 'aliveUntil', alive, 'queuedAt', ARGV[2])
  redis.call('EXPIRE', tkey, ttl)
  redis.call('SET', pkey, id, 'EX', ttl)
  redis.call('RPUSH', queue, id)
end
if #cancelled > 0 then redis.call('PUBLISH', events, table.concat(cancelled, ' ')) end
local made, held, expired = {}, nil, 0
while true do
  local cand = redis.call('LPOP', queue)
  if not cand then break end
  local key = P .. 't:' .. cand
  local t = redis.call('HMGET', key, 'status', 'playerId', 'aliveUntil', 'queuedAt')
  if t[1] == 'waiting' then
    if tonumber(t[3]) < now then
      redis.call('HSET', key, 'status', 'expired')
      expired = expired + 1
    elseif not held then
      held = { cand, t[2], t[4] or '0' }
    elseif held[2] == t[2] then
      -- One player twice cannot happen (a new ticket cancels the old); keep the newer.
      redis.call('HSET', P .. 't:' .. held[1], 'status', 'cancelled')
      held = { cand, t[2], t[4] or '0' }
    else
      for _, id in ipairs({ held[1], cand }) do
        redis.call('HSET', P .. 't:' .. id, 'status', 'pairing', 'pairedBy', by, 'pairingUntil', deadline)
      end
      made[#made + 1] = held[1]
      made[#made + 1] = held[2]
      made[#made + 1] = held[3]
      made[#made + 1] = cand
      made[#made + 1] = t[2]
      made[#made + 1] = t[4] or '0'
      held = nil
    end
  end
  -- anything else (cancelled, matched, pairing) just leaves the queue
end
if held then redis.call('LPUSH', queue, held[1]) end
return { made, expired }
`;

/**
 * The game is made: KEYS[1], KEYS[2] the two tickets, KEYS[3] their queue. ARGV: ticket A id,
 * ticket B id, pairedBy token, game id, ticket TTL (s), events channel.
 *
 * A ticket is still ours when it is "pairing" by the token, or was given back (late) and is
 * waiting again untaken. Both ours: both matched, one message wakes both; returns 1. Otherwise
 * (we were past the deadline and one was paired elsewhere) nobody is matched into this game:
 * the other goes back to the head of the queue if it was still "pairing" by us; returns 0.
 */
export const SETTLE_PAIR = `
local ours = {}
for i = 1, 2 do
  local t = redis.call('HMGET', KEYS[i], 'status', 'pairedBy')
  ours[i] = (t[1] == 'pairing' and t[2] == ARGV[3]) or t[1] == 'waiting'
end
if ours[1] and ours[2] then
  for i = 1, 2 do
    redis.call('HSET', KEYS[i], 'status', 'matched', 'gameId', ARGV[4])
    redis.call('HDEL', KEYS[i], 'pairedBy', 'pairingUntil')
    redis.call('EXPIRE', KEYS[i], ARGV[5])
  end
  redis.call('PUBLISH', ARGV[6], ARGV[1] .. ' ' .. ARGV[2])
  return 1
end
for i = 1, 2 do
  local t = redis.call('HMGET', KEYS[i], 'status', 'pairedBy')
  if t[1] == 'pairing' and t[2] == ARGV[3] then
    redis.call('HSET', KEYS[i], 'status', 'waiting')
    redis.call('HDEL', KEYS[i], 'pairedBy', 'pairingUntil')
    redis.call('LPUSH', KEYS[3], ARGV[i])
  end
end
return 0
`;

/**
 * A long poll's look at its ticket: KEYS[1] the ticket. ARGV: ticket id, player id, now (epoch
 * ms), new aliveUntil (epoch ms), key prefix, ticket TTL (s).
 *
 * Returns the ticket's fields as a flat list (field, value, …), or false when there is no such
 * ticket of this player. A "pairing" ticket past its deadline (its pairing node died) goes back
 * first — to the head of its queue, or to its invite code — and then carries `requeued` = 1.
 * A waiting ticket is kept alive until ARGV[4].
 */
export const POLL_TICKET = `
local h = redis.call('HGETALL', KEYS[1])
local m = {}
for i = 1, #h, 2 do m[h[i]] = h[i + 1] end
if m.playerId ~= ARGV[2] or not m.status then return false end
if m.status == 'pairing' and tonumber(m.pairingUntil or '0') < tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'status', 'waiting')
  redis.call('HDEL', KEYS[1], 'pairedBy', 'pairingUntil')
  if m.inviteCode then
    redis.call('SET', ARGV[5] .. 'i:' .. m.inviteCode, ARGV[1], 'EX', ARGV[6])
  else
    local rated = ''
    if m.rated == '1' then rated = '|rated' end
    redis.call('LPUSH', ARGV[5] .. 'q:' .. m.game .. '|' .. m.timeControl .. rated, ARGV[1])
  end
  h = redis.call('HGETALL', KEYS[1])
  h[#h + 1] = 'requeued'
  h[#h + 1] = '1'
end
if m.status == 'waiting' or m.status == 'pairing' then redis.call('HSET', KEYS[1], 'aliveUntil', ARGV[4]) end
return h
`;

/** The scripts above as commands of one connection (ioredis sends each body once, then EVALSHA). */
export interface QuickCommands {
  enqueueAndPair(queue: string, ...args: string[]): Promise<[string[], number]>;
  settlePair(ticketA: string, ticketB: string, queue: string, ...args: string[]): Promise<number>;
  pollTicket(ticket: string, ...args: string[]): Promise<string[] | null>;
}

/** Define the quick-play scripts on `redis`; returns it typed with them. */
export function defineQuickCommands<R extends Redis>(redis: R): R & QuickCommands {
  redis.defineCommand("enqueueAndPair", { numberOfKeys: 1, lua: ENQUEUE_AND_PAIR });
  redis.defineCommand("settlePair", { numberOfKeys: 3, lua: SETTLE_PAIR });
  redis.defineCommand("pollTicket", { numberOfKeys: 1, lua: POLL_TICKET });
  return redis as R & QuickCommands;
}
