/**
 * One playing bot: a guest that quick-plays, joins its game with the SDK,
 * plays legal moves chosen by the shared rules after a think time, measures
 * each move's round trip, and after the game accepts or offers a rematch
 * (else re-queues). Once the run phase is over it stops queueing, and resigns
 * (or aborts) a game still going a few seconds into the grace period.
 */
import { Client, type Room } from "@colyseus/sdk";
import type { ErrorMessage, GameSnapshot, MovedMessage, TicketResponse } from "@tabula/shared/protocol";
import {
  chooseBotMove,
  createRng,
  getGame,
  replay,
  type GameDefinition,
  type GameKind,
  type GameResult,
  type Seat,
} from "@tabula/shared/rules";
import { timeControlOf } from "./args.ts";
import { cancelTicket, gameStatus, HttpFailure, pollTicket, quickPlay, Stopped } from "./http.ts";
import {
  addressOfRoom,
  between,
  type BotContext,
  closeRoom,
  JoinFailure,
  joinRoom,
  backoffMs,
  GAME_MOVED,
  MOVE_TIMEOUT_MS,
  NORMAL_CLOSE,
  obtainToken,
  SDK_RECONNECT_RETRIES,
  sleep,
} from "./rooms.ts";

/** How long to wait for a rematch after the game before re-queueing. */
export const REMATCH_WAIT_MS = 3000;
/** Long-poll length for matchmaking tickets, seconds. */
const TICKET_WAIT_S = 20;
/** Rejoining a game after an unexpected disconnect is given up after this long. */
const REJOIN_GIVE_UP_MS = 120_000;

/** A move refused this many times at the same ply makes the bot resign (a bug, reported as errors). */
const MAX_REFUSALS_PER_PLY = 3;
/** A joined room that sends no snapshot within this is given up. */
const SNAPSHOT_TIMEOUT_MS = 10_000;

interface SessionEnd {
  /** The game to join next: a rematch, the same game to rejoin, or null (re-queue). */
  next: string | null;
  /** `next` is the same game, to be joined again after an unexpected disconnect. */
  rejoin: boolean;
  /** Whether the room was joined at all. */
  joined: boolean;
  /** When the room was lost (for rejoin: the gap until we are back). */
  leftAt: number;
}

export class PlayerBot {
  readonly name: string;
  readonly game: GameKind;
  private readonly ctx: BotContext;
  private readonly startDelayMs: number;
  private token: string | null = null;
  private client: Client | null = null;
  /** Consecutive HTTP failures: the retry delay doubles with each (server down: do not spin). */
  private failures = 0;

  constructor(ctx: BotContext, name: string, game: GameKind, startDelayMs: number) {
    this.ctx = ctx;
    this.name = name;
    this.game = game;
    this.startDelayMs = startDelayMs;
  }

