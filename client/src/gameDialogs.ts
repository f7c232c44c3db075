/**
 * The live game's buttons and dialogs (DOM): resign (with its confirmation),
 * abort, draw and rematch offers, the result dialog, the chess promotion
 * picker, leaving, the spectator link; the notices that the opponent left
 * (with the claim of the win) or declined our offer; cancelling a premove
 * (a click on the board, a right-click); copying or downloading the moves.
 * Each button asks the current GameController; what the lines say comes from
 * gameStatus.ts, in the "play" namespace.
 */
import type { BoardView } from "./boardView.ts";
import { describeResult } from "./format.ts";
import type { GameController } from "./gameController.ts";
import { awayNotice, controlsFor, namesOf, rematchLine } from "./gameStatus.ts";
import { t } from "./i18n/index.ts";
import { bindMoveExport, exportSources, labelExportButtons } from "./moveExportButtons.ts";
import { fromSnapshot } from "./moveExport.ts";
import { ratingChangeLines } from "./ratings.ts";
import { $, copyText, h, setText, show, toast } from "./ui.ts";
import { glyphOf } from "./views.ts";

/** How long "your draw offer was declined" stays on the panel, ms. */
export const DECLINED_NOTICE_MS = 8000;

export interface GameDialogsDeps {
  board: BoardView;
  /** The game on screen, if any. */
  game(): GameController | null;
  /** Redraw the screen (after a local change such as cancelling a confirmation). */
  redraw(): void;
  /** Back to the lobby (on that tab, else the last one shown). */
  leave(tab?: "play" | "watch"): void;
}

export class GameDialogs {
  private readonly deps: GameDialogsDeps;

  constructor(deps: GameDialogsDeps) {
    this.deps = deps;
    this.bind();
  }

  /** Play a move chosen on the board (or queue it as the premove); says why when it cannot be. */
  play(move: string): void {
    const game = this.deps.game();
    if (!game) return;
    const outcome = game.play(move);
    if (outcome === "illegal") toast(t("play:illegalMove"), "error");
    else if (outcome === "offline") toast(t("play:moveNotSent"), "error");
    else if (outcome === "sent" || outcome === "queued") this.hidePromotion();
  }

