/**
 * The lobby's "My games" list (DOM): the viewer's recent games, each with
 * Resume (live) or Replay (finished). What each line says is in format.ts.
 */
import type { GameSummary } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { type Api, errorText } from "./api.ts";
import { ago, gameName, gameOutcome, shortResult } from "./format.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { timeControlLabelById } from "./timeControls.ts";
import { $, busy, h, toast } from "./ui.ts";

export interface MyGamesDeps {
  api: Api;
  playGame(gameId: string): Promise<void>;
  replay(gameId: string): Promise<void>;
}

export class MyGames {
  private readonly deps: MyGamesDeps;

  constructor(deps: MyGamesDeps) {
    this.deps = deps;
    $("my-games").addEventListener("click", () => void this.load());
    onLanguageChange(() => this.render());
  }

  /** The last answer (or failure), drawn again in another language. */
  private last: { games: GameSummary[] } | { err: unknown } | null = null;

  private render(): void {
    const list = $("games-list");
    const last = this.last;
    if (!last) return;
    if ("err" in last) {
      list.replaceChildren(h("li", { class: "empty" }, t("lobby:cannotLoadGames", { reason: errorText(last.err) })));
      return;
    }
    const me = this.deps.api.identity?.id ?? null;
    list.replaceChildren(...last.games.map((g) => this.item(g, me)));
    if (last.games.length === 0) list.append(h("li", { class: "empty" }, t("lobby:noGames")));
  }

  async load(): Promise<void> {
    const list = $("games-list");
    list.dataset.state = "loading";
    try {
      const { games } = await this.deps.api.myGames();
      this.last = { games };
      this.render();
      list.dataset.state = "loaded";
    } catch (err) {
      this.last = { err };
      this.render();
      list.dataset.state = "error";
    }
  }

  private item(g: GameSummary, me: string | null): HTMLElement {
    const seat: Seat | null = g.players[0].id === me ? 0 : g.players[1].id === me ? 1 : null;
    const other = seat === null ? null : g.players[seat === 0 ? 1 : 0];
    const live = g.status === "active";
    const outcome = gameOutcome(g, seat);
    const action = h(
      "button",
      { class: live ? "small primary" : "small", type: "button", "data-action": live ? "resume" : "replay" },
      live ? t("lobby:resume") : t("common:replay"),
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
    const bot = g.players.some((p) => p.isBot);
    const named = (name: string) => (bot ? t("common:botMark", { name }) : name);
    const vs = other
      ? t("common:vsOne", { name: named(other.name) })
      : named(t("common:vs", { a: g.players[0].name, b: g.players[1].name }));
    return h(
      "li",
      { class: `game-item ${outcome}`, "data-game-id": g.gameId, "data-status": g.status },
      h(
        "div",
        { class: "game-item-main" },
        h(
          "span",
          { class: "game-item-title" },
          t("common:gameAndTc", { game: gameName(g.kind), tc: timeControlLabelById(g.kind, g.timeControl) }),
        ),
        h("span", { class: "game-item-vs" }, vs),
      ),
      h(
        "div",
        { class: "game-item-meta" },
        h("span", { class: `game-item-result ${outcome}` }, shortResult(g.result, seat, g.status)),
        h(
          "span",
          { class: "game-item-when" },
          t("common:movesAgo", { count: g.ply, ago: ago(Date.now() - (g.endedAt ?? g.createdAt)) }),
        ),
      ),
      action,
    );
  }
}
