/**
 * The lobby (plain DOM): the Play tab (identity/name, game and time control,
 * quick play, invites, bot games, "my games"), the Watch tab (live games, see
 * watchList.ts) and the waiting screen.
 */
import type { GameSummary, TicketResponse } from "@tabula/shared/protocol";
import type { GameKind, Seat } from "@tabula/shared/rules";
import { ApiError, type Api, errorText } from "./api.ts";
import { GAME_NAMES, ago, shortResult, timeControlLabel } from "./format.ts";
import { normaliseInviteCode, validateName } from "./inputs.ts";
import { isAbort, waitForTicket } from "./matchmaking.ts";
import { gameDefinitions, timeControlLabelById, timeControlsOf } from "./timeControls.ts";
import { $, busy, copyText, h, setText, show, toast } from "./ui.ts";
import { WatchList } from "./watchList.ts";

const CHOICE_KEY = "tabula.choice";

export type LobbyTab = "play" | "watch";

export interface LobbyDeps {
  api: Api;
  /** Switch screens ("lobby" | "waiting"). */
  setScreen(screen: "lobby" | "waiting"): void;
  /** Join a matched game. */
  playGame(gameId: string): Promise<void>;
  /** Open a finished game's replay. */
  replay(gameId: string): Promise<void>;
  /** Open a live game as a spectator. */
  watchGame(gameId: string): Promise<void>;
}

export class Lobby {
  private readonly deps: LobbyDeps;
  private waiting: { ticket: TicketResponse; abort: AbortController; startedAt: number } | null = null;
  private elapsedTimer: ReturnType<typeof setInterval> | undefined;
  private readonly watchList: WatchList;
  private tab: LobbyTab = "play";
  private shown = false;

  constructor(deps: LobbyDeps) {
    this.deps = deps;
    this.watchList = new WatchList({
      api: deps.api,
      watch: (id) => deps.watchGame(id),
      onCount: (n) => this.setLiveCount(n),
    });
    this.fillGames();
    this.bind();
  }

  // -------------------------------------------------------------------------
  // Tabs

  get currentTab(): LobbyTab {
    return this.tab;
  }

  /** Show the Play or the Watch tab (the URL's hash remembers Watch: "/#watch"). */
  showTab(tab: LobbyTab): void {
    this.tab = tab;
    $("lobby-screen").dataset.tab = tab;
    for (const t of ["play", "watch"] as const) {
      const button = $(`${t}-tab`);
      button.setAttribute("aria-selected", String(t === tab));
      button.classList.toggle("active", t === tab);
      button.tabIndex = t === tab ? 0 : -1;
      show($(`${t}-panel`), t === tab);
    }
    const hash = tab === "watch" ? "#watch" : "";
    if (location.hash !== hash) history.replaceState(history.state, "", `${location.pathname}${location.search}${hash}`);
    this.watchList.setShown(this.shown && tab === "watch");
  }

  /** The lobby screen is on screen (or not): the Watch list polls only while it is visible. */
  setShown(shown: boolean): void {
    this.shown = shown;
    this.watchList.setShown(shown && this.tab === "watch");
  }

  /** The live-game count from the periodic stats: ignored while the Watch list (fresher) is polling. */
  setLiveCountFromStats(n: number): void {
    if (!this.watchList.polling) this.setLiveCount(n);
  }

  /** The number of live games, on the Watch tab. */
  setLiveCount(n: number): void {
    const badge = $("watch-count");
    setText(badge, String(n));
    badge.dataset.count = String(n);
    show(badge, n > 0);
  }

  get isWaiting(): boolean {
    return this.waiting !== null;
  }

  private get game(): GameKind {
    return ($("game-select") as HTMLSelectElement).value as GameKind;
  }

  private get timeControl(): string | undefined {
    return ($("tc-select") as HTMLSelectElement).value || undefined;
  }

  // -------------------------------------------------------------------------
  // Form

