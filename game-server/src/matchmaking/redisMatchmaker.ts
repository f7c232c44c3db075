/**
 * Cluster matchmaker: queues, tickets and invite codes live in Redis, so every
 * node sees them and two players whose requests reach different nodes meet.
 *
 * Pairing is one Lua script per request (atomic in Redis): it takes the first
 * live partner from the queue, or enqueues the caller. The node that made the
 * pair creates the game; the partner's node learns of it through a pub/sub
 * message that wakes its long-polling waiter. No player can be taken twice:
 * a partner is moved to "pairing" inside the script that removed it from the
 * queue.
 *
 * Redis keys (prefix `tabula:mm:`): `t:<ticket>` hash, `p:<player>` current
 * ticket, `q:<game>|<tc>` FIFO list of waiting tickets, `i:<code>` invite →
 * ticket. Tickets expire after an hour; a waiting ticket whose owner stopped
 * polling is skipped (`staleAfterMs`).
 */
import { randomBytes } from "node:crypto";
import type { GameKind } from "@tabula/shared/rules";
import type { TicketResponse, TicketStatus } from "@tabula/shared/protocol";
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import { type InviteInfo, type Matchmaker, MatchmakingError, type PairingHandler } from "./matchmaker.ts";
import { newInviteCode } from "./memoryMatchmaker.ts";

const P = "tabula:mm:";
const EVENTS = `${P}events`;
const TICKET_TTL_S = 3600;

/**
 * KEYS[1] queue, KEYS[2] the caller's ticket. ARGV: playerId, now, ticket prefix.
 * Returns the partner's ticket id (now "pairing"), or false after enqueuing the caller.
 */
const TAKE_PARTNER = `
local queue, mine = KEYS[1], KEYS[2]
local player, now, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[3]
while true do
  local cand = redis.call('LPOP', queue)
  if not cand then break end
  local t = redis.call('HMGET', prefix .. cand, 'status', 'playerId', 'aliveUntil')
  if t[1] == 'waiting' and t[2] ~= player then
    if tonumber(t[3]) >= now then
      redis.call('HSET', prefix .. cand, 'status', 'pairing')
      return cand
    end
    redis.call('HSET', prefix .. cand, 'status', 'expired')
  elseif t[1] == 'waiting' and t[2] == player then
    -- the caller's own older ticket: it is being replaced
  end
end
redis.call('RPUSH', queue, string.sub(mine, string.len(prefix) + 1))
return false
`;

/** KEYS[1] invite key. ARGV: playerId, now, ticket prefix. Returns the host's ticket id (now "pairing") or an error string. */
const TAKE_INVITE = `
local id = redis.call('GET', KEYS[1])
if not id then return {err = 'NO_INVITE'} end
local t = redis.call('HMGET', ARGV[3] .. id, 'status', 'playerId')
if t[1] ~= 'waiting' then return {err = 'NO_INVITE'} end
if t[2] == ARGV[1] then return {err = 'OWN_INVITE'} end
redis.call('HSET', ARGV[3] .. id, 'status', 'pairing')
redis.call('DEL', KEYS[1])
return id
`;

/** KEYS[1] ticket, KEYS[2] queue. ARGV: new status. Sets it only if still waiting; returns the status after. */
const SETTLE_IF_WAITING = `
local s = redis.call('HGET', KEYS[1], 'status')
if s == 'waiting' then
  redis.call('HSET', KEYS[1], 'status', ARGV[1])
  redis.call('LREM', KEYS[2], 0, ARGV[2])
  return ARGV[1]
end
return s
`;

export interface RedisMatchmakerOptions {
  redisUrl: string;
  pair: PairingHandler;
  playerName: (playerId: string) => Promise<string>;
  log: Logger;
  /** A waiting ticket not polled for this long is skipped and expires, ms. */
  staleAfterMs?: number;
}

