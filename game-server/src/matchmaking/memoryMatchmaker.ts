/**
 * Single-node matchmaker: queues and invites in this process's memory.
 * Pairing is done under a per-queue promise chain so two concurrent requests
 * can never take the same waiting ticket.
 */
import { randomBytes } from "node:crypto";
import type { GameKind } from "@tabula/shared/rules";
import type { TicketResponse, TicketStatus } from "@tabula/shared/protocol";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import {
  type InviteInfo,
  type InviteUnlock,
  type Matchmaker,
  MatchmakingError,
  type PairingHandler,
  type RatedSeek,
} from "./matchmaker.ts";
import { pairOff } from "./ratingWindow.ts";

interface Ticket {
  id: string;
  playerId: string;
  playerName: string;
  game: GameKind;
  timeControl: string;
  kind: "quick" | "invite";
  status: TicketStatus;
  gameId?: string;
  inviteCode?: string;
  /** A private invite's password hash (Argon2id). */
  passwordHash?: string;
  /** Last time the owner asked about the ticket (epoch ms); stale tickets are dropped, not paired. */
  lastSeen: number;
  /** When it was made (epoch ms): its wait is measured from here. */
  queuedAt: number;
  /** Set for rated quick play: the player's rating and whom to avoid. */
  rated?: RatedSeek;
  waiters: Set<() => void>;
}

/** Invite-code alphabet: no 0/O, 1/I/L. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

export function newInviteCode(): string {
  const bytes = randomBytes(6);
  return Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
}

export interface MemoryMatchmakerOptions {
  pair: PairingHandler;
  playerName: (playerId: string) => Promise<string>;
  log: Logger;
  /** A waiting ticket not polled for this long is dropped (its owner went away), ms. */
  staleAfterMs?: number;
  /** Finished tickets are forgotten after this long, ms. */
  retainMs?: number;
  /** The clock staleness is measured with (epoch ms); tests pass a fake one. Default: Date.now. */
  now?: () => number;
  /** Where quick-play waits are observed (optional). */
  metrics?: Pick<Metrics, "matchmakingWaitSeconds">;
}

