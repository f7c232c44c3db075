/**
 * The waiting screen (DOM): after quick play or an invite, long-polls the
 * ticket (matchmaking.ts) until matched, shows the elapsed time and the
 * invite link, and cancels on request (or withdraws the ticket when the page
 * is closed).
 */
import type { TicketResponse } from "@tabula/shared/protocol";
import { ApiError, type Api, errorText } from "./api.ts";
import { GAME_NAMES } from "./format.ts";
import { isAbort, waitForTicket } from "./matchmaking.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { timeControlLabelById } from "./timeControls.ts";
import { $, copyText, setText, show, toast } from "./ui.ts";

export interface WaitingDeps {
  api: Api;
  setScreen(screen: "lobby" | "waiting"): void;
  /** Join the matched game. */
  playGame(gameId: string): Promise<void>;
}

export class WaitingScreen {
  private readonly deps: WaitingDeps;
  private waiting: { ticket: TicketResponse; abort: AbortController; startedAt: number } | null = null;
  /** What the screen shows (kept to redraw it in another language). */
  private shown: { ticket: TicketResponse; isInvite: boolean; note: "trouble" | null } | null = null;
  private elapsedTimer: ReturnType<typeof setInterval> | undefined;

  constructor(deps: WaitingDeps) {
    this.deps = deps;
    onLanguageChange(() => this.renderText());
    $("cancel").addEventListener("click", () => void this.cancel());
    $("copy-invite").addEventListener("click", async () => {
      const input = $("invite-link") as HTMLInputElement;
      toast((await copyText(input.value, input)) ? t("board:inviteLinkCopied") : t("board:copyFromBox"), "success");
    });
    // Leaving the page while waiting: withdraw the ticket (best effort).
    window.addEventListener("pagehide", () => {
      const w = this.waiting;
      const token = this.deps.api.token;
      if (!w || !token) return;
      void fetch(this.deps.api.url(`/matchmaking/tickets/${encodeURIComponent(w.ticket.ticket)}`), {
        method: "DELETE",
        keepalive: true,
        headers: { Authorization: `Bearer ${token}` },
      }).catch(() => {});
    });
  }

  get isWaiting(): boolean {
    return this.waiting !== null;
  }

  /** Wait on the screen for `first` to be matched, then play; back to the lobby if it is not. */
  async waitFor(first: TicketResponse, kind: "quick" | "invite"): Promise<void> {
    if (first.status === "matched" && first.gameId) {
      await this.deps.playGame(first.gameId);
      return;
    }
    if (first.status !== "waiting") {
      toast(ticketEndText(first.status), "error");
      return;
    }
    const abort = new AbortController();
    this.waiting = { ticket: first, abort, startedAt: Date.now() };
    const isInvite = kind === "invite" && !!first.inviteCode;
    this.shown = { ticket: first, isInvite, note: null };
    this.renderText();
    show($("invite-box"), isInvite);
    if (isInvite) {
      setText($("invite-code-display"), first.inviteCode!);
      ($("invite-link") as HTMLInputElement).value = `${location.origin}/?invite=${first.inviteCode}`;
    }
    this.startElapsed();
    this.deps.setScreen("waiting");
    let result: TicketResponse;
    try {
      result = await waitForTicket(this.deps.api, first, {
        signal: abort.signal,
        onRetry: () => {
          if (this.shown) this.shown.note = "trouble";
          this.renderText();
        },
      });
    } catch (err) {
      if (this.waiting?.abort === abort) this.stop();
      if (isAbort(err)) return;
      this.deps.setScreen("lobby");
      toast(errorText(err), "error");
      return;
    }
    if (this.waiting?.abort !== abort) return; // cancelled meanwhile
    this.stop();
    if (result.status === "matched" && result.gameId) {
      await this.deps.playGame(result.gameId);
    } else {
      this.deps.setScreen("lobby");
      toast(ticketEndText(result.status), "info");
    }
  }

  /** Withdraw the ticket; if it was matched just before, play that game. */
  async cancel(): Promise<void> {
    const w = this.waiting;
    if (!w) return;
    this.stop();
    w.abort.abort();
    try {
      const ticket = await this.deps.api.cancelTicket(w.ticket.ticket);
      if (ticket.status === "matched" && ticket.gameId) {
        toast(t("board:foundJustNow"), "info");
        await this.deps.playGame(ticket.gameId);
        return;
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) toast(errorText(err), "error");
    }
    this.deps.setScreen("lobby");
  }

  /** The screen's words, in the current language (again after a language switch). */
  private renderText(): void {
    const shown = this.shown;
    if (!shown) return;
    const { ticket, isInvite } = shown;
    setText($("waiting-title"), isInvite ? t("board:waitingForFriend") : t("board:lookingForOpponent"));
    setText($("waiting-game"), `${GAME_NAMES[ticket.game]} · ${timeControlLabelById(ticket.game, ticket.timeControl)}`);
    setText($("waiting-note"), shown.note === "trouble" ? t("board:connectionTrouble") : "");
    this.renderElapsed();
  }

  private renderElapsed(): void {
    const w = this.waiting;
    if (!w) return;
    const s = Math.floor((Date.now() - w.startedAt) / 1000);
    setText($("waiting-elapsed"), t("board:elapsed", { seconds: s }));
    $("waiting-elapsed").dataset.seconds = String(s);
  }

  private startElapsed(): void {
    clearInterval(this.elapsedTimer);
    this.renderElapsed();
    this.elapsedTimer = setInterval(() => this.renderElapsed(), 250);
  }

  private stop(): void {
    clearInterval(this.elapsedTimer);
    this.waiting = null;
  }
}

/** Why a ticket stopped waiting, in words. */
function ticketEndText(status: TicketResponse["status"]): string {
  if (status === "expired") return t("board:ticketExpired");
  if (status === "cancelled") return t("board:ticketCancelled");
  return t("board:ticketEnded");
}
