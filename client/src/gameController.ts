/**
 * One live game, without the DOM: its room session, its GameModel (the one
 * source of truth), the move in flight (drawn optimistically), the clock
 * anchor, and the one resync rule. The screen (gameScreen.ts) draws from
 * `model`/`shownView` whenever `changed` is called. Unit-tested with a fake
 * session.
 *
 * The resync rule, the only place a `sync` is asked for: whenever the
 * server's log and ours disagree — a `moved` with a gap or a move our rules
 * refuse or name differently, an error STALE_PLY, any error answering our
 * move, our move left unanswered, a reconnection with a move in flight — ask
 * for one full snapshot and rebuild from it. Asked once: not again until a
 * snapshot (or a new connection) arrives.
 *
 * Also here: the premove (one move queued during the opponent's turn, played
 * the moment the turn comes if legal then: premove.ts), the sounds of real
 * events (sounds.ts decides which), the claim of a win against an opponent
 * who stayed away, and the notice that the opponent declined our offer.
 */
import type { ErrorMessage, GameSnapshot, MovedMessage, OfferDeclinedMessage } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { type ClockAnchor, remainingAt } from "./clock.ts";
import { GameModel } from "./gameModel.ts";
import { t } from "./i18n/index.ts";
import { Premove, premoveCandidates } from "./premove.ts";
import { roomErrorText } from "./roomErrors.ts";
import type { ConnectionState, SessionHandlers } from "./session.ts";
import { SoundCues, type SoundName, sounds } from "./sounds.ts";
import type { BoardViewModel } from "./views.ts";

/** A move sent and not yet answered (drawn as if played). */
export interface PendingMove {
  ply: number;
  move: string;
  view: unknown;
  sentAt: number;
}

/** Failed re-joins of an active game before the API is asked whether the game is over. */
export const RECORD_CHECK_AFTER_ATTEMPTS = 3;

/** A move left this long without an answer is given up, and the position asked for, ms. */
export const PENDING_MOVE_TIMEOUT_MS = 8000;

/** What the controller needs of a room session (session.ts's GameSession). */
export interface SessionLike {
  start(): Promise<void>;
  send(type: "move", payload: { ply: number; move: string }): boolean;
  send(type: "sync" | "resign" | "abort" | "claimWin", payload: Record<string, never>): boolean;
  send(type: "draw" | "rematch", payload: { action: "offer" | "accept" | "decline" }): boolean;
  leave(): Promise<void>;
}

export interface GameControllerDeps {
  /** Open the room session, wired to these handlers. */
  openSession(gameId: string, spectate: boolean, handlers: SessionHandlers): SessionLike;
  /** The game's final record (GET /api/games/:id), to stop re-joining a game that is over. */
  gameRecord(gameId: string): Promise<{
    game: { status: GameSnapshot["status"]; result: GameSnapshot["result"] };
    moves: GameSnapshot["moves"];
  }>;
  /** Something changed: redraw. `animate`: a move by the other side just arrived. */
  changed(animate: boolean): void;
  /** The connection changed (banner). */
  connection(state: ConnectionState): void;
  /** Tell the user (a refused move, a resync…). */
  notify(text: string, kind: "info" | "error"): void;
  /** The players agreed to a rematch: open that game. */
  rematch(gameId: string): void;
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** Play a sound (default: the page's SoundPlayer, muted or not). */
  sound?: (name: SoundName) => void;
}

/** The opponent declined our offer: which, and when (epoch ms), for the notice. */
export interface Declined {
  offer: OfferDeclinedMessage["offer"];
  at: number;
}

export class GameController {
  readonly gameId: string;
  readonly spectate: boolean;
  private readonly deps: GameControllerDeps;
  private readonly now: () => number;
  private readonly session: SessionLike;
  private current: GameModel | null = null;
  private pendingMove: PendingMove | null = null;
  private clockAnchor: ClockAnchor | null = null;
  private latency: number | null = null;
  private conn: ConnectionState = "connecting";
  private syncAsked = false;
  private rematchFollowed = false;
  private readonly queued = new Premove();
  private readonly cues: SoundCues;
  private lastDeclined: Declined | null = null;

  constructor(gameId: string, spectate: boolean, deps: GameControllerDeps) {
    this.gameId = gameId;
    this.spectate = spectate;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.cues = new SoundCues(deps.sound ?? ((name) => sounds.play(name)));
    this.session = deps.openSession(gameId, spectate, {
      snapshot: (s, at) => this.onSnapshot(s, at),
      moved: (m, at) => this.onMoved(m, at),
      error: (e) => this.onError(e),
      offerDeclined: (d) => this.onOfferDeclined(d),
      connection: (state) => this.onConnection(state),
      latency: (ms) => {
        this.latency = ms;
        this.deps.changed(false);
      },
      retryFailed: (_err, attempt) => this.keepTrying(attempt),
    });
  }

