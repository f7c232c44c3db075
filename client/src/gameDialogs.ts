/**
 * The live game's buttons and dialogs (DOM): resign (with its confirmation),
 * abort, draw and rematch offers, the result dialog, the chess promotion
 * picker, leaving, and the spectator link. Each button asks the current
 * GameController; what the dialog says comes from gameStatus.ts.
 */
import type { BoardView } from "./boardView.ts";
import { describeResult } from "./format.ts";
import type { GameController } from "./gameController.ts";
import { controlsFor, namesOf, rematchLine } from "./gameStatus.ts";
import { ratingChangeLines } from "./ratings.ts";
import { $, copyText, h, setText, show, toast } from "./ui.ts";
import { glyphOf } from "./views.ts";

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

  /** Play a move chosen on the board; says why when it cannot be. */
  play(move: string): void {
    const game = this.deps.game();
    if (!game) return;
    const outcome = game.play(move);
    if (outcome === "illegal") toast("That move is not legal.", "error");
    else if (outcome === "offline") toast("Not connected — move not sent.", "error");
    else if (outcome === "sent") this.hidePromotion();
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
    const m = this.deps.game()?.model;
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
    setText(rematch, c.rematchOfferedToMe ? "Accept rematch" : c.rematchOfferedByMe ? "Rematch offered…" : "Rematch");
    show($("decline-rematch"), c.rematchOfferedToMe);
    setText($("rematch-status"), rematchLine(m));
  }

  private send(type: "resign" | "abort"): void;
  private send(type: "draw" | "rematch", action: "offer" | "accept" | "decline"): void;
  private send(type: "resign" | "abort" | "draw" | "rematch", action?: "offer" | "accept" | "decline"): void {
    const game = this.deps.game();
    const ok = type === "draw" || type === "rematch" ? game?.send(type, action!) : game?.send(type);
    if (!ok) toast("Not connected — try again in a moment.", "error");
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
      toast((await copyText(url)) ? "Spectator link copied." : url, "success");
    });
  }
}