export function createMemoryMatchmaker(opts: MemoryMatchmakerOptions): Matchmaker {
  const staleAfterMs = opts.staleAfterMs ?? 30_000;
  const retainMs = opts.retainMs ?? 120_000;
  const now = opts.now ?? Date.now;
  const tickets = new Map<string, Ticket>();
  const byPlayer = new Map<string, Ticket>();
  const invites = new Map<string, Ticket>();
  const queues = new Map<string, Ticket[]>();
  let lock: Promise<unknown> = Promise.resolve();

  /** Run `fn` after every earlier pairing decision (one at a time). */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = lock.then(fn, fn);
    lock = run.catch(() => {});
    return run;
  }

  function view(t: Ticket): TicketResponse {
    return {
      ticket: t.id,
      status: t.status,
      game: t.game,
      timeControl: t.timeControl,
      ...(t.gameId ? { gameId: t.gameId } : {}),
      ...(t.inviteCode ? { inviteCode: t.inviteCode } : {}),
      ...(t.rated ? { rated: true } : {}),
    };
  }

  /** A quick-play queue's key: casual and rated games wait apart. */
  const queueKey = (game: string, timeControl: string, rated: boolean) => `${game}|${timeControl}${rated ? "|rated" : ""}`;
  const alive = (t: Ticket, at: number) => t.status === "waiting" && (t.waiters.size > 0 || at - t.lastSeen <= staleAfterMs);

  /**
   * Pair off rated queue `key` (ratingWindow.ts pairOff: longest waiting first, within both windows, never a
   * blocked pair). A pair whose game cannot be made goes back to the queue; the error is thrown once the scan is done.
   */
  async function pairRated(key: string): Promise<void> {
    const q = queues.get(key) ?? [];
    const at = now();
    const seekers = q
      .filter((t) => alive(t, at))
      .map((t) => ({ ...(t.rated as RatedSeek), playerId: t.playerId, since: t.queuedAt, t }));
    let failure: unknown;
    for (const [a, b] of pairOff(seekers, at)) {
      for (const s of [a, b]) q.splice(q.indexOf(s.t), 1);
      try {
        const playerIds: [string, string] = [a.playerId, b.playerId];
        const gameId = await opts.pair({ game: a.t.game, timeControl: a.t.timeControl, mode: "quick", playerIds, rated: true });
        for (const s of [a, b]) {
          settle(s.t, "matched", gameId);
          opts.metrics?.matchmakingWaitSeconds.observe({ game: s.t.game }, (now() - s.t.queuedAt) / 1000);
        }
        opts.log.info({ gameId, game: a.t.game, timeControl: a.t.timeControl, rated: true }, "quick play paired");
      } catch (err) {
        q.unshift(a.t, b.t);
        failure = err;
      }
    }
    if (failure) throw failure;
  }

  function settle(t: Ticket, status: TicketStatus, gameId?: string): void {
    t.status = status;
    if (gameId) t.gameId = gameId;
    const q = queues.get(queueKey(t.game, t.timeControl, t.rated !== undefined));
    if (q) {
      const i = q.indexOf(t);
      if (i >= 0) q.splice(i, 1);
    }
    if (t.inviteCode) invites.delete(t.inviteCode);
    if (byPlayer.get(t.playerId) === t) byPlayer.delete(t.playerId);
    for (const w of t.waiters) w();
    t.waiters.clear();
    setTimeout(() => tickets.delete(t.id), retainMs).unref();
  }

  async function newTicket(playerId: string, game: GameKind, timeControl: string, kind: Ticket["kind"]): Promise<Ticket> {
    const previous = byPlayer.get(playerId);
    if (previous && previous.status === "waiting") settle(previous, "cancelled");
    const t: Ticket = {
      id: randomBytes(12).toString("base64url"),
      playerId,
      playerName: await opts.playerName(playerId),
      game,
      timeControl,
      kind,
      status: "waiting",
      lastSeen: now(),
      queuedAt: now(),
      waiters: new Set(),
    };
    tickets.set(t.id, t);
    byPlayer.set(playerId, t);
    return t;
  }

  // Every 5 s (timer time), expire the waiting tickets nobody polls any more.
  const sweeper = setInterval(() => {
    const at = now();
    for (const t of tickets.values()) {
      if (t.status === "waiting" && t.waiters.size === 0 && at - t.lastSeen > staleAfterMs) {
        opts.log.debug({ ticket: t.id }, "dropping stale ticket");
        settle(t, "expired");
      }
    }
  }, 5_000);
  sweeper.unref();

  // Every second, pair the rated queues again: windows widen as players wait (10 points a second).
  const widener = setInterval(() => {
    for (const [key, q] of queues)
      if (key.endsWith("|rated") && q.length > 1)
        void exclusive(() => pairRated(key)).catch((err) => opts.log.warn({ err }, "rated pairing failed"));
  }, 1_000);
  widener.unref();

  function owned(ticketId: string, playerId: string): Ticket {
    const t = tickets.get(ticketId);
    if (!t || t.playerId !== playerId) throw new MatchmakingError("NO_TICKET", "no such ticket");
    return t;
  }

  return {
    quickPlay(playerId, game, timeControl, rated) {
      return exclusive(async () => {
        const t = await newTicket(playerId, game, timeControl, "quick");
        const key = queueKey(game, timeControl, rated !== undefined);
        const q = queues.get(key) ?? [];
        queues.set(key, q);
        if (rated) {
          t.rated = rated;
          q.push(t);
          try {
            await pairRated(key);
          } catch (err) {
            if (t.status === "matched") return view(t);
            settle(t, "cancelled");
            throw err;
          }
          return view(t);
        }
        const at = now();
        const partner = q.find((o) => o.playerId !== playerId && alive(o, at));
        if (!partner) {
          q.push(t);
          return view(t);
        }
        // Take the partner out of the queue before the (async) game creation.
        q.splice(q.indexOf(partner), 1);
        try {
          const gameId = await opts.pair({ game, timeControl, mode: "quick", playerIds: [partner.playerId, playerId] });
          settle(partner, "matched", gameId);
          settle(t, "matched", gameId);
          for (const s of [partner, t]) opts.metrics?.matchmakingWaitSeconds.observe({ game }, (now() - s.queuedAt) / 1000);
          opts.log.info({ gameId, game, timeControl }, "quick play paired");
        } catch (err) {
          q.unshift(partner);
          settle(t, "cancelled");
          throw err;
        }
        return view(t);
      });
    },

    async createInvite(playerId, game, timeControl, passwordHash) {
      const t = await newTicket(playerId, game, timeControl, "invite");
      if (passwordHash) t.passwordHash = passwordHash;
      let code = newInviteCode();
      while (invites.has(code)) code = newInviteCode();
      t.inviteCode = code;
      invites.set(code, t);
      return view(t);
    },

    async inviteInfo(code) {
      const t = invites.get(code.toUpperCase());
      if (t?.status !== "waiting") return null;
      return {
        code: t.inviteCode as string,
        game: t.game,
        timeControl: t.timeControl,
        host: { name: t.playerName },
        passwordRequired: t.passwordHash !== undefined,
      } satisfies InviteInfo;
    },

    async acceptInvite(playerId, code, unlock?: InviteUnlock) {
      const open = (): Ticket => {
        const t = invites.get(code.toUpperCase());
        if (t?.status !== "waiting") throw new MatchmakingError("NO_INVITE", "no open invite with that code");
        if (t.playerId === playerId) throw new MatchmakingError("OWN_INVITE", "you cannot accept your own invite");
        return t;
      };
      // The password is checked outside the pairing lock (a verification takes ~25 ms), then the
      // invite must still be the same open one.
      const checked = open();
      if (unlock) await unlock(checked.passwordHash ?? null);
      else if (checked.passwordHash) throw new MatchmakingError("PASSWORD_REQUIRED", "this invite needs its password");
      return exclusive(async () => {
        const t = open();
        if (t !== checked) throw new MatchmakingError("NO_INVITE", "no open invite with that code");
        invites.delete(t.inviteCode as string);
        try {
          const gameId = await opts.pair({
            game: t.game,
            timeControl: t.timeControl,
            mode: "invite",
            playerIds: [t.playerId, playerId],
            ...(t.passwordHash ? { passwordHash: t.passwordHash } : {}),
          });
          settle(t, "matched", gameId);
          opts.log.info({ gameId, code }, "invite accepted");
          return { gameId };
        } catch (err) {
          invites.set(t.inviteCode as string, t);
          throw err;
        }
      });
    },

    async poll(ticketId, playerId, waitMs) {
      const t = owned(ticketId, playerId);
      t.lastSeen = now();
      if (t.status === "waiting" && waitMs > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            t.waiters.delete(done);
            resolve();
          };
          const timer = setTimeout(done, waitMs);
          t.waiters.add(done);
        });
        t.lastSeen = now();
      }
      return view(t);
    },

    async cancel(ticketId, playerId) {
      return exclusive(async () => {
        const t = owned(ticketId, playerId);
        if (t.status === "waiting") settle(t, "cancelled");
        return view(t);
      });
    },

    async queued() {
      // Rated and casual queues of one game and time control are counted together.
      const counts = new Map<string, { game: GameKind; timeControl: string; waiting: number }>();
      for (const [key, q] of queues) {
        const [game, timeControl] = key.split("|") as [GameKind, string];
        const c = counts.get(`${game}|${timeControl}`) ?? { game, timeControl, waiting: 0 };
        c.waiting += q.filter((t) => t.status === "waiting").length;
        counts.set(`${game}|${timeControl}`, c);
      }
      return [...counts.values()];
    },

    close() {
      clearInterval(sweeper);
      clearInterval(widener);
      for (const t of tickets.values()) for (const w of t.waiters) w();
    },
  };
}
