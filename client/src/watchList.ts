/**
 * The lobby's Watch section: live games on every node (GET /api/live-games),
 * refreshed every 5 s while it is on screen and the page is visible, and on
 * demand. A failed refresh keeps the last list and says so.
 */
import { type Api, errorText } from "./api.ts";
import { gameName } from "./format.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { type LiveGame, type LivePlayer, matchup, startedAgo, watchUrl, watchingLabel } from "./liveGames.ts";
import { Poller } from "./poller.ts";
import { timeControlLabelById } from "./timeControls.ts";
import { $, busy, copyText, h, setText, show, toast } from "./ui.ts";

export const LIVE_REFRESH_MS = 5000;

export interface WatchListDeps {
  api: Api;
  /** Open a game as a spectator (rejects if it cannot be joined). */
  watch(gameId: string): Promise<void>;
  /** The number of live games is known (for the tab's badge). */
  onCount?(count: number): void;
}

export class WatchList {
  private readonly deps: WatchListDeps;
  private readonly poller: Poller;
  private shown = false;
  private games: LiveGame[] = [];
  private loaded = false;

  constructor(deps: WatchListDeps) {
    this.deps = deps;
    this.poller = new Poller(() => this.load(), LIVE_REFRESH_MS);
    $("refresh-live").addEventListener("click", () => {
      void busy($("refresh-live") as HTMLButtonElement, () => this.poller.refresh());
    });
    document.addEventListener("visibilitychange", () => this.update());
    const list = $("live-games");
    list.dataset.state = "idle";
    list.replaceChildren(h("li", { class: "empty" }, t("lobby:loadingLive")));
    onLanguageChange(() => this.retranslate());
  }

  /** The last failure's reason (null: the last load worked), for the error line in another language. */
  private failure: { err: unknown } | null = null;

  private retranslate(): void {
    const list = $("live-games");
    for (const b of list.querySelectorAll<HTMLElement>("button[data-action=watch]")) setText(b, t("lobby:watch"));
    for (const b of list.querySelectorAll<HTMLElement>("button[data-action=copy-link]")) setText(b, t("lobby:copyLink"));
    if (this.failure) this.showFailure(this.failure.err);
    if (this.loaded) this.render();
    else if (!this.failure) list.replaceChildren(h("li", { class: "empty" }, t("lobby:loadingLive")));
  }

  private showFailure(err: unknown): void {
    const n = LIVE_REFRESH_MS / 1000;
    const reason = errorText(err);
    setText($("live-error"), this.loaded ? t("lobby:liveErrorLast", { reason, n }) : t("lobby:liveErrorFirst", { reason, n }));
    show($("live-error"), true);
    if (!this.loaded) $("live-games").replaceChildren(h("li", { class: "empty" }, t("lobby:liveUnavailable")));
  }

  /** The Watch section is on screen (or not): polls only while it is, and while the page is visible. */
  setShown(shown: boolean): void {
    this.shown = shown;
    this.update();
  }

  /** Polling now (the section is on screen and the page visible). */
  get polling(): boolean {
    return this.poller.active;
  }

  /** Refresh now. */
  refresh(): Promise<void> {
    return this.poller.refresh();
  }

  private update(): void {
    this.poller.setActive(this.shown && document.visibilityState !== "hidden");
  }

  private async load(): Promise<void> {
    const list = $("live-games");
    if (!this.loaded) list.dataset.state = "loading";
    try {
      this.games = await this.deps.api.liveGames();
      this.loaded = true;
      this.failure = null;
      show($("live-error"), false);
      list.dataset.state = "loaded";
      this.render();
      this.deps.onCount?.(this.games.length);
    } catch (err) {
      // Keep the last list (its "started … ago" still moves on).
      list.dataset.state = "error";
      this.failure = { err };
      this.showFailure(err);
      if (this.loaded) this.render();
    }
  }

