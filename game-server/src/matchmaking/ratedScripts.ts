/**
 * Rated quick play's Lua script in Redis: the rating window of
 * ratingWindow.ts, applied atomically to a whole rated queue at once, so
 * every node pairs the same way and no ticket is taken twice.
 *
 * A rated ticket's hash has, besides a quick-play ticket's fields, `rated` 1,
 * `rating` (the player's rating in the pool when the ticket was made) and
 * `avoid` (the ids of players it must never meet, space-separated). A scan
 * reads the queue's head (at most SCAN_MAX tickets), drops what is no longer
 * waiting, and pairs off the rest as pairOff does: longest waiting first, each
 * with the longest-waiting compatible one left (ties: the closer rating), where
 * compatible means within both players' windows and neither avoiding the other.
 * The window half-width, in points, is min(500, 100 + 10 × waited seconds).
 */
import type { Redis } from "ioredis";
import { CANCEL_PREVIOUS } from "./quickScripts.ts";
import { WINDOW_MAX_POINTS, WINDOW_POINTS_PER_S, WINDOW_START_POINTS } from "./ratingWindow.ts";

/** Most tickets one scan considers (bounds the script's run time: pairing is quadratic in the worst case). */
export const SCAN_MAX = 1000;

/**
 * KEYS[1] the rated queue. ARGV: key prefix, now (epoch ms), pairing deadline (epoch ms), pairedBy token,
 * ticket TTL (s), game, time control, aliveUntil of the new tickets (epoch ms), events channel, then
 * (ticket id, player id, rating, avoid) for each new ticket, oldest first.
 *
 * Returns { pairs, expired, waiting }: pairs flat as ENQUEUE_AND_PAIR's (ticket A, player A, queued A,
 * ticket B, player B, queued B, …; A waited longer; both now "pairing" by the token); waiting, the
 * tickets left waiting in the queue.
 */
export const RATED_ENQUEUE_AND_PAIR = `
local queue = KEYS[1]
local P, now, deadline, by, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local game, tc, alive, events = ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local cancelled = {}
for i = 10, #ARGV, 4 do
  local id, player, rating, avoid = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
${CANCEL_PREVIOUS}  local tkey = P .. 't:' .. id
  redis.call('HSET', tkey, 'playerId', player, 'game', game, 'timeControl', tc, 'kind', 'quick', 'rated', '1',
    'rating', rating, 'avoid', avoid, 'status', 'waiting', 'aliveUntil', alive, 'queuedAt', ARGV[2])
  redis.call('EXPIRE', tkey, ttl)
  redis.call('SET', pkey, id, 'EX', ttl)
  redis.call('RPUSH', queue, id)
end
if #cancelled > 0 then redis.call('PUBLISH', events, table.concat(cancelled, ' ')) end

local ids = redis.call('LRANGE', queue, 0, ${SCAN_MAX - 1})
local seekers, expired = {}, 0
for pos, id in ipairs(ids) do
  local key = P .. 't:' .. id
  local t = redis.call('HMGET', key, 'status', 'playerId', 'aliveUntil', 'queuedAt', 'rating', 'avoid')
  if t[1] == 'waiting' then
    if tonumber(t[3]) < now then
      redis.call('HSET', key, 'status', 'expired')
      expired = expired + 1
    else
      local avoid = {}
      for p in string.gmatch(t[6] or '', '%S+') do avoid[p] = true end
      seekers[#seekers + 1] = { id = id, player = t[2], queued = t[4] or '0', since = tonumber(t[4] or '0'),
        rating = tonumber(t[5] or '1500'), avoid = avoid, pos = pos }
    end
  end
  -- anything else (cancelled, matched, pairing, expired) leaves the queue
end
table.sort(seekers, function(a, b) if a.since ~= b.since then return a.since < b.since end return a.pos < b.pos end)

local function window(s)
  return math.min(${WINDOW_MAX_POINTS}, ${WINDOW_START_POINTS} + ${WINDOW_POINTS_PER_S} * math.max(0, (now - s.since) / 1000))
end
local function compatible(a, b)
  if a.player == b.player or a.avoid[b.player] or b.avoid[a.player] then return false end
  local gap = math.abs(a.rating - b.rating)
  return gap <= window(a) and gap <= window(b)
end

local made, taken = {}, {}
for i = 1, #seekers do
  if not taken[i] then
    local a, best = seekers[i], nil
    for j = i + 1, #seekers do
      if not taken[j] and compatible(a, seekers[j]) then
        local b = seekers[j]
        if not best then best = j
        elseif b.since == seekers[best].since and math.abs(b.rating - a.rating) < math.abs(seekers[best].rating - a.rating) then best = j
        elseif b.since > seekers[best].since then break end
      end
    end
    if best then
      taken[i], taken[best] = true, true
      local b = seekers[best]
      for _, id in ipairs({ a.id, b.id }) do
        redis.call('HSET', P .. 't:' .. id, 'status', 'pairing', 'pairedBy', by, 'pairingUntil', deadline)
      end
      made[#made + 1] = a.id
      made[#made + 1] = a.player
      made[#made + 1] = a.queued
      made[#made + 1] = b.id
      made[#made + 1] = b.player
      made[#made + 1] = b.queued
    end
  end
end

-- The scanned head of the queue is replaced by those still waiting, in their order.
local keep = {}
for i = 1, #seekers do if not taken[i] then keep[#keep + 1] = seekers[i] end end
table.sort(keep, function(a, b) return a.pos < b.pos end)
redis.call('LTRIM', queue, #ids, -1)
for i = #keep, 1, -1 do redis.call('LPUSH', queue, keep[i].id) end
return { made, expired, #keep }
`;

/** The script above as a command of one connection (ioredis sends its body once, then EVALSHA). */
export interface RatedCommands {
  ratedEnqueueAndPair(queue: string, ...args: string[]): Promise<[string[], number, number]>;
}

/** Define the rated quick-play script on `redis`; returns it typed with it. */
export function defineRatedCommands<R extends Redis>(redis: R): R & RatedCommands {
  redis.defineCommand("ratedEnqueueAndPair", { numberOfKeys: 1, lua: RATED_ENQUEUE_AND_PAIR });
  return redis as R & RatedCommands;
}
