/**
 * The live game screen (DOM): opens a game's GameController and draws what it
 * holds — the board, the player cards and clocks, the turn line and
 * countdowns, the actions — and the reconnection banner. Buttons, the result
 * dialog and the promotion picker are in gameDialogs.ts; what the lines say
 * is decided in gameStatus.ts.
 */
import type { GameSnapshot } from "@tabula/shared/protocol";
import { opponentOf, type Seat } from "@tabula/shared/rules";
import type { Api } from "./api.ts";
import type { BoardView } from "./boardView.ts";
import { remainingAt } from "./clock.ts";
import { GameChatView } from "./chatChannels.ts";
import { GameController, type GameControllerDeps } from "./gameController.ts";
import { GameDialogs } from "./gameDialogs.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { renderCard, renderMoveList } from "./gamePanel.ts";
import { ratingLabel } from "./ratings.ts";
import { controlsFor, countdownLine, playerStatus, spectatorLine, titleLine, turnLine } from "./gameStatus.ts";
import { createClient } from "./sdkClient.ts";
import { type ConnectionState, GameSession } from "./session.ts";
import { forgetStoredGame, rememberGame } from "./storedGame.ts";
import { timeControlLabelById } from "./timeControls.ts";
import { $, setText, show, toast } from "./ui.ts";
import type { BoardViewModel } from "./views.ts";

export interface GameScreenDeps {
  api: Api;
  board: BoardView;
  /** Show the game screen (the app switches screens). */
  enter(): void;
  /** Back to the lobby (on the given tab, else the one shown last). */
  exit(tab?: "play" | "watch"): void;
  /** Something that changes the top bar's counts happened (joined, left, reconnected). */
  countsChanged(): void;
  /** Opens a game's room session. Default: a GameSession on a new SDK client (tests pass a fake). */
  openSession?: GameControllerDeps["openSession"];
}

export class GameScreen {
  private readonly deps: GameScreenDeps;
  private readonly dialogs: GameDialogs;
  private game: GameController | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private resultShownFor: string | null = null;
  private switching = false;
  private readonly chat: GameChatView;

  constructor(deps: GameScreenDeps) {
    this.deps = deps;
    this.dialogs = new GameDialogs({
      board: deps.board,
      game: () => this.game,
      redraw: () => this.render(false),
      leave: (tab) => void this.leaveToLobby(tab),
    });
    this.chat = new GameChatView(deps.api, $("game-chat"));
    deps.board.bindFlipButton($("flip-board"));
    // Everything this screen writes is redrawn in the new language (the static labels are translateDom's).
    onLanguageChange(() => {
      const game = this.game;
      if (!game) return;
      this.render(false);
      if (!$("reconnect-banner").hidden) this.showConnection(game.connection);
    });
  }

  /** The game as the client holds it (for the test hooks): GameSnapshot-shaped, null outside a live game. */
  get current(): GameSnapshot | null {
    return this.game?.model?.toSnapshot() ?? null;
  }

  get latencyMs(): number | null {
    return this.game?.latencyMs ?? null;
  }

  get active(): boolean {
    return this.game !== null;
  }