  /** Update the list in place (by game id), so buttons under the pointer survive a refresh. */
  private render(): void {
    const list = $("live-games");
    list.dataset.count = String(this.games.length);
    if (this.games.length === 0) {
      list.replaceChildren(h("li", { class: "empty" }, t("lobby:noLiveGames")));
      return;
    }
    const existing = new Map<string, HTMLLIElement>();
    for (const li of list.querySelectorAll<HTMLLIElement>("li[data-game-id]")) existing.set(li.dataset.gameId!, li);
    const now = Date.now();
    const items = this.games.map((g) => {
      const li = existing.get(g.gameId) ?? this.createItem(g);
      this.fillItem(li, g, now);
      return li;
    });
    // Only touch the DOM when the order or membership changed.
    const current = [...list.children];
    if (current.length !== items.length || current.some((el, i) => el !== items[i])) list.replaceChildren(...items);
  }

  private createItem(g: LiveGame): HTMLLIElement {
    const watch = h("button", { class: "small primary", type: "button", "data-action": "watch" }, t("lobby:watch"));
    const copy = h("button", { class: "small", type: "button", "data-action": "copy-link" }, t("lobby:copyLink"));
    watch.addEventListener("click", () => {
      void busy(watch, async () => {
        try {
          await this.deps.watch(g.gameId);
        } catch (err) {
          toast(t("lobby:cannotWatch", { reason: errorText(err) }), "error");
          void this.poller.refresh();
        }
      });
    });
    copy.addEventListener("click", async () => {
      const url = watchUrl(location.origin, g.gameId);
      const ok = await copyText(url);
      toast(ok ? t("lobby:spectatorLinkCopied") : url, ok ? "success" : "info");
      if (ok) {
        setText(copy, t("lobby:copied"));
        setTimeout(() => setText(copy, t("lobby:copyLink")), 1500);
      }
    });
    return h(
      "li",
      { class: "game-item live-item live", "data-game-id": g.gameId },
      h(
        "div",
        { class: "game-item-main" },
        h("span", { class: "game-item-title live-title" }),
        h("span", { class: "game-item-vs live-players" }),
      ),
      h(
        "div",
        { class: "game-item-meta" },
        h("span", { class: "live-spectators" }),
        h("span", { class: "game-item-when live-started" }),
      ),
      h("div", { class: "live-actions" }, copy, watch),
    );
  }

  private fillItem(li: HTMLLIElement, g: LiveGame, now: number): void {
    li.dataset.kind = g.kind;
    li.dataset.node = g.node;
    li.title = g.node ? t("lobby:onNode", { node: g.node }) : "";
    const title = li.querySelector<HTMLElement>(".live-title")!;
    // A private game: a lock, and Watch asks for the password (privateGame.ts).
    const line = t("common:gameAndTc", { game: gameName(g.kind), tc: timeControlLabelById(g.kind, g.timeControl) });
    setText(title, g.private ? t("lobby:privateLock", { title: line }) : line);
    li.dataset.private = String(g.private);
    const players = li.querySelector<HTMLElement>(".live-players")!;
    const key = JSON.stringify([g.players, t("common:vs", { a: "", b: "" })]);
    if (players.dataset.key !== key) {
      players.dataset.key = key;
      players.title = matchup(g.players);
      // "A vs B" with each name an element (its bot badge): the words around them from the translation.
      const [before, between, after] = t("common:vs", { a: "\u0000", b: "\u0000" }).split("\u0000");
      players.replaceChildren(before ?? "", playerEl(g.players[0]), between ?? " ", playerEl(g.players[1]), after ?? "");
    }
    const spectators = li.querySelector<HTMLElement>(".live-spectators")!;
    setText(spectators, watchingLabel(g.spectators));
    spectators.dataset.count = String(g.spectators);
    spectators.classList.toggle("none", g.spectators === 0);
    setText(li.querySelector<HTMLElement>(".live-started")!, startedAgo(now - g.createdAt));
  }
}

function playerEl(p: LivePlayer): HTMLElement {
  return h(
    "span",
    { class: "live-player" },
    p.name,
    p.isBot ? h("span", { class: "badge badge-bot", title: t("common:aBot") }, t("common:bot")) : null,
  );
}
