/**
 * Cluster matchmaker: queues, tickets and invite codes live in Redis, so every
 * node sees them and two players whose requests reach different nodes meet.
 *
 * Quick play is batched per node (quickPairing.ts): the requests that arrive
 * while a scan is in flight go to Redis together in one Lua script, which
 * enqueues them and pairs off every live waiting ticket at once. The node
 * whose scan made a pair creates the game and settles both tickets in one
 * more script; the partner's node learns of it through one pub/sub message
 * that wakes its long-polling waiter (one subscriber per node, fanned out in
 * process: ticketEvents.ts). No player can be taken twice: a ticket is moved to
 * "pairing" inside the script that removed it from the queue.
 *
 * Redis keys (prefix `tabula:mm:`): `t:<ticket>` hash, `p:<player>` current
 * ticket, `q:<game>|<tc>` FIFO list of waiting tickets, `i:<code>` invite →
 * ticket. Tickets expire after an hour; a waiting ticket whose owner stopped
 * polling is skipped (`staleAfterMs`). A ticket taken into "pairing" by a
 * node that then died goes back to waiting after `pairingTimeoutMs` (its own
 * long-poll notices, gives it back and has its queue scanned again), so nobody
 * waits for a game that will never be made. The keys, scripts and the ticket's
 * life are in redisTickets.ts and quickScripts.ts.
 */
import { randomBytes } from "node:crypto";
import { GAMES, type GameKind } from "@tabula/shared/rules";
import { connectRedis, reportRedisErrors } from "../cluster/redis.ts";
import { ClientError } from "../errors.ts";
import type { RedisTarget } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { type InviteInfo, type InviteUnlock, type Matchmaker, MatchmakingError, type PairingHandler } from "./matchmaker.ts";
import { newInviteCode } from "./memoryMatchmaker.ts";
import { createQuickPairer } from "./quickPairing.ts";
import { defineQuickCommands } from "./quickScripts.ts";
import { defineRatedCommands } from "./ratedScripts.ts";
import { createTicketEvents } from "./ticketEvents.ts";
import {
  EVENTS,
  fieldsOf,
  ikey,
  keysOf,
  P,
  qkey,
  SETTLE_IF_WAITING,
  SETTLE_PAIRED,
  TAKE_INVITE,
  TICKET_TTL_S,
  ticketView,
  tkey,
  UNPAIR,
} from "./redisTickets.ts";

export interface RedisMatchmakerOptions {
  /** Where Redis is (a URL, or through Sentinel). */
  redis: RedisTarget;
  pair: PairingHandler;
  playerName: (playerId: string) => Promise<string>;
  log: Logger;
  /** A waiting ticket not polled for this long is skipped and expires, ms (default 30 s). */
  staleAfterMs?: number;
  /**
   * How long the node that took a partner may take to create the game, ms (default 10 s; it
   * takes milliseconds). Past it, the partner's ticket goes back to waiting: its node died.
   */
  pairingTimeoutMs?: number;
  /** Clock, epoch ms (default Date.now). */
  now?: () => number;
  /** Where quick-play waits and Redis errors are counted (optional). */
  metrics?: Pick<Metrics, "matchmakingWaitSeconds" | "redisErrors">;
}