  private fillGames(): void {
    const select = $("game-select") as HTMLSelectElement;
    const saved = this.savedChoice();
    select.replaceChildren(...gameDefinitions().map((d) => h("option", { value: d.id }, d.name)));
    if (saved && gameDefinitions().some((d) => d.id === saved.game)) select.value = saved.game;
    this.fillTimeControls(saved?.timeControl);
  }

  private fillTimeControls(preferred?: string): void {
    const select = $("tc-select") as HTMLSelectElement;
    const tcs = timeControlsOf(this.game);
    select.replaceChildren(
      ...tcs.map((tc, i) => h("option", { value: tc.id }, `${timeControlLabel(tc)}${i === 0 ? " (default)" : ""}`)),
    );
    if (preferred && tcs.some((t) => t.id === preferred)) select.value = preferred;
  }

  private savedChoice(): { game: string; timeControl: string } | null {
    try {
      const raw = localStorage.getItem(CHOICE_KEY);
      return raw ? (JSON.parse(raw) as { game: string; timeControl: string }) : null;
    } catch {
      return null;
    }
  }

  private saveChoice(): void {
    try {
      localStorage.setItem(CHOICE_KEY, JSON.stringify({ game: this.game, timeControl: this.timeControl ?? "" }));
    } catch {
      // ignore
    }
  }

