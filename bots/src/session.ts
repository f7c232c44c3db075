/**
 * One joined game room of a player bot, from the first snapshot to leaving it:
 * keeps the rules state from the seed and the `moved` messages, moves after a
 * think time and measures each round trip, watches the server's heartbeat,
 * resigns (or aborts) a game still going once the run is winding down, and
 * after the game accepts or offers a rematch.
 */
import type { Room } from "@colyseus/sdk";
import { CLOSE_CODES, type ErrorMessage, type GameSnapshot, type MovedMessage } from "@tabula/shared/protocol";
import { type GameResult, getGame } from "@tabula/shared/rules";
import { DEFAULT_HEARTBEAT, dropRoom, type HeartbeatWatch, watchHeartbeat } from "./liveness.ts";
import { Position } from "./position.ts";
import { Rematch } from "./rematch.ts";
import { between, type BotContext, closeRoom, MOVE_TIMEOUT_MS, NORMAL_CLOSE } from "./rooms.ts";

/** How long to wait for a rematch after the game before re-queueing. */
export const REMATCH_WAIT_MS = 3000;
/** A move refused this many times at the same ply makes the bot resign (a bug, reported as errors). */
const MAX_REFUSALS_PER_PLY = 3;
/** A joined room that sends no snapshot within this is given up. */
const SNAPSHOT_TIMEOUT_MS = 10_000;

export interface SessionEnd {
  /** The game to join next: a rematch, the same game to rejoin, or null (re-queue). */
  next: string | null;
  /** `next` is the same game, to be joined again after losing its room. */
  rejoin: boolean;
  /** Whether the room was joined at all. */
  joined: boolean;
  /** When the room was lost (for rejoin: the gap until we are back). */
  leftAt: number;
}

/** One joined game room, from the first snapshot to leaving it. */
export class GameSession {
  readonly done: Promise<SessionEnd>;
  private resolve!: (end: SessionEnd) => void;
  private readonly ctx: BotContext;
  private readonly name: string;
  private readonly room: Room;
  private readonly gameId: string;
  private readonly node: string;

  /** Our copy of the position; null until the first snapshot. */
  private pos: Position | null = null;
  private active = true;
  private phase: "play" | "over" | "closed" = "play";
  private pending: { ply: number; sentAt: number; timer: NodeJS.Timeout } | null = null;
  private refusals = { ply: -1, count: 0 };
  private windingDown = false;
  private rematch: Rematch | null = null;
  private left = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private thinkTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: HeartbeatWatch;
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

    // Rejoining by id (bot.ts) finds the game wherever it lives now; the SDK would retry the same node.
    room.reconnection.enabled = false;
    this.heartbeat = watchHeartbeat(room, DEFAULT_HEARTBEAT, () => this.onSilent());
    room.onMessage("snapshot", (s: GameSnapshot) => {
      this.heartbeat.heard();
      this.onSnapshot(s);
    });
    room.onMessage("moved", (msg: MovedMessage) => {
      this.heartbeat.heard();
      this.onMoved(msg);
    });
    room.onMessage("error", (e: ErrorMessage) => {
      this.heartbeat.heard();
      this.onError(e);
    });
    room.onLeave((code: number) => this.onLeave(code));
    this.later(() => {
      if (this.pos) return;
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
    this.heartbeat.stop();
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
    if (!this.pos) {
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
      this.pos = new Position(def, s.you.seat);
      m.gameStarted(this.gameId, s.kind, s.mode, this.node);
      if (this.ctx.stopSignal.aborted) this.stopped();
    }
    this.heartbeat.update(s.heartbeat ?? DEFAULT_HEARTBEAT);
    if (this.pos.differs(s)) {
      const problem = this.pos.reset(s);
      if (problem) m.error(problem);
    }
    // Our move was committed but its `moved` never reached us (e.g. lost in a reconnection).
    if (this.pending && s.ply > this.pending.ply) this.clearPending();
    this.active = s.status === "active";
    if (!this.active) this.over(s.result, s);
    else this.schedule();
  }

  private onMoved(msg: MovedMessage): void {
    if (this.phase === "closed" || !this.pos) return;
    const m = this.ctx.metrics;
    const rec = msg.record;
    const problem = this.pos.advance(rec);
    if (problem) {
      m.error(problem);
      this.room.send("sync", {});
    }
    const p = this.pending;
    if (p && rec.ply >= p.ply) {
      if (rec.ply === p.ply && rec.seat === this.pos.seat) {
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
    if (code === CLOSE_CODES.GAME_MOVED) m.disconnect(`moved_${code}`);
    else if (!NORMAL_CLOSE.has(code)) {
      m.disconnect(`leave_${code}`);
      m.error(`disconnect_${code}`);
    }
    // Still our game on the server: join it again by id with the same token (the
    // matchmaker routes us to its current node). Also during the grace period, to resign it.
    if (this.active && this.phase === "play") this.finish(this.gameId, true);
    else this.finish(null);
  }

  /** No pong and no message for heartbeat.timeoutMs: the node stalled. Drop it and rejoin the game's new owner. */
  private onSilent(): void {
    if (this.phase === "closed") return;
    const m = this.ctx.metrics;
    m.disconnect("silent");
    m.error("disconnect_silent");
    this.left = true;
    m.socketClosed();
    dropRoom(this.room);
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
    if (!this.pos?.ourTurn) return;
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
    const pos = this.pos;
    if (!pos?.ourTurn) return;
    const ply = pos.ply;
    let move: string;
    try {
      move = pos.choose(this.name);
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
    if (this.phase !== "play" || !this.pos) return;
    const at = this.ctx.resignAt(this.pos.seat);
    this.later(() => this.windDown(), Math.max(0, at - Date.now()));
  }

  private windDown(): void {
    if (this.phase !== "play" || !this.active || this.windingDown) return;
    this.windingDown = true;
    if (this.thinkTimer) clearTimeout(this.thinkTimer);
    this.thinkTimer = null;
    const action = this.pos?.myMoves === 0 ? "abort" : "resign";
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
    if (s && this.phase === "over" && this.pos) {
      this.rematch ??= new Rematch(this.pos.seat, (action) => this.room.send("rematch", { action }));
      const next = this.rematch.seen(s);
      if (next) {
        this.ctx.metrics.count("rematchesFollowed");
        this.finish(next);
      }
    }
  }

  private offerRematch(): void {
    if (this.phase !== "over" || !this.pos) return;
    if (this.ctx.stopSignal.aborted) {
      this.finish(null);
      return;
    }
    this.rematch ??= new Rematch(this.pos.seat, (action) => this.room.send("rematch", { action }));
    this.rematch.offer();
  }
}
