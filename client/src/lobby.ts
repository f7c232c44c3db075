/**
 * The lobby (plain DOM): the Play tab (identity/name, game and time control,
 * quick play, invites, bot games), with "My games" (myGames.ts), the Watch tab
 * (live games, watchList.ts), and the waiting screen it hands tickets to
 * (waitingScreen.ts).
 */
import type { BotLevel, GameKind } from "@tabula/shared/rules";
import { AccountPanel } from "./accountPanel.ts";
import { setUpBotLevelPicker } from "./botLevel.ts";
import { ApiError, type Api, errorText, type Identity, type InviteInfo } from "./api.ts";
import { LobbyChat } from "./chatChannels.ts";
import { gameName, timeControlLabel } from "./format.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { normaliseInviteCode } from "./inputs.ts";
import { MyGames } from "./myGames.ts";
import { NameForm } from "./nameForm.ts";
import { askPassword, validateGamePassword, withPassword } from "./privateGame.ts";
import { canPlayRated, quickPlayRated } from "./ratings.ts";
import { gameDefinitions, timeControlLabelById, timeControlsOf } from "./timeControls.ts";
import { $, busy, h, setText, show, toast } from "./ui.ts";
import { WaitingScreen } from "./waitingScreen.ts";
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
  private readonly waiting: WaitingScreen;
  private readonly myGames: MyGames;
  private readonly watchList: WatchList;
  private readonly account: AccountPanel;
  private readonly chat: LobbyChat;
  private tab: LobbyTab = "play";
  private shown = false;
  /** The level picked for a bot game (#bot-level). */
  private botLevel: () => BotLevel = () => "medium";

  constructor(deps: LobbyDeps) {
    this.deps = deps;
    this.waiting = new WaitingScreen(deps);
    this.myGames = new MyGames(deps);
    this.watchList = new WatchList({
      api: deps.api,
      watch: (id) => deps.watchGame(id),
      onCount: (n) => this.setLiveCount(n),
    });
    this.account = new AccountPanel(deps.api, () => void this.loadMyGames());
    new NameForm(deps.api, () => void this.loadMyGames());
    this.chat = new LobbyChat(deps.api, $("lobby-chat"));
    this.fillGames();
    this.bind();
    onLanguageChange(() => this.retranslate());
  }

  /** The language changed: redraw what this class wrote (the markup's own strings are re-filled by translateDom). */
  private retranslate(): void {
    const select = $("game-select") as HTMLSelectElement;
    for (const option of select.options) option.textContent = gameName(option.value);
    this.fillTimeControls(this.timeControl);
    this.updateJoinLabel();
    if (this.inviteShown) this.showInviteInfo(this.inviteShown);
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
    this.chat.setShown(this.shown && tab === "play");
  }

  /** The lobby screen is on screen (or not): the Watch list polls only while it is visible. */
  setShown(shown: boolean): void {
    this.shown = shown;
    this.watchList.setShown(shown && this.tab === "watch");
    this.chat.setShown(shown && this.tab === "play");
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
    return this.waiting.isWaiting;
  }

  /** Reload "My games". */
  loadMyGames(): Promise<void> {
    return this.myGames.load();
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
    select.replaceChildren(...gameDefinitions().map((d) => h("option", { value: d.id }, gameName(d.id))));
    if (saved && gameDefinitions().some((d) => d.id === saved.game)) select.value = saved.game;
    this.fillTimeControls(saved?.timeControl);
  }

  private fillTimeControls(preferred?: string): void {
    const select = $("tc-select") as HTMLSelectElement;
    const tcs = timeControlsOf(this.game);
    select.replaceChildren(
      ...tcs.map((tc, i) =>
        h("option", { value: tc.id }, i === 0 ? t("format:tc.default", { label: timeControlLabel(tc) }) : timeControlLabel(tc)),
      ),
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
    $("quick-play").addEventListener("click", (e) => void this.quickPlay(e.currentTarget as HTMLButtonElement));
    $("create-invite").addEventListener("click", (e) => void this.createInvite(e.currentTarget as HTMLButtonElement));
    $("play-bot").addEventListener("click", (e) => void this.playBot(e.currentTarget as HTMLButtonElement));
    this.botLevel = setUpBotLevelPicker($("bot-level") as HTMLSelectElement);
    $("join-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.joinInvite();
    });
    $("invite-code").addEventListener("input", () => {
      const input = $("invite-code") as HTMLInputElement;
      const code = normaliseInviteCode(input.value);
      if (input.value !== code) input.value = code;
      this.updateJoinLabel();
    });
  }

  /** "Join invite", or "Join invite ABC123" once a whole code is typed. */
  private updateJoinLabel(): void {
    const code = normaliseInviteCode(($("invite-code") as HTMLInputElement).value);
    setText($("join-invite"), code.length === 6 ? t("lobby:joinInviteCode", { code }) : t("lobby:joinInvite"));
  }

  /** Show the identity in the name field, and whether it is a guest or an account (accountPanel.ts). */
  showIdentity(identity: Identity): void {
    const input = $("name") as HTMLInputElement;
    if (document.activeElement !== input) input.value = identity.name;
    setText($("whoami"), identity.name);
    this.account.show(identity);
    // Rated quick play is offered to a logged-in account only.
    const rated = canPlayRated(identity);
    show($("rated-toggle"), rated);
    if (!rated) ($("rated-choice") as HTMLInputElement).checked = false;
  }

  // -------------------------------------------------------------------------
  // Play

  private async quickPlay(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        const wanted = ($("rated-choice") as HTMLInputElement).checked;
        const t = await this.deps.api.quickPlay(this.game, this.timeControl, quickPlayRated(wanted, this.deps.api.identity));
        await this.waiting.waitFor(t, "quick");
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  private async createInvite(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        // Optional: a password makes the game private (the friend and spectators need it).
        const password = ($("invite-password") as HTMLInputElement).value;
        const problem = validateGamePassword(password, true);
        if (problem) return toast(problem, "error");
        const t = await this.deps.api.createInvite(this.game, this.timeControl, password || undefined);
        await this.waiting.waitFor(t, "invite");
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  private async playBot(button: HTMLButtonElement): Promise<void> {
    this.saveChoice();
    await busy(button, async () => {
      try {
        const { gameId } = await this.deps.api.botGame(this.game, this.timeControl, this.botLevel());
        await this.deps.playGame(gameId);
      } catch (err) {
        toast(errorText(err), "error");
      }
    });
  }

  /** The invite line on screen (redrawn in another language), or null. */
  private inviteShown: { code: string; info: InviteInfo | null; err: unknown } | null = null;

  /** ?invite=CODE: prefill the code and show what the invite is. */
  async offerInvite(code: string): Promise<void> {
    const clean = normaliseInviteCode(code);
    const input = $("invite-code") as HTMLInputElement;
    input.value = clean;
    this.updateJoinLabel();
    $("join-card").classList.add("highlight");
    try {
      this.showInviteInfo({ code: clean, info: await this.deps.api.inviteInfo(clean), err: null });
    } catch (err) {
      this.showInviteInfo({ code: clean, info: null, err });
    }
  }

  private showInviteInfo(shown: { code: string; info: InviteInfo | null; err: unknown }): void {
    this.inviteShown = shown;
    const el = $("invite-info");
    const inv = shown.info;
    if (inv) {
      const values = { host: inv.host.name, game: gameName(inv.game), tc: timeControlLabelById(inv.game, inv.timeControl) };
      setText(el, inv.passwordRequired ? t("lobby:inviteInfoPrivate", values) : t("lobby:inviteInfo", values));
      el.dataset.state = "open";
    } else {
      const gone = shown.err instanceof ApiError && shown.err.status === 404;
      setText(el, gone ? t("lobby:inviteClosed", { code: shown.code }) : errorText(shown.err));
      el.dataset.state = "closed";
    }
    show(el, true);
  }

  private async joinInvite(): Promise<void> {
    const code = normaliseInviteCode(($("invite-code") as HTMLInputElement).value);
    if (code.length !== 6) {
      toast(t("lobby:inviteCodeShape"), "error");
      return;
    }
    await busy($("join-invite") as HTMLButtonElement, async () => {
      try {
        // A private invite answers PASSWORD_REQUIRED (or WRONG_PASSWORD): ask, and try again (privateGame.ts).
        const accepted = await withPassword(
          (password) => this.deps.api.acceptInvite(code, password),
          (problem) => askPassword(t("lobby:invitePrivateTitle", { code }), problem),
        );
        if (accepted === null) return;
        const { gameId } = accepted.result;
        show($("invite-info"), false);
        this.inviteShown = null;
        $("join-card").classList.remove("highlight");
        if (new URLSearchParams(location.search).has("invite")) history.replaceState(null, "", location.pathname);
        await this.deps.playGame(gameId);
      } catch (err) {
        toast(err instanceof ApiError && err.status === 404 ? t("lobby:noInvite", { code }) : errorText(err), "error");
      }
    });
  }
}
