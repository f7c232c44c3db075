/**
 * The profile screen (plain DOM): a player's ratings, the rating-history chart
 * (profileChart.ts), results per game and recent games, each opening its
 * replay (GET /api/players/<name or id>). What it says is in profileModel.ts;
 * every name goes in as text.
 */
import type { ProfileResponse } from "@tabula/shared/protocol";
import { type Api, errorText } from "./api.ts";
import { RatingChart } from "./profileChart.ts";
import { historySeries, ratingCards, recentRows, resultRows, sinceText } from "./profileModel.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { $, busy, h, setText, show, toast } from "./ui.ts";

export interface ProfileDeps {
  api: Api;
  /** Show the profile screen. */
  enter(): void;
  /** Back to where the profile was opened from. */
  exit(): void;
  /** Open a finished game's replay. */
  replay(gameId: string): Promise<void>;
}

export class ProfilePage {
  private readonly deps: ProfileDeps;
  private readonly chart: RatingChart;
  private loading = 0;

  constructor(deps: ProfileDeps) {
    this.deps = deps;
    this.chart = new RatingChart($<HTMLCanvasElement>("rating-chart"));
    $("leave-profile").addEventListener("click", () => deps.exit());
    onLanguageChange(() => {
      if (this.shown) this.show(this.shown);
    });
  }

  /** The profile (or failure) on screen, drawn again in another language. */
  private shown: { p: ProfileResponse } | { err: unknown } | null = null;

  private show(shown: { p: ProfileResponse } | { err: unknown }): void {
    this.shown = shown;
    if ("p" in shown) {
      this.render(shown.p);
      return;
    }
    setText($("profile-name"), t("profile:unavailable"));
    setText($("profile-since"), errorText(shown.err));
    for (const id of ["profile-ratings", "profile-results", "profile-games"]) $(id).replaceChildren();
    this.chart.show([]);
  }

  /** Show `nameOrId`'s profile. */
  async open(nameOrId: string): Promise<void> {
    const n = ++this.loading;
    this.deps.enter();
    const screen = $("profile-screen");
    screen.dataset.state = "loading";
    setText($("profile-name"), "…");
    try {
      const p = await this.deps.api.request<ProfileResponse>("GET", `/players/${encodeURIComponent(nameOrId)}`);
      if (n !== this.loading) return;
      this.show({ p });
      await this.chart.drawing; // Chart.js is fetched on the first chart
      if (n !== this.loading) return;
      screen.dataset.state = "loaded";
    } catch (err) {
      if (n !== this.loading) return;
      this.show({ err });
      screen.dataset.state = "error";
    }
  }

  private render(p: ProfileResponse): void {
    setText($("profile-name"), p.player.name);
    setText($("profile-since"), sinceText(p.player));
    $("profile-screen").dataset.playerId = p.player.id;

    const cards = ratingCards(p);
    $("profile-ratings").replaceChildren(
      ...cards.map((c) =>
        h(
          "li",
          { class: "rating-card", "data-pool": c.pool, "data-provisional": String(c.provisional) },
          h("span", { class: "rating-pool" }, h("span", { class: `pool-dot pool-${c.pool}`, "aria-hidden": "true" }), c.title),
          h("span", { class: "rating-value" }, c.rating),
          h("span", { class: "rating-rank" }, c.rank),
          h("span", { class: "rating-detail" }, c.detail),
        ),
      ),
    );
    if (cards.length === 0) $("profile-ratings").append(h("li", { class: "empty" }, t("profile:noRatedGames")));

    const series = historySeries(p);
    this.chart.show(series);
    const canvas = $("rating-chart");
    canvas.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
    show($("rating-chart-box"), series.length > 0);
    show($("rating-chart-empty"), series.length === 0);

    const results = resultRows(p);
    $("profile-results").replaceChildren(
      ...results.map((r) =>
        h(
          "tr",
          {},
          h("td", {}, r.game),
          h("td", { class: "num" }, String(r.total)),
          h("td", { class: "num" }, String(r.wins)),
          h("td", { class: "num" }, String(r.losses)),
          h("td", { class: "num" }, String(r.draws)),
          h("td", { class: "num" }, r.score),
        ),
      ),
    );
    if (results.length === 0)
      $("profile-results").append(h("tr", {}, h("td", { colspan: "6", class: "empty" }, t("profile:noFinished"))));

    const rows = recentRows(p.recentGames, p.player.id, Date.now());
    $("profile-games").replaceChildren(
      ...rows.map((g) => {
        const replay = h("button", { class: "small", type: "button", "data-action": "replay" }, t("common:replay"));
        replay.addEventListener("click", () => {
          void busy(replay, async () => {
            try {
              await this.deps.replay(g.gameId);
            } catch (err) {
              toast(errorText(err), "error");
            }
          });
        });
        return h(
          "li",
          { class: `game-item ${g.outcome}`, "data-game-id": g.gameId },
          h(
            "div",
            { class: "game-item-main" },
            h("span", { class: "game-item-title" }, g.title),
            h("span", { class: "game-item-vs" }, g.vs),
          ),
          h(
            "div",
            { class: "game-item-meta" },
            h("span", { class: `game-item-result ${g.outcome}` }, g.result),
            h("span", { class: "game-item-when" }, g.when),
          ),
          replay,
        );
      }),
    );
    if (rows.length === 0) $("profile-games").append(h("li", { class: "empty" }, t("profile:noFinished")));
  }
}