  private bind(): void {
    $("play-tab").addEventListener("click", () => this.showTab("play"));
    $("watch-tab").addEventListener("click", () => {
      if (this.tab === "watch") void this.watchList.refresh();
      else this.showTab("watch");
    });
    $("lobby-screen")
      .querySelector(".lobby-tabs")!
      .addEventListener("keydown", (e) => {
        const key = (e as KeyboardEvent).key;
        if (key !== "ArrowLeft" && key !== "ArrowRight") return;
        const next: LobbyTab = this.tab === "play" ? "watch" : "play";
        this.showTab(next);
        $(`${next}-tab`).focus();
      });
    $("game-select").addEventListener("change", () => {
      this.fillTimeControls();
      this.saveChoice();
    });
    $("tc-select").addEventListener("change", () => this.saveChoice());
    $("name-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.changeName();
    });
    $("quick-play").addEventListener("click", (e) => void this.quickPlay(e.currentTarget as HTMLButtonElement));
    $("create-invite").addEventListener("click", (e) => void this.createInvite(e.currentTarget as HTMLButtonElement));
    $("play-bot").addEventListener("click", (e) => void this.playBot(e.currentTarget as HTMLButtonElement));
    $("join-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.joinInvite();
    });
    $("invite-code").addEventListener("input", () => {
      const input = $("invite-code") as HTMLInputElement;
      const code = normaliseInviteCode(input.value);
      if (input.value !== code) input.value = code;
      setText($("join-invite"), code.length === 6 ? `Join invite ${code}` : "Join invite");
    });
    $("my-games").addEventListener("click", () => void this.loadMyGames());
    $("cancel").addEventListener("click", () => void this.cancelWaiting());
    $("copy-invite").addEventListener("click", async () => {
      const input = $("invite-link") as HTMLInputElement;
      toast((await copyText(input.value, input)) ? "Invite link copied." : "Copy the link from the box.", "success");
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

  /** Show the identity in the name field. */
  showIdentity(name: string): void {
    const input = $("name") as HTMLInputElement;
    if (document.activeElement !== input) input.value = name;
    setText($("whoami"), name);
  }

  private async changeName(): Promise<void> {
    const input = $("name") as HTMLInputElement;
    const name = input.value.trim();
    if (name === this.deps.api.identity?.name) return;
    const problem = validateName(name);
    if (problem) {
      toast(problem, "error");
      return;
    }
    await busy($("save-name") as HTMLButtonElement, async () => {
      try {
        const id = await this.deps.api.newGuest(name);
        input.value = id.name;
        toast(id.name === name ? `You are now ${id.name}.` : `That name is taken; you are ${id.name}.`, "success");
        void this.loadMyGames();
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  // -------------------------------------------------------------------------
  // Play

  private async quickPlay(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        const t = await this.deps.api.quickPlay(this.game, this.timeControl);
        await this.waitFor(t, "quick");
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  private async createInvite(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        const t = await this.deps.api.createInvite(this.game, this.timeControl);
        await this.waitFor(t, "invite");
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  private async playBot(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        const { gameId } = await this.deps.api.botGame(this.game, this.timeControl);
        await this.deps.playGame(gameId);
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  /** ?invite=CODE: prefill the code and show what the invite is. */
  async offerInvite(code: string): Promise<void> {
    const clean = normaliseInviteCode(code);
    const input = $("invite-code") as HTMLInputElement;
    input.value = clean;
    setText($("join-invite"), `Join invite ${clean}`);
    $("join-card").classList.add("highlight");
    const info = $("invite-info");
    try {
      const inv = await this.deps.api.inviteInfo(clean);
      setText(
        info,
        `${inv.host.name} invites you to ${GAME_NAMES[inv.game]} · ${timeControlLabelById(inv.game, inv.timeControl)}`,
      );
      info.dataset.state = "open";
    } catch (err) {
      setText(info, err instanceof ApiError && err.status === 404 ? `Invite ${clean} is no longer open.` : errorText(err));
      info.dataset.state = "closed";
    }
    show(info, true);
  }

  private async joinInvite(): Promise<void> {
    const code = normaliseInviteCode(($("invite-code") as HTMLInputElement).value);
    if (code.length !== 6) {
      toast("An invite code has 6 letters and digits.", "error");
      return;
    }
    await busy($("join-invite") as HTMLButtonElement, async () => {
      try {
        const { gameId } = await this.deps.api.acceptInvite(code);
        show($("invite-info"), false);
        $("join-card").classList.remove("highlight");
        if (new URLSearchParams(location.search).has("invite")) history.replaceState(null, "", location.pathname);
        await this.deps.playGame(gameId);
      } catch (err) {
        toast(err instanceof ApiError && err.status === 404 ? `No open invite ${code}.` : errorText(err), "error");
      }
    });
  }

  // -------------------------------------------------------------------------
  // Waiting for a match

  private async waitFor(first: TicketResponse, kind: "quick" | "invite"): Promise<void> {
    if (first.status === "matched" && first.gameId) {
      await this.deps.playGame(first.gameId);
      return;
    }
    if (first.status !== "waiting") {
      toast(`Matchmaking ${first.status}.`, "error");
      return;
    }
    const abort = new AbortController();
    this.waiting = { ticket: first, abort, startedAt: Date.now() };
    const isInvite = kind === "invite" && !!first.inviteCode;
    setText($("waiting-title"), isInvite ? "Waiting for your friend to join…" : "Looking for an opponent…");
    setText($("waiting-game"), `${GAME_NAMES[first.game]} · ${timeControlLabelById(first.game, first.timeControl)}`);
    show($("invite-box"), isInvite);
    if (isInvite) {
      const link = `${location.origin}/?invite=${first.inviteCode}`;
      setText($("invite-code-display"), first.inviteCode!);
      ($("invite-link") as HTMLInputElement).value = link;
    }
    this.startElapsed();
    this.deps.setScreen("waiting");
    let result: TicketResponse;
    try {
      result = await waitForTicket(this.deps.api, first, {
        signal: abort.signal,
        onRetry: () => setText($("waiting-note"), "Connection trouble — still trying…"),
      });
    } catch (err) {
      if (this.waiting?.abort === abort) this.stopWaiting();
      if (isAbort(err)) return;
      this.deps.setScreen("lobby");
      toast(errorText(err), "error");
      return;
    }
    if (this.waiting?.abort !== abort) return; // cancelled meanwhile
    this.stopWaiting();
    if (result.status === "matched" && result.gameId) {
      await this.deps.playGame(result.gameId);
    } else {
      this.deps.setScreen("lobby");
      toast(result.status === "expired" ? "Nobody came in time; try again." : "Matchmaking cancelled.", "info");
    }
  }

  private startElapsed(): void {
    clearInterval(this.elapsedTimer);
    setText($("waiting-note"), "");
    const update = () => {
      const w = this.waiting;
      if (!w) return;
      const s = Math.floor((Date.now() - w.startedAt) / 1000);
      setText($("waiting-elapsed"), `${s} s`);
      $("waiting-elapsed").dataset.seconds = String(s);
    };
    update();
    this.elapsedTimer = setInterval(update, 250);
  }

  private stopWaiting(): void {
    clearInterval(this.elapsedTimer);
    this.waiting = null;
  }

  async cancelWaiting(): Promise<void> {
    const w = this.waiting;
    if (!w) return;
    this.stopWaiting();
    w.abort.abort();
    try {
      const t = await this.deps.api.cancelTicket(w.ticket.ticket);
      if (t.status === "matched" && t.gameId) {
        // Matched just before the cancel arrived: play.
        toast("An opponent was found just now.", "info");
        await this.deps.playGame(t.gameId);
        return;
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) toast(errorText(err), "error");
    }
    this.deps.setScreen("lobby");
  }

  // -------------------------------------------------------------------------
  // My games

  async loadMyGames(): Promise<void> {
    const list = $("games-list");
    list.dataset.state = "loading";
    try {
      const { games } = await this.deps.api.myGames();
      const me = this.deps.api.identity?.id ?? null;
      list.replaceChildren(...games.map((g) => this.gameItem(g, me)));
      if (games.length === 0) list.append(h("li", { class: "empty" }, "No games yet — start one above."));
      list.dataset.state = "loaded";
    } catch (err) {
      list.replaceChildren(h("li", { class: "empty" }, `Could not load your games: ${errorText(err)}`));
      list.dataset.state = "error";
    }
  }

  private gameItem(g: GameSummary, me: string | null): HTMLElement {
    const seat: Seat | null = g.players[0].id === me ? 0 : g.players[1].id === me ? 1 : null;
    const opponent = seat === null ? `${g.players[0].name} vs ${g.players[1].name}` : g.players[seat === 0 ? 1 : 0].name;
    const live = g.status === "active";
    const outcome =
      g.result && seat !== null
        ? g.result.winner === null
          ? "draw"
          : g.result.winner === seat
            ? "win"
            : "loss"
        : live
          ? "live"
          : "other";
    const action = h(
      "button",
      { class: live ? "small primary" : "small", type: "button", "data-action": live ? "resume" : "replay" },
      live ? "Resume" : "Replay",
    );
    action.addEventListener("click", () => {
      void busy(action, async () => {
        try {
          if (live) await this.deps.playGame(g.gameId);
          else await this.deps.replay(g.gameId);
        } catch (err) {
          toast(errorText(err), "error");
        }
      });
    });
    const botMark = g.players.some((p) => p.isBot) ? " (bot)" : "";
    return h(
      "li",
      { class: `game-item ${outcome}`, "data-game-id": g.gameId, "data-status": g.status },
      h(
        "div",
        { class: "game-item-main" },
        h("span", { class: "game-item-title" }, `${GAME_NAMES[g.kind]} · ${timeControlLabelById(g.kind, g.timeControl)}`),
        h("span", { class: "game-item-vs" }, `vs ${opponent}${botMark}`),
      ),
      h(
        "div",
        { class: "game-item-meta" },
        h("span", { class: `game-item-result ${outcome}` }, shortResult(g.result, seat, g.status)),
        h("span", { class: "game-item-when" }, `${g.ply} moves · ${ago(Date.now() - (g.endedAt ?? g.createdAt))}`),
      ),
      action,
    );
  }
}
