/**
 * One playing bot: a guest that quick-plays, joins its game with the SDK,
 * plays it (session.ts), and after the game follows a rematch or queues
 * again. When it loses its game's room unexpectedly — the node died, moved
 * the game, or went silent — it joins the same game again by id with
 * overlapping attempts (liveness.ts) until the new owner answers. Once the run
 * phase is over it stops queueing.
 */
import { tokenOf } from "./sdk.ts";
import type { Client, Room } from "@colyseus/sdk";
import type { TicketResponse } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";
import { timeControlOf } from "./args.ts";
import { cancelTicket, gameStatus, HttpFailure, pollTicket, quickPlay, Stopped } from "./http.ts";
import { rejoinOverlapping } from "./liveness.ts";
import {
  addressOfRoom,
  asJoinFailure,
  backoffMs,
  type BotContext,
  botLife,
  closeRoom,
  joinRoom,
  REJOIN_ATTEMPT_TIMEOUT_MS,
  ROOM_GONE_CODES,
  signIn,
  sleep,
} from "./rooms.ts";
import { GameSession, type SessionEnd } from "./session.ts";

/** Long-poll length for matchmaking tickets, seconds. */
const TICKET_WAIT_S = 20;
/** Rejoining a game after an unexpected disconnect is given up after this long. */
const REJOIN_GIVE_UP_MS = 120_000;

export class PlayerBot {
  readonly name: string;
  readonly game: GameKind;
  private readonly ctx: BotContext;
  private readonly startDelayMs: number;
  private client: Client | null = null;
  /** Consecutive HTTP failures: the retry delay doubles with each (server down: do not spin). */
  private failures = 0;

  constructor(ctx: BotContext, name: string, game: GameKind, startDelayMs: number) {
    this.ctx = ctx;
    this.name = name;
    this.game = game;
    this.startDelayMs = startDelayMs;
  }

  run(): Promise<void> {
    return botLife(this.ctx, this.name, this.startDelayMs, async (client) => {
      const { ctx } = this;
      this.client = client;
      while (!ctx.stopSignal.aborted) {
        if (!this.client) {
          this.client = await signIn(ctx, this.name); // the token was refused (e.g. the database was reset)
          if (!this.client) break;
        }
        let next = await this.queue();
        const played = next !== null;
        // Set while rejoining after an unexpected disconnect: when the room was lost.
        let lostAt: number | null = null;
        while (next && !ctx.killSignal.aborted) {
          const end = await this.play(next, lostAt);
          lostAt = end.rejoin ? end.leftAt : null;
          next = end.next;
        }
        if (played && !ctx.stopSignal.aborted) ctx.metrics.count("requeues");
      }
    });
  }

  private get token(): string {
    return tokenOf(this.client!);
  }

  /** Quick-play and wait to be matched. The game id, or null (failure: retried by the caller; or the run is over). */
  private async queue(): Promise<string | null> {
    const { ctx } = this;
    const m = ctx.metrics;
    const token = this.token;
    const started = performance.now();
    let ticket: TicketResponse;
    try {
      m.count("quickPlays");
      ticket = await quickPlay(ctx.base, token, this.game, timeControlOf(ctx.config, this.game), ctx.stopSignal);
    } catch (err) {
      if (!(err instanceof Stopped)) await this.httpFailed(err);
      return null;
    }
    m.queued++;
    try {
      while (ticket.status === "waiting" && !ctx.stopSignal.aborted) {
        ticket = await pollTicket(ctx.base, token, ticket.ticket, TICKET_WAIT_S, ctx.stopSignal);
      }
    } catch (err) {
      if (!(err instanceof Stopped)) {
        await this.httpFailed(err);
        return null;
      }
    } finally {
      m.queued--;
    }
    if (ticket.status === "waiting") {
      // The run is over: withdraw. If we were matched meanwhile, join to abort the game cleanly.
      try {
        const t = await cancelTicket(ctx.base, token, ticket.ticket);
        return t.status === "matched" && t.gameId ? t.gameId : null;
      } catch (err) {
        m.httpError(err);
        return null;
      }
    }
    if (ticket.status === "matched" && ticket.gameId) {
      this.failures = 0;
      m.count("matched");
      if (!ctx.stopSignal.aborted) m.matchmakingWait.push(performance.now() - started);
      return ticket.gameId;
    }
    m.error(`matchmaking_${ticket.status}`);
    return null;
  }

  private async httpFailed(err: unknown): Promise<void> {
    const m = this.ctx.metrics;
    m.httpError(err);
    if (err instanceof HttpFailure && err.status === 401) this.client = null;
    this.failures++;
    await sleep(backoffMs(this.failures), this.ctx.stopSignal);
  }

  /**
   * Join `gameId` and play until the game (and its rematch offer) is over.
   * `lostAt` is set when this is a rejoin after losing the game's room.
   */
  private async play(gameId: string, lostAt: number | null): Promise<SessionEnd> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.count(lostAt === null ? "joins" : "rejoins");
    const t0 = performance.now();
    let room: Room | null;
    if (lostAt === null) {
      try {
        room = await joinRoom(this.client!, gameId, {});
      } catch (err) {
        const f = asJoinFailure(err);
        if (f.code === 4401) this.client = null;
        m.error(f.kind);
        this.failures++;
        await sleep(backoffMs(this.failures), ctx.stopSignal);
        return { next: null, rejoin: false, joined: false, leftAt: Date.now() };
      }
      m.joinMs.push(performance.now() - t0);
    } else {
      room = await this.rejoin(gameId, lostAt);
      if (!room) return { next: null, rejoin: false, joined: false, leftAt: Date.now() };
      m.rejoinGap.push(Date.now() - lostAt);
    }
    const addr = addressOfRoom(room);
    m.roomJoined(gameId, addr.node, "player", addr.processId);
    m.socketOpened();
    return new GameSession(ctx, this.name, room, gameId, addr.node).done;
  }

  /**
   * Back into `gameId` after losing its room at `lostAt`: overlapping join
   * attempts until one reaches the game's current node. Failed attempts are
   * expected while the game moves (counted, not errors); null once the game is
   * over, the token is refused, the run is killed, or after 120 s (an error).
   */
  private async rejoin(gameId: string, lostAt: number): Promise<Room | null> {
    const { ctx } = this;
    const m = ctx.metrics;
    let ended = false;
    try {
      return await rejoinOverlapping(
        () => joinRoom(this.client!, gameId, {}, REJOIN_ATTEMPT_TIMEOUT_MS),
        (late) => closeRoom(late),
        {
          giveUpMs: Math.max(0, REJOIN_GIVE_UP_MS - (Date.now() - lostAt)),
          signal: ctx.killSignal,
          onFailure: async (err) => {
            const f = asJoinFailure(err);
            m.count("rejoinAttemptsFailed");
            if (f.code === 4401) return false;
            if (f.code !== null && ROOM_GONE_CODES.has(f.code)) {
              // No room: being rebuilt on another node, or the game is over.
              const status = await gameStatus(ctx.base, gameId);
              ended = status !== "active" && status !== null;
              return !ended;
            }
            return true;
          },
        },
      );
    } catch (err) {
      if (ctx.killSignal.aborted || ended) return null;
      const f = asJoinFailure(err);
      if (f.code === 4401) {
        this.client = null;
        m.error("rejoin_join_4401");
      } else m.error("rejoin_gave_up");
      return null;
    }
  }
}