  /**
   * Join a game (as a player, or as a spectator) and show it. Rejects if it cannot be joined.
   * `password`: a private game's, for a spectator (kept for re-joins and the rematch, in memory only).
   */
  async open(gameId: string, spectate = false, password?: string): Promise<void> {
    await this.close();
    this.resultShownFor = null;
    this.chat.open(spectate);
    const game = new GameController(gameId, spectate, {
      openSession:
        this.deps.openSession ??
        ((id, spec, handlers) => {
          const session: GameSession = new GameSession(
            createClient(
              () => this.deps.api.freshToken(),
              () => session.matchmakeTimeoutMs,
            ),
            id,
            spec,
            { ...handlers, room: (room, mine) => this.chat.attach(room, mine) },
          );
          session.password = password;
          return session;
        }),
      // Short: during a failover this may reach the stalled node, which never answers.
      gameRecord: (id) => this.deps.api.gameRecord(id, 3000),
      changed: (animate) => {
        if (this.game === game) this.render(animate);
      },
      connection: (state) => {
        if (this.game === game) this.showConnection(state);
      },
      notify: (text, kind) => toast(text, kind),
      rematch: (id) => void this.followRematch(id, spectate, password),
    });
    this.game = game;
    this.deps.board.attachGame(gameId, () => {
      if (this.game === game) this.render(false);
    });
    this.deps.board.handler = {
      move: (m) => this.dialogs.play(m),
      promotion: (from, to, choices) => this.dialogs.askPromotion(from, to, choices),
    };
    $("game-screen").dataset.mode = "live";
    this.resetPanel();
    this.deps.enter();
    // The board must exist before the first snapshot is drawn (and before tests look for it).
    await this.deps.board.ready;
    try {
      await game.start();
    } catch (err) {
      if (this.game === game) this.game = null;
      throw err;
    }
    rememberGame(gameId, spectate);
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      game.tick();
      this.tick();
    }, 100);
    this.deps.countsChanged();
  }

  /** Leave the current game's room (if any), without changing screens. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    const game = this.game;
    this.game = null;
    this.dialogs.reset();
    show($("reconnect-banner"), false);
    if (game) {
      await game.leave();
      this.deps.countsChanged();
    }
  }

  /** Back to the lobby for good (on the given tab, else the one shown last). */
  async leaveToLobby(tab?: "play" | "watch"): Promise<void> {
    forgetStoredGame();
    await this.close();
    this.deps.exit(tab);
  }

  /** The rematch of a private game is private with the same password: a spectator follows with it. */
  private async followRematch(gameId: string, spectate: boolean, password?: string): Promise<void> {
    if (this.switching) return;
    this.switching = true;
    toast(t("board:rematchStarted"), "success");
    try {
      await this.open(gameId, spectate, password);
    } catch (err) {
      toast(t("board:rematchFailed", { reason: (err as Error).message ?? String(err) }), "error");
      await this.leaveToLobby();
    } finally {
      this.switching = false;
    }
  }

  private showConnection(state: ConnectionState): void {
    const banner = $("reconnect-banner");
    banner.dataset.state = state;
    if (state === "reconnecting") {
      setText(banner, t("board:reconnecting"));
      show(banner, true);
    } else if (state === "connected") {
      show(banner, false);
      this.deps.countsChanged();
    } else if (state === "closed" && this.game) {
      setText(banner, t("board:disconnected"));
      show(banner, this.game.model?.active ?? false);
    }
  }

  // -------------------------------------------------------------------------
  // Drawing

  private resetPanel(): void {
    setText($("game-title"), t("board:joining"));
    for (const id of ["turn-indicator", "countdown", "latency", "spectators"]) setText($(id), "");
    $("move-list").replaceChildren();
    $("move-list").dataset.key = "";
    show($("resign-confirm"), false);
    show($("replay-controls"), false);
    show($("game-controls"), true);
  }

  private render(animate: boolean): void {
    const game = this.game;
    const m = game?.model;
    if (!game || !m) return;
    const seat = m.seat;
    const canMoveNow = game.canMoveNow;
    this.deps.board.show({
      kind: m.kind,
      view: game.shownView() as BoardViewModel,
      orientation: this.deps.board.bottomSeat(m.gameId, seat ?? 0),
      // During the opponent's turn the board takes a premove (gameController.ts).
      moverSeat: game.inputSeat,
      legalMoves: game.legalMoves(),
      animate,
      premove: game.premove,
    });
    if (!canMoveNow) this.dialogs.hidePromotion();
    const info = m.info;
    setText($("game-title"), titleLine(info, timeControlLabelById(m.kind, info.timeControl.id), seat === null));
    // Everyone sees how many are watching (the server sends a fresh snapshot when spectators come and go).
    const spectators = $("spectators");
    const line = spectatorLine(info.spectators, seat === null);
    setText(spectators, line.text);
    spectators.title = line.title;
    spectators.dataset.count = String(info.spectators);
    const latency = game.latencyMs;
    setText($("latency"), latency === null ? "" : t("board:latency", { ms: latency }));
    $("latency").dataset.ms = latency === null ? "" : String(latency);

    const controls = controlsFor(m);
    const active = m.active;
    const isPlayer = seat !== null;
    const confirming = !$("resign-confirm").hidden;
    show($("abort"), controls.canAbort);
    show($("resign"), controls.canResign && !confirming);
    if (!controls.canResign) show($("resign-confirm"), false);
    show($("offer-draw"), isPlayer && active && !controls.drawOfferedToMe);
    ($("offer-draw") as HTMLButtonElement).disabled = !controls.canOfferDraw;
    setText($("offer-draw"), controls.drawOfferedByMe ? t("board:drawOfferSent") : t("board:offerDraw"));
    show($("draw-offer"), controls.drawOfferedToMe);
    show($("show-result"), !active);
    show($("leave-game"), !isPlayer || !active);
    setText($("leave-game"), isPlayer ? t("board:backToLobby") : t("board:stopWatching"));
    $("game-screen").dataset.status = info.status;
    $("game-screen").dataset.role = info.you.role;

    renderMoveList(m.moves, m.moves.length - 1);
    this.tick();

    // The result dialog, once per game.
    if (!active && this.resultShownFor !== m.gameId) {
      this.resultShownFor = m.gameId;
      this.dialogs.showResult();
    } else if (!active) {
      this.dialogs.refreshResult();
    } else {
      this.dialogs.hideResult();
    }
  }

  /** Clocks, turn line and countdowns: every 100 ms. */
  private tick(): void {
    const game = this.game;
    const m = game?.model;
    const anchor = game?.anchor;
    if (!game || !m || !anchor) return;
    const now = Date.now();
    const seat = m.seat;
    // The cards follow the board: the seat drawn at the bottom has the bottom card.
    const bottom: Seat = this.deps.board.bottomSeat(m.gameId, seat ?? 0);
    const remaining = remainingAt(anchor, now);
    const running = m.active ? anchor.clocks.running : null;
    const toMove = m.toMove;
    for (const [id, p] of [
      ["player-top", opponentOf(bottom)],
      ["player-bottom", bottom],
    ] as const) {
      const player = m.info.players[p];
      renderCard(id, {
        name: player.name,
        isBot: player.isBot,
        botLevel: m.info.botLevel,
        seat: p,
        kind: m.kind,
        you: seat === p,
        clockMs: remaining[p],
        initialMs: m.info.timeControl.initialMs,
        running: running === p || (m.active && running === null && toMove === p),
        status: playerStatus(m, p, anchor, now),
        rating: ratingLabel(m.info, p),
      });
      $(id).classList.toggle("clock-running", running === p);
    }
    const turn = turnLine(m, { pending: game.pending !== null, connection: game.connection });
    setText($("turn-indicator"), turn.text);
    $("turn-indicator").dataset.turn = turn.key;
    const countdown = $("countdown");
    const c = countdownLine(m, anchor, now);
    setText(countdown, c?.text ?? "");
    if (c) countdown.dataset.seconds = String(c.seconds);
    show(countdown, c !== null);
    this.dialogs.tick(now);
  }
}
