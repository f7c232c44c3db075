/**
 * Quick play on one node of a cluster: the quick-play requests that reach this
 * node are gathered per queue and handed to Redis in one scan
 * (ENQUEUE_AND_PAIR) — all of them enqueued and every waiting ticket paired
 * off, in one round trip — so a burst of N arrivals costs a few scans, not N.
 * While a scan is in flight the next requests gather for the following one.
 * The games of a scan's pairs are made in parallel, and each pair is settled
 * in one more round trip (SETTLE_PAIR), which also wakes both long polls.
 * Rated queues (ratedScripts.ts) are scanned the same way, by the rating
 * window, and scanned again every second while they hold two or more waiting
 * tickets: the windows widen with the wait, so pairs appear with no arrival.
 */
import { randomBytes } from "node:crypto";
import type { GameKind } from "@tabula/shared/rules";
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { PairingHandler, RatedSeek } from "./matchmaker.ts";
import type { QuickCommands } from "./quickScripts.ts";
import type { RatedCommands } from "./ratedScripts.ts";
import { EVENTS, P, qkey, SETTLE_IF_WAITING, TICKET_TTL_S, tkey, UNPAIR } from "./redisTickets.ts";

/** Most tickets handed to one scan (bounds one script's run time in Redis). */
const MAX_BATCH = 500;

/** What became of a new ticket by the time its scan (and, if paired, its game) was done. */
export type QuickOutcome = { id: string } & (
  | { status: "matched"; gameId: string }
  | { status: "waiting" }
  | { status: "failed"; stage: "redis" | "create"; error: unknown }
);

export interface QuickPairer {
  /**
   * Queue a new ticket for `playerId` (cancelling their previous waiting one), in the rated queue with `rated`;
   * resolves once its scan and game are done.
   */
  enqueue(playerId: string, game: GameKind, timeControl: string, rated?: RatedSeek): Promise<QuickOutcome>;
  /** Scan queue (game, timeControl, rated or not) with no new ticket: a ticket came back to it. */
  kick(game: GameKind, timeControl: string, rated?: boolean): void;
  /** Refuse what is still gathering (shutdown). */
  close(): void;
}

interface Request {
  id: string;
  playerId: string;
  done: (o: QuickOutcome) => void;
  /** When it reached the matchmaker (performance.now(), ms). */
  at: number;
  /** Set in a rated queue. */
  seek?: RatedSeek;
}

interface Queue {
  game: GameKind;
  timeControl: string;
  pending: Request[];
  running: boolean;
  /** A scan is wanted even with nothing pending (kick). */
  again: boolean;
  rated: boolean;
  /** Tickets the last scan left waiting (rated queues are scanned again each second while 2 or more). */
  waiting: number;
}

/** How often a rated queue with two or more waiting tickets is scanned again, ms (windows widen 10 points a second). */
const RATED_RESCAN_MS = 1_000;