  /** Join the room. Rejects if the game cannot be joined. */
  start(): Promise<void> {
    return this.session.start();
  }

  /** Leave the room for good. */
  leave(): Promise<void> {
    return this.session.leave();
  }

  get model(): GameModel | null {
    return this.current;
  }

  get pending(): PendingMove | null {
    return this.pendingMove;
  }

  get anchor(): ClockAnchor | null {
    return this.clockAnchor;
  }

  get latencyMs(): number | null {
    return this.latency;
  }

  get connection(): ConnectionState {
    return this.conn;
  }

  /** The board drawn now: the move in flight, else the position. */
  shownView(): unknown {
    return this.pendingMove?.view ?? this.current?.view() ?? null;
  }

  /** Whether the viewer may move right now (their turn, nothing in flight, connected). */
  get canMoveNow(): boolean {
    const m = this.current;
    return !!m && m.seat !== null && m.toMove === m.seat && !this.pendingMove && this.conn === "connected";
  }

  /** Whether the viewer may queue a premove now: a player, the game on, the opponent's turn (or our move in flight). */
  get canPremoveNow(): boolean {
    const m = this.current;
    if (!m || m.seat === null || !m.active || m.toMove === null || this.canMoveNow) return false;
    return m.toMove !== m.seat || this.pendingMove !== null;
  }

  /** The seat the board takes input for: ours on our turn and while a premove may be queued, else null. */
  get inputSeat(): Seat | null {
    return this.canMoveNow || this.canPremoveNow ? (this.current?.seat ?? null) : null;
  }

  /** The queued premove, or null. */
  get premove(): string | null {
    return this.queued.move;
  }

  /** The opponent's latest refusal of one of our offers, or null. */
  get declined(): Declined | null {
    return this.lastDeclined;
  }

  /** Moves to offer on the board now: the legal moves on our turn, the premove candidates during theirs, else none. */
  legalMoves(): string[] {
    if (this.canMoveNow) return this.current!.legalMoves();
    if (this.canPremoveNow) return premoveCandidates(this.shownView() as BoardViewModel, this.current!.seat!);
    return [];
  }

  /** Drop the queued premove (a click elsewhere, a right-click); whether there was one. */
  cancelPremove(): boolean {
    const had = this.queued.cancel();
    if (had) this.deps.changed(false);
    return had;
  }

  /** Claim the win against an opponent who stayed away past the reconnection window; false when not connected. */
  claimWin(): boolean {
    return this.session.send("claimWin", {});
  }

  /**
   * Play `move`: checked with the shared rules, drawn at once, sent with the ply it follows. During the
   * opponent's turn it is queued as the premove instead ("queued"), played when our turn comes.
   */
  play(move: string): "sent" | "queued" | "illegal" | "not-now" | "offline" {
    const m = this.current;
    if (m && this.canPremoveNow) {
      this.queued.set(move);
      this.deps.changed(false);
      return "queued";
    }
    if (!m || !this.canMoveNow) return "not-now";
    const preview = m.preview(move);
    if (!preview) return "illegal";
    const ply = m.ply;
    if (!this.session.send("move", { ply, move })) return "offline";
    this.pendingMove = { ply, move, view: preview.view, sentAt: this.now() };
    this.deps.changed(false);
    return "sent";
  }

  /** resign / abort / draw / rematch: false when not connected. */
  send(type: "resign" | "abort"): boolean;
  send(type: "draw" | "rematch", action: "offer" | "accept" | "decline"): boolean;
  send(type: "resign" | "abort" | "draw" | "rematch", action?: "offer" | "accept" | "decline"): boolean {
    return type === "draw" || type === "rematch" ? this.session.send(type, { action: action! }) : this.session.send(type, {});
  }

  /** Called periodically (the screen's ticker): gives up a move left unanswered, warns of low time. */
  tick(): void {
    this.checkLowTime();
    const p = this.pendingMove;
    if (p && this.conn === "connected" && this.now() - p.sentAt > PENDING_MOVE_TIMEOUT_MS) {
      this.pendingMove = null;
      this.resync();
      this.deps.changed(false);
    }
  }

  // -------------------------------------------------------------------------
  // Inbound

  private onSnapshot(s: GameSnapshot, receivedAt: number): void {
    if (s.gameId !== this.gameId) return;
    const prev = this.current;
    let next: GameModel;
    try {
      next = GameModel.fromSnapshot(s);
    } catch (err) {
      // Our rules refuse the server's log: a client/server version mismatch. Keep what we had.
      console.error(err);
      this.deps.notify(t("play:cannotShow"), "error");
      return;
    }
    this.cues.snapshot(prev, next);
    if (!next.active) this.queued.cancel();
    this.syncAsked = false;
    this.current = next;
    this.clockAnchor = { clocks: s.clocks, receivedAt, transitMs: this.transit() };
    if (this.pendingMove && next.ply > this.pendingMove.ply) this.pendingMove = null;
    const animate = !!prev && next.ply === prev.ply + 1 && this.lastMoveIsTheirs();
    if (!this.playPremove()) this.deps.changed(animate);
    if (s.rematchGameId && !this.rematchFollowed) {
      this.rematchFollowed = true;
      this.deps.rematch(s.rematchGameId);
    }
  }

