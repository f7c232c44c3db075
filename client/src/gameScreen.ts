/**
 * The live game screen: one game's session, its state (snapshot + moves),
 * the board, clocks, status lines, actions, the result dialog and the
 * reconnection banner.
 */
import type { ErrorMessage, GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { type Api, errorText } from "./api.ts";
import type { BoardView } from "./boardView.ts";
import { type ClockAnchor, remainingAt, secondsUntil, serverToLocal } from "./clock.ts";
import { GAME_NAMES, SEAT_NAMES, describeResult } from "./format.ts";
import { applyMoved, controlsFor, mySeat, seatToMove } from "./gameState.ts";
import { renderCard, renderMoveList } from "./gamePanel.ts";
import { RulesTracker } from "./rulesState.ts";
import { type ConnectionState, GameSession, createClient } from "./session.ts";
import { $, copyText, setText, show, toast } from "./ui.ts";
import { glyphOf, type BoardViewModel } from "./views.ts";
import { timeControlLabelById } from "./timeControls.ts";

const CURRENT_GAME_KEY = "tabula.currentGame";

interface PendingMove {
  ply: number;
  move: string;
  view: unknown;
  sentAt: number;
}

export interface GameScreenDeps {
  api: Api;
  board: BoardView;
  /** Show the game screen (the app switches screens). */
  enter(): void;
  /** Back to the lobby (on the given tab, else the one shown last). */
  exit(tab?: "play" | "watch"): void;
}

export class GameScreen {
  private readonly deps: GameScreenDeps;
  private session: GameSession | null = null;
  private snapshot: GameSnapshot | null = null;
  private anchor: ClockAnchor | null = null;
  private pending: PendingMove | null = null;
  private readonly tracker = new RulesTracker();
  private latency: number | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private resultShownFor: string | null = null;
  private switching = false;
  private gameId: string | null = null;
  private spectating = false;
  private connection: ConnectionState = "closed";

  constructor(deps: GameScreenDeps) {
    this.deps = deps;
    this.bindControls();
  }

  /** The current snapshot (moves folded in), for the test hooks. */
  get current(): GameSnapshot | null {
    return this.snapshot;
  }

  get latencyMs(): number | null {
    return this.latency;
  }

  get active(): boolean {
    return this.session !== null;
  }

  /** Join a game (as a player, or as a spectator) and show it. Rejects if it cannot be joined. */
  async open(gameId: string, spectate = false): Promise<void> {
    await this.close();
    this.gameId = gameId;
    this.spectating = spectate;
    this.snapshot = null;
    this.pending = null;
    this.resultShownFor = null;
    this.latency = null;
    this.deps.board.handler = {
      move: (m) => this.playMove(m),
      promotion: (from, to, choices) => this.askPromotion(from, to, choices),
    };
    const client = createClient(this.deps.api.token);
    const session = new GameSession(client, gameId, spectate, {
      snapshot: (s, at) => this.onSnapshot(s, at),
      moved: (m, at) => this.onMoved(m, at),
      error: (e) => this.onError(e),
      connection: (state, detail) => this.onConnection(state, detail),
      latency: (ms) => {
        this.latency = ms;
        setText($("latency"), `${ms} ms`);
        $("latency").dataset.ms = String(ms);
      },
      retryFailed: (err, attempt) => this.shouldKeepTrying(err, attempt),
    });
    this.session = session;
    $("game-screen").dataset.mode = "live";
    this.resetPanel();
    this.deps.enter();
    // The board must exist before the first snapshot is drawn (and before tests look for it).
    await this.deps.board.ready;
    try {
      await session.start();
    } catch (err) {
      if (this.session === session) this.session = null;
      throw err;
    }
    try {
      sessionStorage.setItem(CURRENT_GAME_KEY, JSON.stringify({ gameId, spectate }));
    } catch {
      // storage unavailable: no resume after reload
    }
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.tick(), 100);
  }

  /** Leave the current game's room (if any), without changing screens. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    const s = this.session;
    this.session = null;
    this.hidePromotion();
    show($("reconnect-banner"), false);
    show($("result-dialog"), false);
    if (s) await s.leave();
    this.snapshot = null;
    this.gameId = null;
  }

  /** Back to the lobby for good (on the given tab, else the one shown last). */
  async leaveToLobby(tab?: "play" | "watch"): Promise<void> {
    try {
      sessionStorage.removeItem(CURRENT_GAME_KEY);
    } catch {
      // ignore
    }
    await this.close();
    this.deps.exit(tab);
  }

  /** A game to resume after a reload, if one was open. */
  static storedGame(): { gameId: string; spectate: boolean } | null {
    try {
      const raw = sessionStorage.getItem(CURRENT_GAME_KEY);
      if (!raw) return null;
      const v = JSON.parse(raw) as { gameId?: unknown; spectate?: unknown };
      return typeof v.gameId === "string" ? { gameId: v.gameId, spectate: v.spectate === true } : null;
    } catch {
      return null;
    }
  }

  static forgetStoredGame(): void {
    try {
      sessionStorage.removeItem(CURRENT_GAME_KEY);
    } catch {
      // ignore
    }
  }

  // -------------------------------------------------------------------------
  // Inbound

  private onSnapshot(s: GameSnapshot, receivedAt: number): void {
    if (this.gameId !== null && s.gameId !== this.gameId) return;
    const prev = this.snapshot;
    this.snapshot = s;
    this.anchor = { clocks: s.clocks, receivedAt, transitMs: this.transit() };
    if (this.pending && s.ply > this.pending.ply) this.pending = null;
    this.syncRules();
    const animate = !!prev && s.ply === prev.ply + 1 && this.isOpponentMove(s);
    this.render(animate);
    if (s.rematchGameId && !this.switching) void this.followRematch(s.rematchGameId);
  }

  private onMoved(m: MovedMessage, receivedAt: number): void {
    const s = this.snapshot;
    if (!s) return;
    const folded = applyMoved(s, m);
    if (folded.kind === "gap") {
      this.session?.send("sync", {});
      return;
    }
    if (folded.kind === "ignored") return;
    this.snapshot = folded.snapshot;
    this.anchor = { clocks: m.clocks, receivedAt, transitMs: this.transit() };
    const wasMine = this.pending !== null && this.pending.ply === m.record.ply && this.pending.move === m.record.move;
    if (this.pending && m.record.ply >= this.pending.ply) this.pending = null;
    this.syncRules();
    this.render(!wasMine && this.isOpponentMove(folded.snapshot));
  }

  private onError(e: ErrorMessage): void {
    if (e.inReplyTo === "move" && this.pending) {
      this.pending = null;
      this.render(false);
    }
    if (e.code === "STALE_PLY") {
      toast("The game moved on — position updated.", "info");
      this.session?.send("sync", {});
      return;
    }
    toast(e.message || e.code, "error");
    if (e.inReplyTo === "move") this.session?.send("sync", {});
  }

  private onConnection(state: ConnectionState, _detail?: string): void {
    this.connection = state;
    const banner = $("reconnect-banner");
    banner.dataset.state = state;
    if (state === "reconnecting") {
      setText(banner, "Connection lost — reconnecting…");
      show(banner, true);
    } else if (state === "connected") {
      show(banner, false);
      if (this.pending) {
        // The move may or may not have arrived; the snapshot after sync tells.
        this.session?.send("sync", {});
      }
    } else if (state === "closed" && this.session) {
      setText(banner, "Disconnected from this game.");
      show(banner, this.snapshot?.status === "active");
    }
    this.render(false);
  }

  /** After a failed re-join: stop once the game is known to be over. */
  private async shouldKeepTrying(_err: unknown, attempt: number): Promise<"retry" | "stop"> {
    const s = this.snapshot;
    if (!s || !this.gameId) return "retry";
    try {
      const rec = await this.deps.api.gameRecord(this.gameId);
      if (rec.game.status !== "active") {
        // The room is gone; show the final state from the record.
        if (this.snapshot && this.snapshot.status === "active") {
          this.snapshot = {
            ...this.snapshot,
            status: rec.game.status,
            result: rec.game.result,
            moves: rec.moves,
            ply: rec.moves.length,
            drawOffer: null,
          };
          this.syncRules();
          const def = this.tracker.definition;
          if (def) this.snapshot.view = def.view(this.tracker.state, mySeat(this.snapshot));
          this.anchor = this.anchor
            ? { ...this.anchor, clocks: { ...this.anchor.clocks, running: null, firstMoveDeadline: null } }
            : null;
          this.render(false);
        }
        return "stop";
      }
    } catch {
      // The API is unreachable too: keep trying.
    }
    return s.status === "active" || attempt < 3 ? "retry" : "stop";
  }

  private transit(): number {
    return this.latency === null ? 0 : Math.round(this.latency / 2);
  }

  private isOpponentMove(s: GameSnapshot): boolean {
    const last = s.moves[s.moves.length - 1];
    return !!last && last.seat !== mySeat(s);
  }

  private syncRules(): void {
    const s = this.snapshot;
    if (!s) return;
    try {
      this.tracker.sync(s.gameId, s.kind, s.seed, s.moves);
    } catch (err) {
      console.error("rules replay failed", err);
    }
  }

  private async followRematch(gameId: string): Promise<void> {
    this.switching = true;
    toast("Rematch! Colours are swapped.", "success");
    const spectate = this.spectating;
    try {
      await this.open(gameId, spectate);
    } catch (err) {
      toast(`Could not join the rematch: ${errorText(err)}`, "error");
      await this.leaveToLobby();
    } finally {
      this.switching = false;
    }
  }

  // -------------------------------------------------------------------------
  // Outbound

  private playMove(move: string): void {
    const s = this.snapshot;
    const seat = s ? mySeat(s) : null;
    if (!s || seat === null || this.pending) return;
    if (!controlsFor(s).canMove) return;
    const preview = this.tracker.previewMove(move, seat);
    if (preview === null) {
      toast("That move is not legal.", "error");
      return;
    }
    this.hidePromotion();
    this.pending = { ply: s.ply, move, view: preview, sentAt: Date.now() };
    if (!this.session?.send("move", { ply: s.ply, move })) {
      this.pending = null;
      toast("Not connected — move not sent.", "error");
    }
    this.render(false);
  }

  private sendAction(type: "resign" | "abort" | "sync"): void;
  private sendAction(type: "draw" | "rematch", action: "offer" | "accept" | "decline"): void;
  private sendAction(type: "resign" | "abort" | "sync" | "draw" | "rematch", action?: "offer" | "accept" | "decline"): void {
    const ok =
      type === "draw" || type === "rematch" ? this.session?.send(type, { action: action! }) : this.session?.send(type, {});
    if (!ok) toast("Not connected — try again in a moment.", "error");
  }

  private askPromotion(from: string, to: string, choices: readonly string[]): void {
    const s = this.snapshot;
    const picker = $("promotion-picker");
    const seat = s ? mySeat(s) : null;
    for (const btn of picker.querySelectorAll<HTMLButtonElement>("button[data-piece]")) {
      const piece = btn.dataset.piece!;
      btn.hidden = !choices.includes(piece);
      btn.textContent = glyphOf(piece);
      btn.dataset.color = seat === 1 ? "black" : "white";
      btn.onclick = () => this.playMove(`${from}${to}${piece}`);
    }
    picker.dataset.square = to;
    show(picker, true);
    // Centre it on the target square, kept inside the board area.
    const p = this.deps.board.canvasPoint("chess", to);
    const area = picker.parentElement;
    if (p && area) {
      const halfW = picker.offsetWidth / 2 + 4;
      const halfH = picker.offsetHeight / 2 + 4;
      picker.style.left = `${Math.min(Math.max(p.x, halfW), area.clientWidth - halfW)}px`;
      picker.style.top = `${Math.min(Math.max(p.y, halfH), area.clientHeight - halfH)}px`;
    }
  }

  private hidePromotion(): void {
    show($("promotion-picker"), false);
  }

  private bindControls(): void {
    $("resign").addEventListener("click", () => {
      show($("resign-confirm"), true);
      show($("resign"), false);
    });
    $("confirm-resign").addEventListener("click", () => {
      show($("resign-confirm"), false);
      this.sendAction("resign");
    });
    $("cancel-resign").addEventListener("click", () => {
      show($("resign-confirm"), false);
      this.render(false);
    });
    $("abort").addEventListener("click", () => this.sendAction("abort"));
    $("offer-draw").addEventListener("click", () => this.sendAction("draw", "offer"));
    $("accept-draw").addEventListener("click", () => this.sendAction("draw", "accept"));
    $("decline-draw").addEventListener("click", () => this.sendAction("draw", "decline"));
    $("rematch").addEventListener("click", () => {
      const s = this.snapshot;
      if (!s) return;
      this.sendAction("rematch", controlsFor(s).rematchOfferedToMe ? "accept" : "offer");
    });
    $("decline-rematch").addEventListener("click", () => this.sendAction("rematch", "decline"));
    $("back-to-lobby").addEventListener("click", () => void this.leaveToLobby(this.spectating ? "play" : undefined));
    $("watch-another").addEventListener("click", () => void this.leaveToLobby("watch"));
    // A spectator's "Stop watching" goes back to the Watch list.
    $("leave-game").addEventListener("click", () => void this.leaveToLobby(this.spectating ? "watch" : undefined));
    $("close-result").addEventListener("click", () => show($("result-dialog"), false));
    $("show-result").addEventListener("click", () => this.showResult());
    $("promote-cancel").addEventListener("click", () => {
      this.hidePromotion();
      this.deps.board.cancelInteraction();
    });
    $("copy-watch-link").addEventListener("click", async () => {
      if (!this.gameId) return;
      const url = `${location.origin}/?watch=${this.gameId}`;
      toast((await copyText(url)) ? "Spectator link copied." : url, "success");
    });
  }

  // -------------------------------------------------------------------------
  // Rendering

  private resetPanel(): void {
    setText($("game-title"), "Joining game…");
    setText($("turn-indicator"), "");
    setText($("countdown"), "");
    setText($("latency"), "");
    setText($("spectators"), "");
    $("move-list").replaceChildren();
    $("move-list").dataset.key = "";
    show($("resign-confirm"), false);
    show($("replay-controls"), false);
    show($("game-controls"), true);
  }

  /** The view drawn now: the pending (optimistic) one, else the server's. */
  private shownView(): unknown {
    return this.pending?.view ?? this.snapshot?.view;
  }

  private render(animate: boolean): void {
    const s = this.snapshot;
    if (!s) return;
    const seat = mySeat(s);
    const controls = controlsFor(s);
    const connected = this.connection === "connected";
    const canMoveNow = controls.canMove && !this.pending && connected;
    const view = this.shownView() as BoardViewModel;
    this.deps.board.show({
      kind: s.kind,
      view,
      orientation: seat ?? 0,
      moverSeat: canMoveNow ? seat : null,
      legalMoves: canMoveNow ? this.tracker.legalMoves(seat) : [],
      animate,
    });
    if (!canMoveNow) this.hidePromotion();

    setText(
      $("game-title"),
      `${GAME_NAMES[s.kind]} · ${timeControlLabelById(s.kind, s.timeControl.id)} · ${s.mode === "bot" ? "vs bot" : s.mode}${seat === null ? " · spectating" : ""}`,
    );
    // Everyone sees how many are watching (the server sends a fresh snapshot when spectators come and go).
    const spectators = $("spectators");
    setText(spectators, s.spectators > 0 ? `${s.spectators} watching` : "");
    spectators.dataset.count = String(s.spectators);
    spectators.title =
      seat === null
        ? `${s.spectators} ${s.spectators === 1 ? "spectator" : "spectators"}, you included`
        : `${s.spectators} ${s.spectators === 1 ? "spectator" : "spectators"}`;

    // Actions.
    const active = s.status === "active";
    const isPlayer = seat !== null;
    const confirming = !$("resign-confirm").hidden;
    show($("abort"), controls.canAbort);
    show($("resign"), controls.canResign && !confirming);
    if (!controls.canResign) show($("resign-confirm"), false);
    show($("offer-draw"), isPlayer && active && !controls.drawOfferedToMe);
    ($("offer-draw") as HTMLButtonElement).disabled = !controls.canOfferDraw;
    setText($("offer-draw"), controls.drawOfferedByMe ? "Draw offered…" : "Offer draw");
    show($("draw-offer"), controls.drawOfferedToMe);
    show($("show-result"), !active);
    show($("leave-game"), !isPlayer || !active);
    setText($("leave-game"), isPlayer ? "Back to lobby" : "Stop watching");
    $("game-screen").dataset.status = s.status;
    $("game-screen").dataset.role = s.you.role;

    this.renderMoves();
    this.tick();

    // The result dialog, once per game.
    if (!active && this.resultShownFor !== s.gameId) {
      this.resultShownFor = s.gameId;
      this.showResult();
    } else if (!active && !$("result-dialog").hidden) {
      this.renderResult();
    } else if (active) {
      show($("result-dialog"), false);
    }
  }

  private renderMoves(): void {
    const s = this.snapshot!;
    renderMoveList(s.moves, s.moves.length - 1);
  }

  private showResult(): void {
    this.renderResult();
    show($("result-dialog"), true);
  }

  private renderResult(): void {
    const s = this.snapshot;
    if (!s?.result) return;
    const seat = mySeat(s);
    const names: [string, string] = [s.players[0].name, s.players[1].name];
    const r = describeResult(s.result, { kind: s.kind, names, you: seat });
    const dialog = $("result-dialog");
    dialog.dataset.outcome = r.outcome;
    dialog.dataset.reason = s.result.reason;
    setText($("result-title"), r.title);
    setText($("result-detail"), r.detail);
    const c = controlsFor(s);
    // Spectators get "Watch another" / "Back to lobby" instead of a rematch.
    show($("watch-another"), seat === null);
    const rematch = $("rematch") as HTMLButtonElement;
    show(rematch, seat !== null);
    rematch.disabled = c.rematchOfferedByMe || s.rematchGameId !== null;
    setText(rematch, c.rematchOfferedToMe ? "Accept rematch" : c.rematchOfferedByMe ? "Rematch offered…" : "Rematch");
    show($("decline-rematch"), c.rematchOfferedToMe);
    const status =
      seat === null
        ? spectatorRematchStatus(s)
        : c.rematchOfferedToMe
          ? "Your opponent wants a rematch."
          : c.rematchOfferedByMe
            ? "Waiting for your opponent to accept…"
            : s.rematchGameId
              ? "Starting the rematch…"
              : "";
    setText($("rematch-status"), status);
  }

  /** Clocks and countdowns: runs every 100 ms. */
  private tick(): void {
    const s = this.snapshot;
    const anchor = this.anchor;
    if (!s || !anchor) return;
    const now = Date.now();
    const seat = mySeat(s);
    const bottom: Seat = seat ?? 0;
    const top: Seat = bottom === 0 ? 1 : 0;
    const remaining = remainingAt(anchor, now);
    const active = s.status === "active";
    const running = active ? anchor.clocks.running : null;
    const toMove = seatToMove(s);
    const statusOf = (p: Seat): string => {
      const info = s.players[p];
      if (!active || info.connected || info.reconnectDeadline === null) return "";
      const left = secondsUntil(serverToLocal(anchor, info.reconnectDeadline), now);
      return `Disconnected · ${left} s to return`;
    };
    for (const [id, p] of [
      ["player-top", top],
      ["player-bottom", bottom],
    ] as const) {
      renderCard(id, {
        name: s.players[p].name,
        isBot: s.players[p].isBot,
        seat: p,
        kind: s.kind,
        you: seat === p,
        clockMs: remaining[p],
        initialMs: s.timeControl.initialMs,
        running: running === p || (active && running === null && toMove === p),
        status: statusOf(p),
      });
      $(id).classList.toggle("clock-running", running === p);
    }

    // Turn indicator and the first-move countdown.
    const turn = $("turn-indicator");
    let turnText: string;
    let turnKey: string;
    const shownToMove = (this.pending ? null : toMove) ?? null;
    if (!active) {
      turnText = s.result
        ? describeResult(s.result, { kind: s.kind, names: [s.players[0].name, s.players[1].name], you: seat }).title
        : "Game over";
      turnKey = "over";
    } else if (seat === null) {
      turnText = toMove === null ? "" : `${SEAT_NAMES[s.kind][toMove]} to move`;
      turnKey = "spectator";
    } else if (this.connection === "reconnecting") {
      // Moves cannot be sent right now: say so rather than "Your turn".
      turnText = "Reconnecting…";
      turnKey = "reconnecting";
    } else if (this.pending) {
      turnText = "Sending move…";
      turnKey = "pending";
    } else if (shownToMove === seat) {
      turnText = "Your turn";
      turnKey = "you";
    } else {
      turnText = "Opponent's turn";
      turnKey = "opponent";
    }
    setText(turn, turnText);
    turn.dataset.turn = turnKey;

    const countdown = $("countdown");
    const deadline = active ? anchor.clocks.firstMoveDeadline : null;
    if (deadline !== null && toMove !== null) {
      const left = secondsUntil(serverToLocal(anchor, deadline), now);
      const text =
        seat === toMove
          ? `Make your first move within ${left} s, or the game is aborted`
          : seat === null
            ? `${SEAT_NAMES[s.kind][toMove]} must move within ${left} s`
            : `Opponent must move within ${left} s, or the game is aborted`;
      setText(countdown, text);
      countdown.dataset.seconds = String(left);
      show(countdown, true);
    } else {
      setText(countdown, "");
      show(countdown, false);
    }

    // A move stuck without an answer (lost in a drop): forget it and ask for the truth.
    if (this.pending && now - this.pending.sentAt > 8000 && this.connection === "connected") {
      this.pending = null;
      this.session?.send("sync", {});
      this.render(false);
    }
  }
}

/** What a spectator's result dialog says about a rematch between the players. */
function spectatorRematchStatus(s: GameSnapshot): string {
  if (s.rematchGameId) return "The players start a rematch — following it…";
  if (s.rematchOffer !== null) return `${s.players[s.rematchOffer].name} offers a rematch.`;
  return "";
}