  async run(): Promise<void> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.activeBots++;
    try {
      await sleep(this.startDelayMs, ctx.stopSignal);
      while (!ctx.stopSignal.aborted) {
        if (!this.token) {
          this.token = await obtainToken(ctx, this.name);
          if (!this.token) break;
          this.client = new Client(ctx.base);
          this.client.auth.token = this.token;
        }
        let next = await this.queue();
        const played = next !== null;
        // While rejoining after an unexpected disconnect: since when, and how many tries.
        let lostAt: number | null = null;
        let attempt = 0;
        while (next && !ctx.killSignal.aborted) {
          const end = await this.play(next, lostAt);
          if (end.joined) lostAt = null;
          if (end.rejoin) {
            if (lostAt === null) {
              lostAt = end.leftAt;
              attempt = 0;
            }
            if (Date.now() - lostAt > REJOIN_GIVE_UP_MS) {
              m.error("rejoin_gave_up");
              break;
            }
            // The first try is immediate: a moved game is usually ready on its new node at once.
            if (attempt > 0) await sleep(backoffMs(attempt), ctx.killSignal);
            attempt++;
          }
          next = end.next;
        }
        if (played && !ctx.stopSignal.aborted) m.count("requeues");
      }
    } catch (err) {
      m.error("bot_crash");
      if (ctx.config.verbose) console.error(`${this.name}:`, err);
    } finally {
      m.activeBots--;
    }
  }

  /** Quick-play and wait to be matched. The game id, or null (failure: retried by the caller; or the run is over). */
  private async queue(): Promise<string | null> {
    const { ctx } = this;
    const m = ctx.metrics;
    const token = this.token!;
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
    if (err instanceof HttpFailure && err.status === 401) this.token = null; // e.g. the database was reset
    this.failures++;
    await sleep(backoffMs(this.failures), this.ctx.stopSignal);
  }

  /**
   * Join `gameId` and play until the game (and its rematch offer) is over.
   * `lostAt` is set when this is a rejoin after an unexpected disconnect.
   */
  private async play(gameId: string, lostAt: number | null): Promise<SessionEnd> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.count(lostAt === null ? "joins" : "rejoins");
    const t0 = performance.now();
    let room: Room;
    try {
      room = await joinRoom(this.client!, gameId, {});
    } catch (err) {
      const f = err instanceof JoinFailure ? err : new JoinFailure("join_failed", String(err));
      if (f.code === 4401) this.token = null;
      if (lostAt === null) {
        m.error(f.kind);
        this.failures++;
        await sleep(backoffMs(this.failures), ctx.stopSignal);
        return { next: null, rejoin: false, joined: false, leftAt: Date.now() };
      }
      m.error(f.kind.replace(/^join_/, "rejoin_"));
      // Keep trying while the game is still on (the server holds our seat); stop once it is over.
      const status = await gameStatus(ctx.base, gameId);
      const more = status === "active" || status === null;
      return { next: more && this.token ? gameId : null, rejoin: more, joined: false, leftAt: Date.now() };
    }
    if (lostAt === null) m.joinMs.push(performance.now() - t0);
    else m.rejoinGap.push(Date.now() - lostAt);
    room.reconnection.maxRetries = SDK_RECONNECT_RETRIES;
    const addr = addressOfRoom(room);
    m.roomJoined(gameId, addr.node, "player", addr.processId);
    m.socketOpened();
    return new GameSession(ctx, this.name, room, gameId, addr.node).done;
  }
}

/** One joined game room, from the first snapshot to leaving it. */
class GameSession {
  readonly done: Promise<SessionEnd>;
  private resolve!: (end: SessionEnd) => void;
  private readonly ctx: BotContext;
  private readonly name: string;
  private readonly room: Room;
  private readonly gameId: string;
  private readonly node: string;

  private def: GameDefinition | null = null;
  private seat: Seat | null = null;
  private seed = "";
  /** Rules state after `ply` moves, kept up to date from `moved` messages. */
  private state: unknown = undefined;
  private ply = -1;
  private myMoves = 0;
  private active = true;
  private phase: "play" | "over" | "closed" = "play";
  private pending: { ply: number; sentAt: number; timer: NodeJS.Timeout } | null = null;
  private refusals = { ply: -1, count: 0 };
  private windingDown = false;
  private rematchOffer: Seat | null = null;
  private offered = false;
  private accepted = false;
  private left = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private thinkTimer: NodeJS.Timeout | null = null;
  private readonly onStop = () => this.stopped();
  private readonly onKill = () => this.finish(null);