export function createRedisMatchmaker(opts: RedisMatchmakerOptions): Matchmaker {
  const staleAfterMs = opts.staleAfterMs ?? 30_000;
  const pairingTimeoutMs = opts.pairingTimeoutMs ?? 10_000;
  const now = opts.now ?? Date.now;
  // Fail fast when Redis is down: matchmaking answers 503 instead of hanging.
  const redisOptions = { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, lazyConnect: false };
  const redis = defineRatedCommands(defineQuickCommands(connectRedis(opts.redis, redisOptions)));
  reportRedisErrors(redis, opts.log, "matchmaking");
  redis.on("error", () => opts.metrics?.redisErrors.inc({ client: "matchmaker" }));
  const events = createTicketEvents(opts.redis, EVENTS, redisOptions, opts.log);
  const pairer = createQuickPairer({
    redis,
    pair: opts.pair,
    log: opts.log,
    now,
    pairingTimeoutMs,
    staleAfterMs,
    metrics: opts.metrics,
  });

  async function r<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      // A refusal meant for the client (the matchmaker's own, or a private invite's password) goes as is.
      if (err instanceof ClientError) throw err;
      throw new MatchmakingError("UNAVAILABLE", "matchmaking is temporarily unavailable (Redis); try again shortly");
    }
  }

  /** Mark the partner `id` (taken by `pairedBy`) matched; false when it had moved on meanwhile. */
  async function settlePaired(id: string, pairedBy: string, gameId: string): Promise<boolean> {
    const h = (await read(id)) ?? { game: "", timeControl: "" };
    const done = await redis.eval(SETTLE_PAIRED, 3, ...keysOf(id, h), id, pairedBy, gameId, String(TICKET_TTL_S), EVENTS);
    return done === 1;
  }

  /**
   * Give the "pairing" ticket `id` back to waiting: ours (`pairedBy`, after a failure), or anyone's
   * past its deadline. Returns the status after.
   */
  async function unpair(id: string, h: Record<string, string>, pairedBy: string): Promise<string> {
    const status = (await redis.eval(
      UNPAIR,
      3,
      ...keysOf(id, h),
      id,
      pairedBy,
      pairedBy ? "0" : String(now()),
      String(TICKET_TTL_S),
    )) as string;
    if (status === "waiting" && h.status === "pairing")
      opts.log.info({ ticket: id, late: !pairedBy }, "pairing abandoned; ticket waits again");
    return status;
  }

  async function read(id: string): Promise<Record<string, string> | null> {
    const h = await redis.hgetall(tkey(id));
    return h?.status ? h : null;
  }

  async function newInvite(playerId: string, game: GameKind, timeControl: string, passwordHash?: string) {
    const previous = await redis.get(`${P}p:${playerId}`);
    if (previous) {
      const prev = await read(previous);
      if (prev?.status === "waiting") {
        await redis.eval(
          SETTLE_IF_WAITING,
          2,
          tkey(previous),
          qkey(prev.game, prev.timeControl, prev.rated === "1"),
          "cancelled",
          previous,
        );
        await redis.publish(EVENTS, previous);
        if (prev.inviteCode) await redis.del(ikey(prev.inviteCode));
      }
    }
    const id = randomBytes(12).toString("base64url");
    const fields = {
      playerId,
      playerName: await opts.playerName(playerId),
      game,
      timeControl,
      kind: "invite",
      status: "waiting",
      aliveUntil: String(now() + staleAfterMs),
      // A private invite's Argon2id hash (never the password): checked at acceptance, copied to the game row.
      ...(passwordHash ? { passwordHash } : {}),
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
    quickPlay(playerId, game, timeControl, rated) {
      return r(async () => {
        const o = await pairer.enqueue(playerId, game, timeControl, rated);
        if (o.status === "failed") {
          if (o.stage === "redis") throw o.error;
          if (o.error instanceof MatchmakingError) throw o.error;
          opts.log.error({ err: o.error }, "could not create the paired game");
          throw new MatchmakingError("UNAVAILABLE", "could not create the game; try again");
        }
        const h: Record<string, string> = { game, timeControl, status: o.status, ...(rated ? { rated: "1" } : {}) };
        if (o.status === "matched") h.gameId = o.gameId;
        return ticketView(o.id, h);
      });
    },

    createInvite(playerId, game, timeControl, passwordHash) {
      return r(async () => {
        const { id, fields } = await newInvite(playerId, game, timeControl, passwordHash);
        for (let attempt = 0; attempt < 10; attempt++) {
          const code = newInviteCode();
          if (await redis.set(ikey(code), id, "EX", TICKET_TTL_S, "NX")) {
            await redis.hset(tkey(id), "inviteCode", code);
            return ticketView(id, { ...fields, inviteCode: code });
          }
        }
        throw new MatchmakingError("UNAVAILABLE", "could not allocate an invite code");
      });
    },

    inviteInfo(code) {
      return r(async () => {
        const id = await redis.get(ikey(code.toUpperCase()));
        if (!id) return null;
        const h = await read(id);
        if (h?.status !== "waiting") return null;
        return {
          code: code.toUpperCase(),
          game: h.game as GameKind,
          timeControl: h.timeControl,
          host: { name: h.playerName },
          passwordRequired: Boolean(h.passwordHash),
        } satisfies InviteInfo;
      });
    },

    acceptInvite(playerId, code, unlock?: InviteUnlock) {
      return r(async () => {
        const key = ikey(code.toUpperCase());
        const pairedBy = `invite:${randomBytes(9).toString("base64url")}`;
        // The password is checked against the ticket the code names now, and only that ticket may be taken.
        const expected = await redis.get(key);
        const open = expected ? await read(expected) : null;
        if (open?.status !== "waiting") throw new MatchmakingError("NO_INVITE", "no open invite with that code");
        if (open.playerId === playerId) throw new MatchmakingError("OWN_INVITE", "you cannot accept your own invite");
        if (unlock) await unlock(open.passwordHash ?? null);
        else if (open.passwordHash) throw new MatchmakingError("PASSWORD_REQUIRED", "this invite needs its password");
        let host: string;
        try {
          host = (await redis.eval(
            TAKE_INVITE,
            1,
            key,
            playerId,
            `${P}t:`,
            String(now() + pairingTimeoutMs),
            pairedBy,
            expected as string,
          )) as string;
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
            ...(h.passwordHash ? { passwordHash: h.passwordHash } : {}),
          });
          if (!(await settlePaired(host, pairedBy, gameId))) {
            opts.log.warn({ gameId, host }, "paired too late: the host's ticket had moved on");
          }
          opts.log.info({ gameId, code }, "invite accepted");
          return { gameId };
        } catch (err) {
          await unpair(host, h, pairedBy).catch(() => {});
          if (err instanceof MatchmakingError) throw err;
          opts.log.error({ err }, "could not create the invited game");
          throw new MatchmakingError("UNAVAILABLE", "could not create the game; try again");
        }
      });
    },

    poll(ticketId, playerId, waitMs) {
      return r(async () => {
        const end = Date.now() + waitMs;
        for (;;) {
          // Listen before reading, so a match published in between is not missed.
          const event = events.listen(ticketId);
          try {
            const left = end - Date.now();
            const t = now();
            const flat = await redis.pollTicket(
              tkey(ticketId),
              ticketId,
              playerId,
              String(t),
              String(t + Math.max(0, left) + staleAfterMs),
              P,
              String(TICKET_TTL_S),
            );
            if (!flat) throw new MatchmakingError("NO_TICKET", "no such ticket");
            const h = fieldsOf(flat);
            if (h.requeued) {
              opts.log.info({ ticket: ticketId }, "pairing abandoned past its deadline; ticket waits again");
              if (!h.inviteCode) pairer.kick(h.game as GameKind, h.timeControl, h.rated === "1");
            }
            if ((h.status !== "waiting" && h.status !== "pairing") || left <= 0) return ticketView(ticketId, h);
            // A "pairing" ticket is looked at again at its deadline, to be given back if its node died.
            const pairingLeft = Number(h.pairingUntil) - now() + 25;
            await event.wait(h.status === "pairing" ? Math.min(left, Math.max(0, pairingLeft)) : left);
          } finally {
            event.stop();
          }
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
          qkey(h.game, h.timeControl, h.rated === "1"),
          "cancelled",
          ticketId,
        )) as string;
        if (status === "cancelled") {
          if (h.inviteCode) await redis.del(ikey(h.inviteCode));
          await redis.publish(EVENTS, ticketId);
        }
        return ticketView(ticketId, { ...h, status });
      });
    },

    async queued() {
      const queues = Object.values(GAMES).flatMap((g) => g.timeControls.map((tc) => ({ game: g.id, timeControl: tc.id })));
      const pipeline = redis.pipeline();
      // Rated and casual queues of one game and time control are counted together.
      for (const q of queues) pipeline.llen(qkey(q.game, q.timeControl)).llen(qkey(q.game, q.timeControl, true));
      const lengths = (await pipeline.exec()) ?? [];
      return queues.map((q, i) => {
        let waiting = 0;
        for (const [err, n] of [lengths[2 * i], lengths[2 * i + 1]].map((l) => l ?? [new Error("no reply"), 0])) {
          if (err) throw err;
          waiting += Number(n);
        }
        return { ...q, waiting };
      });
    },

    close() {
      pairer.close();
      events.close();
      redis.disconnect();
    },
  };
}