export function createQuickPairer(deps: {
  redis: Redis & QuickCommands & RatedCommands;
  pair: PairingHandler;
  log: Logger;
  now: () => number;
  pairingTimeoutMs: number;
  staleAfterMs: number;
  /** Where quick-play waits are observed (optional). */
  metrics?: Pick<Metrics, "matchmakingWaitSeconds">;
}): QuickPairer {
  const { redis, log } = deps;
  const queues = new Map<string, Queue>();
  // pairedBy tokens: this node's, then the scan's number (a ticket is settled only by the scan that took it).
  const nodeToken = randomBytes(6).toString("base64url");
  let scans = 0;
  let closed = false;

  function queueOf(game: GameKind, timeControl: string, rated: boolean): Queue {
    const key = qkey(game, timeControl, rated);
    let q = queues.get(key);
    if (!q) {
      q = { game, timeControl, pending: [], running: false, again: false, rated, waiting: 0 };
      queues.set(key, q);
    }
    return q;
  }

  const rescan = setInterval(() => {
    for (const q of queues.values()) if (q.rated && q.waiting >= 2) schedule(q);
  }, RATED_RESCAN_MS);
  rescan.unref();

  function schedule(q: Queue) {
    if (q.running) {
      q.again = true;
      return;
    }
    q.running = true;
    // The rest of this turn's arrivals join the same scan.
    setImmediate(() => void drain(q));
  }

  async function drain(q: Queue) {
    try {
      do {
        q.again = false;
        await scan(q, q.pending.splice(0, MAX_BATCH));
      } while (q.pending.length > 0 || q.again);
    } finally {
      q.running = false;
    }
  }

  async function scan(q: Queue, batch: Request[]) {
    const queue = qkey(q.game, q.timeControl, q.rated);
    const token = `${nodeToken}:${++scans}`;
    const t = deps.now();
    let made: string[];
    let expired: number;
    const args = [
      ...[P, String(t), String(t + deps.pairingTimeoutMs), token, String(TICKET_TTL_S), q.game, q.timeControl],
      ...[String(t + deps.staleAfterMs), EVENTS],
    ];
    try {
      if (q.rated) {
        const tickets = batch.flatMap((r) => [r.id, r.playerId, String(r.seek?.rating ?? 1500), (r.seek?.avoid ?? []).join(" ")]);
        [made, expired, q.waiting] = await redis.ratedEnqueueAndPair(queue, ...args, ...tickets);
      } else {
        [made, expired] = await redis.enqueueAndPair(queue, ...args, ...batch.flatMap((r) => [r.id, r.playerId]));
      }
    } catch (error) {
      for (const r of batch) r.done({ id: r.id, status: "failed", stage: "redis", error });
      return;
    }
    if (expired) log.debug({ expired, queue }, "stale tickets dropped from the queue");
    const ours = new Map(batch.map((r) => [r.id, r]));
    for (let i = 0; i + 5 < made.length; i += 6) {
      const a = { id: made[i]!, playerId: made[i + 1]!, queuedAt: Number(made[i + 2]), request: ours.get(made[i]!) };
      const b = { id: made[i + 3]!, playerId: made[i + 4]!, queuedAt: Number(made[i + 5]), request: ours.get(made[i + 3]!) };
      ours.delete(a.id);
      ours.delete(b.id);
      void makeGame(q, token, a, b);
    }
    for (const r of ours.values()) r.done({ id: r.id, status: "waiting" });
  }

  /** `queuedAt`: when the ticket entered its queue (epoch ms; 0: unknown). */
  type Side = { id: string; playerId: string; queuedAt: number; request?: Request };

  /** Make the game of pair (a, b) taken by scan `token`, settle both tickets, answer the requests of this node among them. */
  async function makeGame(q: Queue, token: string, a: Side, b: Side) {
    const queue = qkey(q.game, q.timeControl, q.rated);
    const t0 = performance.now();
    let gameId: string;
    try {
      const playerIds: [string, string] = [a.playerId, b.playerId];
      gameId = await deps.pair({ game: q.game, timeControl: q.timeControl, mode: "quick", playerIds, rated: q.rated });
    } catch (error) {
      // No game: the requesters waiting here get the error (their tickets cancelled); a partner who
      // queued earlier goes back to the head of the queue (b first, so that a ends up ahead of it).
      for (const s of [b, a]) {
        await giveBack(s, queue, token).catch(() => {});
        s.request?.done({ id: s.id, status: "failed", stage: "create", error });
      }
      return;
    }
    const createMs = Math.round(performance.now() - t0);
    try {
      const settled = await redis.settlePair(
        tkey(a.id),
        tkey(b.id),
        queue,
        a.id,
        b.id,
        token,
        gameId,
        String(TICKET_TTL_S),
        EVENTS,
      );
      if (settled === 1) {
        // How long this node's requester(s) spent in the matchmaker (queue, scan, game, settle), ms.
        const since = [a, b].flatMap((s) => (s.request ? [s.request.at] : []));
        const matchmakerMs = since.length ? Math.round(performance.now() - Math.min(...since)) : undefined;
        log.info(
          { gameId, game: q.game, timeControl: q.timeControl, rated: q.rated, createMs, matchmakerMs },
          "quick play paired",
        );
        const at = deps.now();
        for (const s of [a, b])
          if (s.queuedAt > 0) deps.metrics?.matchmakingWaitSeconds.observe({ game: q.game }, (at - s.queuedAt) / 1000);
        for (const s of [a, b]) s.request?.done({ id: s.id, status: "matched", gameId });
      } else {
        // Past the pairing deadline one of them was paired again: this game gets no first move and is aborted.
        log.warn({ gameId, createMs }, "paired too late: a ticket had moved on; the other waits again");
        for (const s of [a, b]) s.request?.done({ id: s.id, status: "waiting" });
      }
    } catch (error) {
      // Redis failed after the game was made: both tickets stay "pairing" until their deadline, then wait again.
      for (const s of [a, b]) s.request?.done({ id: s.id, status: "failed", stage: "redis", error });
    }
  }

  /** After a failed game: the ticket goes back to waiting at the head of its queue; cancelled if its requester is here. */
  async function giveBack(s: Side, queue: string, token: string) {
    await redis.eval(UNPAIR, 3, tkey(s.id), queue, "", s.id, token, "0", String(TICKET_TTL_S));
    if (s.request) await redis.eval(SETTLE_IF_WAITING, 2, tkey(s.id), queue, "cancelled", s.id);
  }

  return {
    enqueue(playerId, game, timeControl, rated) {
      const id = randomBytes(12).toString("base64url");
      if (closed) return Promise.resolve({ id, status: "failed", stage: "redis", error: new Error("closed") });
      const q = queueOf(game, timeControl, rated !== undefined);
      return new Promise((done) => {
        q.pending.push({ id, playerId, done, at: performance.now(), ...(rated ? { seek: rated } : {}) });
        schedule(q);
      });
    },
    kick(game, timeControl, rated = false) {
      if (!closed) schedule(queueOf(game, timeControl, rated));
    },
    close() {
      closed = true;
      clearInterval(rescan);
      for (const q of queues.values())
        for (const r of q.pending.splice(0)) r.done({ id: r.id, status: "failed", stage: "redis", error: new Error("closed") });
    },
  };
}