  constructor(ctx: BotContext, name: string, room: Room, gameId: string, node: string) {
    this.ctx = ctx;
    this.name = name;
    this.room = room;
    this.gameId = gameId;
    this.node = node;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });

    room.onMessage("snapshot", (s: GameSnapshot) => this.onSnapshot(s));
    room.onMessage("moved", (msg: MovedMessage) => this.onMoved(msg));
    room.onMessage("error", (e: ErrorMessage) => this.onError(e));
    room.onLeave((code: number) => this.onLeave(code));
    room.onDrop((code: number) => {
      ctx.metrics.disconnect(`drop_${code}`);
      ctx.metrics.error(`disconnect_${code}`);
    });
    room.onReconnect(() => {
      ctx.metrics.count("reconnects");
      room.send("sync", {});
    });
    this.later(() => {
      if (this.def) return;
      ctx.metrics.error("timeout_snapshot");
      this.finish(null);
    }, SNAPSHOT_TIMEOUT_MS);
    if (ctx.killSignal.aborted) queueMicrotask(this.onKill);
    ctx.killSignal.addEventListener("abort", this.onKill, { once: true });
    ctx.stopSignal.addEventListener("abort", this.onStop, { once: true });
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private finish(next: string | null, rejoin = false): void {
    const leftAt = Date.now();
    if (this.phase === "closed") return;
    this.phase = "closed";
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.thinkTimer) clearTimeout(this.thinkTimer);
    if (this.pending) clearTimeout(this.pending.timer);
    this.ctx.killSignal.removeEventListener("abort", this.onKill);
    this.ctx.stopSignal.removeEventListener("abort", this.onStop);
    if (!this.left) {
      this.left = true;
      this.ctx.metrics.socketClosed();
      closeRoom(this.room);
    }
    this.resolve({ next, rejoin, joined: true, leftAt });
  }

  // ------------------------------------------------------------------ inbound

  private onSnapshot(s: GameSnapshot): void {
    if (this.phase === "closed") return;
    const m = this.ctx.metrics;
    if (!this.def) {
      const def = getGame(s.kind);
      if (!def) {
        m.error("protocol_unknown_game");
        this.finish(null);
        return;
      }
      if (s.you.role !== "player") {
        m.error("join_not_seated");
        this.finish(null);
        return;
      }
      this.def = def;
      this.seat = s.you.seat;
      m.gameStarted(this.gameId, s.kind, s.mode, this.node);
      if (this.ctx.stopSignal.aborted) this.stopped();
    }
    if (this.state === undefined || s.ply !== this.ply || s.seed !== this.seed) this.rebuild(s);
    // Our move was committed but its `moved` never reached us (e.g. lost in a reconnection).
    if (this.pending && s.ply > this.pending.ply) this.clearPending();
    this.active = s.status === "active";
    if (!this.active) this.over(s.result, s);
    else this.schedule();
  }

  /** Replay the game from its seed with the shared rules. */
  private rebuild(s: GameSnapshot): void {
    const replayed = replay(
      this.def!,
      s.seed,
      s.moves.map((rec) => rec.move),
    );
    if (!replayed.ok) this.ctx.metrics.error("desync_replay");
    const state = replayed.ok ? replayed.state : this.def!.setup(s.seed);
    const mine = s.moves.filter((rec) => rec.seat === this.seat).length;
    if (s.moves.length !== s.ply) this.ctx.metrics.error("protocol_moves_ply_mismatch");
    this.seed = s.seed;
    this.state = state;
    this.ply = s.moves.length;
    this.myMoves = mine;
  }

  private onMoved(msg: MovedMessage): void {
    if (this.phase === "closed" || !this.def) return;
    const m = this.ctx.metrics;
    const rec = msg.record;
    if (rec.ply === this.ply) {
      const r = this.def.apply(this.state, rec.move, rec.seat);
      if (r.ok) {
        this.state = r.state;
        this.ply++;
        if (rec.seat === this.seat) this.myMoves++;
      } else {
        m.error("desync_apply");
        this.room.send("sync", {});
      }
    } else if (rec.ply > this.ply) {
      m.error("desync_gap");
      this.room.send("sync", {});
    }
    const p = this.pending;
    if (p && rec.ply >= p.ply) {
      if (rec.ply === p.ply && rec.seat === this.seat) {
        m.moveRtt.push(performance.now() - p.sentAt);
        m.count("moves");
        if (m.running) m.count("movesInRun");
      }
      this.clearPending();
    }
    this.active = msg.status === "active";
    if (!this.active) this.over(msg.result, null);
    else this.schedule();
  }

  private onError(e: ErrorMessage): void {
    if (this.phase === "closed") return;
    const m = this.ctx.metrics;
    const what = e.inReplyTo ?? "room";
    // Races that are part of winding down or of the game ending under our feet: not errors.
    const benign =
      e.code === "GAME_MOVED" || // followed by close 4100: we rejoin
      ((what === "resign" || what === "abort") && this.windingDown && (e.code === "GAME_OVER" || e.code === "CANNOT_ABORT")) ||
      (what === "move" && e.code === "GAME_OVER" && this.phase !== "play");
    if (benign) m.count("benignRaces");
    else m.error(`${what}_${e.code}`);
    if (what === "abort" && e.code === "CANNOT_ABORT" && this.active) this.room.send("resign", {});
    if (what === "move" && this.pending) {
      const ply = this.pending.ply;
      this.clearPending();
      if (this.refusals.ply === ply) this.refusals.count++;
      else this.refusals = { ply, count: 1 };
      if (this.refusals.count >= MAX_REFUSALS_PER_PLY && this.active) {
        m.error("gave_up_refused_moves");
        this.windingDown = true;
        this.room.send("resign", {});
        return;
      }
      this.room.send("sync", {}); // the snapshot that answers resyncs us and retries
    }
  }

  private onLeave(code: number): void {
    this.left = true;
    if (this.phase === "closed") return;
    this.ctx.metrics.socketClosed();
    const m = this.ctx.metrics;
    if (code === GAME_MOVED) m.disconnect(`moved_${code}`);
    else if (!NORMAL_CLOSE.has(code)) {
      m.disconnect(`leave_${code}`);
      m.error(`disconnect_${code}`);
    }
    // Still our game on the server: join it again by id with the same token (the
    // matchmaker routes us to its current node). Also during the grace period, to resign it.
    if (this.active && this.phase === "play") this.finish(this.gameId, true);
    else this.finish(null);
  }

  // ------------------------------------------------------------------ playing

  private clearPending(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  /** If it is our turn, think then move. */
  private schedule(): void {
    if (this.phase !== "play" || !this.active || this.pending || this.thinkTimer || this.windingDown) return;
    if (this.def!.toMove(this.state) !== this.seat) return;
    const [min, max] = this.ctx.config.thinkMs;
    this.thinkTimer = setTimeout(
      () => {
        this.thinkTimer = null;
        this.move();
      },
      between(min, max),
    );
  }

  private move(): void {
    if (this.phase !== "play" || !this.active || this.pending || this.windingDown) return;
    const def = this.def!;
    const seat = this.seat!;
    if (def.toMove(this.state) !== seat) return;
    const ply = this.ply;
    let move: string;
    try {
      move = chooseBotMove(def, this.state, seat, createRng(`${this.seed}:${ply}:${this.name}`));
    } catch {
      this.ctx.metrics.error("bot_no_move");
      return;
    }
    const timer = setTimeout(() => {
      if (this.pending?.ply !== ply) return;
      this.pending = null;
      this.ctx.metrics.error("timeout_move");
      this.room.send("sync", {});
    }, MOVE_TIMEOUT_MS);
    this.pending = { ply, sentAt: performance.now(), timer };
    this.room.send("move", { ply, move });
    this.ctx.metrics.count("movesSent");
  }

  /** The run phase ended: leave a finished game; resign (or abort) one still going at our resign time. */
  private stopped(): void {
    if (this.phase === "over") {
      this.finish(null);
      return;
    }
    if (this.phase !== "play" || this.seat === null) return;
    const at = this.ctx.resignAt(this.seat);
    this.later(() => this.windDown(), Math.max(0, at - Date.now()));
  }

  private windDown(): void {
    if (this.phase !== "play" || !this.active || this.windingDown) return;
    this.windingDown = true;
    if (this.thinkTimer) clearTimeout(this.thinkTimer);
    this.thinkTimer = null;
    const action = this.myMoves === 0 ? "abort" : "resign";
    this.ctx.metrics.count(action === "abort" ? "windDownAborts" : "windDownResigns");
    this.room.send(action, {});
  }

  // ------------------------------------------------------------------ after the game

  private over(result: GameResult | null, s: GameSnapshot | null): void {
    if (this.phase === "play") {
      this.phase = "over";
      if (this.thinkTimer) clearTimeout(this.thinkTimer);
      this.thinkTimer = null;
      this.clearPending();
      this.ctx.metrics.gameFinished(this.gameId, result?.reason ?? "unknown");
      if (this.ctx.stopSignal.aborted) {
        this.finish(null);
        return;
      }
      this.later(() => {
        this.ctx.metrics.count("rematchTimeouts");
        this.finish(null);
      }, REMATCH_WAIT_MS);
      // Give the opponent a moment to offer first, so that one of us accepts.
      this.later(() => this.offerRematch(), between(0, 500));
    }
    if (s && this.phase === "over") {
      if (s.rematchGameId) {
        this.ctx.metrics.count("rematchesFollowed");
        this.finish(s.rematchGameId);
        return;
      }
      this.rematchOffer = s.rematchOffer;
      if (s.rematchOffer !== null && s.rematchOffer !== this.seat && !this.accepted && !this.offered) {
        this.accepted = true;
        this.room.send("rematch", { action: "accept" });
      }
    }
  }

  private offerRematch(): void {
    if (this.phase !== "over" || this.offered || this.accepted || this.rematchOffer !== null) return;
    if (this.ctx.stopSignal.aborted) {
      this.finish(null);
      return;
    }
    this.offered = true;
    this.room.send("rematch", { action: "offer" });
  }
}