export function createRedisMatchmaker(opts: RedisMatchmakerOptions): Matchmaker {
  const staleAfterMs = opts.staleAfterMs ?? 30_000;
  // Fail fast when Redis is down: matchmaking answers 503 instead of hanging.
  const redisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: false };
  const redis = new Redis(opts.redisUrl, redisOptions);
  const sub = new Redis(opts.redisUrl, { ...redisOptions, maxRetriesPerRequest: null, enableOfflineQueue: true });
  redis.on("error", (err) => opts.log.warn({ err: err.message }, "matchmaker redis error"));
  sub.on("error", () => {});
  const waiters = new Map<string, Set<() => void>>();
  void sub.subscribe(EVENTS).catch((err) => opts.log.warn({ err: err.message }, "matchmaker subscribe failed"));
  sub.on("message", (_channel, ticketId: string) => {
    const ws = waiters.get(ticketId);
    if (ws) for (const w of [...ws]) w();
  });

  async function r<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MatchmakingError) throw err;
      throw new MatchmakingError("UNAVAILABLE", "matchmaking is temporarily unavailable (Redis); try again shortly");
    }
  }

  const tkey = (id: string) => `${P}t:${id}`;
  const qkey = (game: string, tc: string) => `${P}q:${game}|${tc}`;

  async function read(id: string): Promise<Record<string, string> | null> {
    const h = await redis.hgetall(tkey(id));
    return h?.status ? h : null;
  }

  function view(id: string, h: Record<string, string>): TicketResponse {
    // "pairing" is internal: the outside sees the ticket still waiting until the game exists.
    const status = (h.status === "pairing" ? "waiting" : h.status) as TicketStatus;
    return {
      ticket: id,
      status,
      game: h.game as GameKind,
      timeControl: h.timeControl,
      ...(h.gameId ? { gameId: h.gameId } : {}),
      ...(h.inviteCode ? { inviteCode: h.inviteCode } : {}),
    };
  }

  async function settle(id: string, status: TicketStatus, gameId?: string): Promise<void> {
    const fields: Record<string, string> = { status };
    if (gameId) fields.gameId = gameId;
    await redis.multi().hset(tkey(id), fields).expire(tkey(id), TICKET_TTL_S).publish(EVENTS, id).exec();
  }

  async function newTicket(playerId: string, game: GameKind, timeControl: string, kind: "quick" | "invite") {
    const previous = await redis.get(`${P}p:${playerId}`);
    if (previous) {
      const prev = await read(previous);
      if (prev?.status === "waiting") {
        await redis.eval(SETTLE_IF_WAITING, 2, tkey(previous), qkey(prev.game, prev.timeControl), "cancelled", previous);
        await redis.publish(EVENTS, previous);
        if (prev.inviteCode) await redis.del(`${P}i:${prev.inviteCode}`);
      }
    }
    const id = randomBytes(12).toString("base64url");
    const fields = {
      playerId,
      playerName: await opts.playerName(playerId),
      game,
      timeControl,
      kind,
      status: "waiting",
      aliveUntil: String(Date.now() + staleAfterMs),
    };
    await redis
      .multi()
      .hset(tkey(id), fields)
      .expire(tkey(id), TICKET_TTL_S)
      .set(`${P}p:${playerId}`, id, "EX", TICKET_TTL_S)
      .exec();
    return { id, fields };
  }

  return {
    quickPlay(playerId, game, timeControl) {
      return r(async () => {
        const { id, fields } = await newTicket(playerId, game, timeControl, "quick");
        const partner = (await redis.eval(
          TAKE_PARTNER,
          2,
          qkey(game, timeControl),
          tkey(id),
          playerId,
          String(Date.now()),
          `${P}t:`,
        )) as string | null;
        if (!partner) return view(id, fields);
        const partnerPlayer = await redis.hget(tkey(partner), "playerId");
        try {
          const gameId = await opts.pair({ game, timeControl, mode: "quick", playerIds: [partnerPlayer as string, playerId] });
          await settle(partner, "matched", gameId);
          await settle(id, "matched", gameId);
          opts.log.info({ gameId, game, timeControl }, "quick play paired");
          return view(id, { ...fields, status: "matched", gameId });
        } catch (err) {
          // Give the partner their place back at the head of the queue; the caller gets the error.
          await redis.hset(tkey(partner), "status", "waiting").catch(() => {});
          await redis.lpush(qkey(game, timeControl), partner).catch(() => {});
          await settle(id, "cancelled").catch(() => {});
          if (err instanceof MatchmakingError) throw err;
          opts.log.error({ err }, "could not create the paired game");
          throw new MatchmakingError("UNAVAILABLE", "could not create the game; try again");
        }
      });
    },

    createInvite(playerId, game, timeControl) {
      return r(async () => {
        const { id, fields } = await newTicket(playerId, game, timeControl, "invite");
        for (let attempt = 0; attempt < 10; attempt++) {
          const code = newInviteCode();
          if (await redis.set(`${P}i:${code}`, id, "EX", TICKET_TTL_S, "NX")) {
            await redis.hset(tkey(id), "inviteCode", code);
            return view(id, { ...fields, inviteCode: code });
          }
        }
        throw new MatchmakingError("UNAVAILABLE", "could not allocate an invite code");
      });
    },

    inviteInfo(code) {
      return r(async () => {
        const id = await redis.get(`${P}i:${code.toUpperCase()}`);
        if (!id) return null;
        const h = await read(id);
        if (h?.status !== "waiting") return null;
        return {
          code: code.toUpperCase(),
          game: h.game as GameKind,
          timeControl: h.timeControl,
          host: { name: h.playerName },
        } satisfies InviteInfo;
      });
    },

    acceptInvite(playerId, code) {
      return r(async () => {
        const key = `${P}i:${code.toUpperCase()}`;
        let host: string;
        try {
          host = (await redis.eval(TAKE_INVITE, 1, key, playerId, String(Date.now()), `${P}t:`)) as string;
        } catch (err) {
          const m = (err as Error).message;
          if (m.includes("OWN_INVITE")) throw new MatchmakingError("OWN_INVITE", "you cannot accept your own invite");
          if (m.includes("NO_INVITE")) throw new MatchmakingError("NO_INVITE", "no open invite with that code");
          throw err;
        }
        const h = (await read(host)) as Record<string, string>;
        try {
          const gameId = await opts.pair({
            game: h.game as GameKind,
            timeControl: h.timeControl,
            mode: "invite",
            playerIds: [h.playerId, playerId],
          });
          await settle(host, "matched", gameId);
          opts.log.info({ gameId, code }, "invite accepted");
          return { gameId };
        } catch (err) {
          await redis
            .multi()
            .hset(tkey(host), "status", "waiting")
            .set(key, host, "EX", TICKET_TTL_S)
            .exec()
            .catch(() => {});
          if (err instanceof MatchmakingError) throw err;
          opts.log.error({ err }, "could not create the invited game");
          throw new MatchmakingError("UNAVAILABLE", "could not create the game; try again");
        }
      });
    },

    poll(ticketId, playerId, waitMs) {
      return r(async () => {
        let wake: () => void = () => {};
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        // Register before reading, so a match published in between is not missed.
        const set = waiters.get(ticketId) ?? new Set();
        set.add(wake);
        waiters.set(ticketId, set);
        try {
          let h = await read(ticketId);
          if (!h || h.playerId !== playerId) throw new MatchmakingError("NO_TICKET", "no such ticket");
          if ((h.status === "waiting" || h.status === "pairing") && waitMs > 0) {
            await redis.hset(tkey(ticketId), "aliveUntil", String(Date.now() + waitMs + staleAfterMs));
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
            clearTimeout(timer);
            h = (await read(ticketId)) ?? h;
          }
          await redis.hset(tkey(ticketId), "aliveUntil", String(Date.now() + staleAfterMs));
          return view(ticketId, h);
        } finally {
          set.delete(wake);
          if (set.size === 0) waiters.delete(ticketId);
        }
      });
    },

    cancel(ticketId, playerId) {
      return r(async () => {
        const h = await read(ticketId);
        if (!h || h.playerId !== playerId) throw new MatchmakingError("NO_TICKET", "no such ticket");
        const status = (await redis.eval(
          SETTLE_IF_WAITING,
          2,
          tkey(ticketId),
          qkey(h.game, h.timeControl),
          "cancelled",
          ticketId,
        )) as string;
        if (status === "cancelled") {
          if (h.inviteCode) await redis.del(`${P}i:${h.inviteCode}`);
          await redis.publish(EVENTS, ticketId);
        }
        return view(ticketId, { ...h, status });
      });
    },

    close() {
      for (const set of waiters.values()) for (const w of set) w();
      redis.disconnect();
      sub.disconnect();
    },
  };
}