  private onMoved(msg: MovedMessage, receivedAt: number): void {
    const m = this.current;
    if (!m) return;
    const folded = m.fold(msg);
    if (folded === "resync") {
      this.resync();
      return;
    }
    if (folded === "ignored") return;
    this.clockAnchor = { clocks: msg.clocks, receivedAt, transitMs: this.transit() };
    this.cues.moved(m.kind, msg.record.san, !m.active);
    if (!m.active) this.queued.cancel();
    const p = this.pendingMove;
    const wasMine = p !== null && p.ply === msg.record.ply && p.move === msg.record.move;
    if (p && msg.record.ply >= p.ply) this.pendingMove = null;
    const animate = !wasMine && this.lastMoveIsTheirs();
    // Our premove goes now; the opponent's move is still drawn (animated) first.
    if (animate) this.deps.changed(true);
    if (!this.playPremove() && !animate) this.deps.changed(false);
  }

  /** Our turn came with a premove queued: play it if legal now (else it is dropped). Whether one was sent. */
  private playPremove(): boolean {
    if (this.queued.move === null || !this.canMoveNow) return false;
    const move = this.queued.take(this.current!.legalMoves());
    return move !== null && this.play(move) === "sent";
  }

  private onOfferDeclined(d: OfferDeclinedMessage): void {
    if (d.gameId !== this.gameId) return;
    this.lastDeclined = { offer: d.offer, at: this.now() };
    this.deps.notify(d.offer === "draw" ? t("play:drawDeclined") : t("play:rematchDeclined"), "info");
    this.deps.changed(false);
  }

  /** Our running clock dropped under the low-time threshold: one sound per game. */
  private checkLowTime(): void {
    const m = this.current;
    const a = this.clockAnchor;
    if (!m || !a || m.seat === null || !m.active || a.clocks.running !== m.seat) return;
    this.cues.clock(m.gameId, remainingAt(a, this.now())[m.seat], m.info.timeControl.initialMs);
  }

  private onError(e: ErrorMessage): void {
    const answersMove = e.inReplyTo === "move";
    if (answersMove && this.pendingMove) {
      this.pendingMove = null;
      this.deps.changed(false);
    }
    if (e.code === "STALE_PLY") {
      this.deps.notify(t("play:staleMove"), "info");
      this.resync();
      return;
    }
    this.deps.notify(roomErrorText(e), "error");
    if (answersMove) this.resync();
  }

  private onConnection(state: ConnectionState): void {
    this.conn = state;
    if (state === "connected") {
      // A new connection gets a snapshot (join) or asks for one (SDK reconnect): a new resync may be needed.
      this.syncAsked = false;
      // Whether our move arrived before the drop, only the next snapshot tells.
      if (this.pendingMove) this.resync();
    }
    this.deps.connection(state);
    this.deps.changed(false);
  }

  /** The resync rule (see the file comment): one `sync` until the snapshot it asks for arrives. */
  private resync(): void {
    if (this.syncAsked) return;
    if (this.session.send("sync", {})) this.syncAsked = true;
  }

  /**
   * After a failed re-join: stop once the game is known to be over (and show
   * how it ended). The first attempts of a game that was active do not ask:
   * a failover takes a few seconds, and every request then competes for the
   * page's few connections (some of which hang on the node that went away).
   */
  private async keepTrying(attempt: number): Promise<"retry" | "stop"> {
    const m = this.current;
    if (!m) return "retry";
    if (m.active && attempt < RECORD_CHECK_AFTER_ATTEMPTS) return "retry";
    try {
      const rec = await this.deps.gameRecord(this.gameId);
      if (rec.game.status !== "active") {
        if (m.active) {
          m.finish({ status: rec.game.status, result: rec.game.result, moves: rec.moves });
          this.pendingMove = null;
          this.clockAnchor = this.clockAnchor && { ...this.clockAnchor, clocks: m.clocks };
          this.deps.changed(false);
        }
        return "stop";
      }
    } catch {
      // The API is unreachable too: keep trying.
    }
    return m.active || attempt < 3 ? "retry" : "stop";
  }

  private transit(): number {
    return this.latency === null ? 0 : Math.round(this.latency / 2);
  }

  private lastMoveIsTheirs(): boolean {
    const m = this.current!;
    const last = m.moves[m.moves.length - 1];
    return !!last && last.seat !== m.seat;
  }
}