  /** Chess: a pawn reaches the last rank; offer the pieces it may become, over the target square. */
  askPromotion(from: string, to: string, choices: readonly string[]): void {
    const seat = this.deps.game()?.model?.seat ?? null;
    const picker = $("promotion-picker");
    for (const btn of picker.querySelectorAll<HTMLButtonElement>("button[data-piece]")) {
      const piece = btn.dataset.piece!;
      btn.hidden = !choices.includes(piece);
      btn.textContent = glyphOf(piece);
      btn.dataset.color = seat === 1 ? "black" : "white";
      btn.onclick = () => this.play(`${from}${to}${piece}`);
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

  hidePromotion(): void {
    show($("promotion-picker"), false);
  }

  /** A game was closed: nothing of it stays on screen. */
  reset(): void {
    this.hidePromotion();
    this.hideResult();
    show($("away-notice"), false);
    show($("offer-notice"), false);
  }

  showResult(): void {
    this.refreshResult();
    show($("result-dialog"), true);
  }

  hideResult(): void {
    show($("result-dialog"), false);
  }

  /** Fill the result dialog (it may be open: offers come and go while it is). */
  refreshResult(): void {
    const game = this.deps.game();
    const m = game?.model;
    const result = m?.info.result;
    if (!m || !result) return;
    const seat = m.seat;
    const r = describeResult(result, { kind: m.kind, names: namesOf(m), you: seat });
    const dialog = $("result-dialog");
    dialog.dataset.outcome = r.outcome;
    dialog.dataset.reason = result.reason;
    setText($("result-title"), r.title);
    setText($("result-detail"), r.detail);
    // A rated game's changes ("Alice: 1500 → 1512 (+12)"), as text: names are the players' own.
    const lines = ratingChangeLines(m.info);
    $("result-ratings").replaceChildren(...lines.map((line) => h("li", {}, line)));
    show($("result-ratings"), lines.length > 0);
    const c = controlsFor(m);
    // Spectators get "Watch another" / "Back to lobby" instead of a rematch.
    show($("watch-another"), seat === null);
    const rematch = $("rematch") as HTMLButtonElement;
    show(rematch, seat !== null);
    rematch.disabled = c.rematchOfferedByMe || m.info.rematchGameId !== null;
    setText(
      rematch,
      c.rematchOfferedToMe ? t("play:acceptRematch") : c.rematchOfferedByMe ? t("play:rematchOffered") : t("play:rematch"),
    );
    show($("decline-rematch"), c.rematchOfferedToMe);
    const status = $("rematch-status");
    const declined = game?.declined?.offer === "rematch";
    setText(status, rematchLine(m, declined));
    status.dataset.declined = declined && c.canOfferRematch ? "rematch" : "";
  }

  /**
   * Every 100 ms (the screen's ticker), with the game's latest state: the notice that the opponent left
   * (its countdown, then the claim), the notice that our draw offer was declined, the export buttons' labels.
   */
  tick(now: number): void {
    const game = this.deps.game();
    const m = game?.model;
    const anchor = game?.anchor;
    const away = m && anchor ? awayNotice(m, anchor, now) : null;
    const notice = $("away-notice");
    show(notice, away !== null);
    if (away) {
      setText($("away-text"), away.text);
      notice.dataset.seconds = String(away.seconds);
      notice.dataset.claim = String(away.claim);
      show($("claim-win"), away.claim);
    }
    const declined = game?.declined;
    const drawDeclined = !!m?.active && declined?.offer === "draw" && now - declined.at < DECLINED_NOTICE_MS;
    const offer = $("offer-notice");
    if (drawDeclined) setText(offer, t("play:drawDeclined"));
    offer.dataset.offer = drawDeclined ? "draw" : "";
    show(offer, drawDeclined);
    if (m) labelExportButtons(m.kind);
    // The queued premove, for tests and styles (the board draws it).
    $("board").dataset.premove = game?.premove ?? "";
  }

  private send(type: "resign" | "abort"): void;
  private send(type: "draw" | "rematch", action: "offer" | "accept" | "decline"): void;
  private send(type: "resign" | "abort" | "draw" | "rematch", action?: "offer" | "accept" | "decline"): void {
    const game = this.deps.game();
    const ok = type === "draw" || type === "rematch" ? game?.send(type, action!) : game?.send(type);
    if (!ok) toast(t("play:notConnected"), "error");
  }

  private spectating(): boolean {
    return this.deps.game()?.spectate ?? false;
  }

  private bind(): void {
    $("resign").addEventListener("click", () => {
      show($("resign-confirm"), true);
      show($("resign"), false);
    });
    $("confirm-resign").addEventListener("click", () => {
      show($("resign-confirm"), false);
      this.send("resign");
    });
    $("cancel-resign").addEventListener("click", () => {
      show($("resign-confirm"), false);
      this.deps.redraw();
    });
    $("abort").addEventListener("click", () => this.send("abort"));
    $("offer-draw").addEventListener("click", () => this.send("draw", "offer"));
    $("accept-draw").addEventListener("click", () => this.send("draw", "accept"));
    $("decline-draw").addEventListener("click", () => this.send("draw", "decline"));
    $("rematch").addEventListener("click", () => {
      const m = this.deps.game()?.model;
      if (m) this.send("rematch", controlsFor(m).rematchOfferedToMe ? "accept" : "offer");
    });
    $("decline-rematch").addEventListener("click", () => this.send("rematch", "decline"));
    $("claim-win").addEventListener("click", () => {
      if (!this.deps.game()?.claimWin()) toast(t("play:notConnected"), "error");
    });
    $("back-to-lobby").addEventListener("click", () => this.deps.leave(this.spectating() ? "play" : undefined));
    $("watch-another").addEventListener("click", () => this.deps.leave("watch"));
    // A spectator's "Stop watching" goes back to the Watch list.
    $("leave-game").addEventListener("click", () => this.deps.leave(this.spectating() ? "watch" : undefined));
    $("close-result").addEventListener("click", () => this.hideResult());
    $("show-result").addEventListener("click", () => this.showResult());
    $("promote-cancel").addEventListener("click", () => {
      this.hidePromotion();
      this.deps.board.cancelInteraction();
    });
    $("copy-watch-link").addEventListener("click", async () => {
      const id = this.deps.game()?.gameId;
      if (!id) return;
      const url = `${location.origin}/?watch=${id}`;
      toast((await copyText(url)) ? t("play:watchLinkCopied") : url, "success");
    });
    // A premove is cancelled by any press on the board (a new one may start with it), or a right-click.
    const board = $("board");
    board.addEventListener("pointerdown", () => this.deps.game()?.cancelPremove(), { capture: true });
    board.addEventListener("contextmenu", (e) => {
      if (this.deps.game()?.cancelPremove()) e.preventDefault();
    });
    exportSources.live = () => {
      const s = this.deps.game()?.model?.toSnapshot();
      return s ? fromSnapshot(s) : null;
    };
    bindMoveExport();
  }
}
