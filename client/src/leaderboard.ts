/**
 * The leaderboard screen (plain DOM): one tab per rating pool, the top 100
 * (GET /api/leaderboard/<pool>) with the caller's own standing, each name a
 * link to that player's profile. What the rows say is in leaderboardModel.ts;
 * every name goes in as text.
 */
import type { LeaderboardResponse } from "@tabula/shared/protocol";
import type { RatingPool } from "@tabula/shared/rules";
import { type Api, errorText } from "./api.ts";
import { boardRows, POOL_TABS, refreshedText, standingText } from "./leaderboardModel.ts";
import { onLanguageChange, t } from "./i18n/index.ts";
import { $, h, setText } from "./ui.ts";

export interface LeaderboardDeps {
  api: Api;
  /** Show the leaderboard screen. */
  enter(): void;
  /** Back to the lobby. */
  exit(): void;
  /** Open a player's profile (by id). */
  openProfile(playerId: string): Promise<void>;
}

export class LeaderboardPage {
  private readonly deps: LeaderboardDeps;
  private pool: RatingPool = POOL_TABS[0]!.pool;
  /** Answers to an older request are dropped (tabs clicked quickly). */
  private loading = 0;

  constructor(deps: LeaderboardDeps) {
    this.deps = deps;
    const tabs = $("leaderboard-tabs");
    tabs.replaceChildren(
      ...POOL_TABS.map((t) => {
        const b = h("button", { class: "tab", type: "button", role: "tab", "data-pool": t.pool }, t.title);
        b.addEventListener("click", () => void this.load(t.pool));
        return b;
      }),
    );
    $("leave-leaderboard").addEventListener("click", () => deps.exit());
    onLanguageChange(() => {
      for (const b of tabs.querySelectorAll<HTMLElement>("button[data-pool]")) {
        setText(b, POOL_TABS.find((p) => p.pool === b.dataset.pool)?.title ?? b.dataset.pool ?? "");
      }
      if (this.shown) this.show(this.shown);
    });
  }

  /** The last answer or failure on screen, drawn again in another language. */
  private shown: { res: LeaderboardResponse } | { err: unknown } | null = null;

  private show(shown: { res: LeaderboardResponse } | { err: unknown }): void {
    this.shown = shown;
    if ("res" in shown) {
      this.render(shown.res);
      return;
    }
    const body = $("leaderboard-rows");
    body.replaceChildren(
      h("tr", {}, h("td", { colspan: "5", class: "empty" }, t("leaderboard:cannotLoad", { reason: errorText(shown.err) }))),
    );
    body.dataset.state = "error";
  }

  /** Show the screen on `pool` (default: the last one shown) and load it. */
  async open(pool: RatingPool = this.pool): Promise<void> {
    this.deps.enter();
    await this.load(pool);
  }

  private async load(pool: RatingPool): Promise<void> {
    this.pool = pool;
    const n = ++this.loading;
    for (const b of $("leaderboard-tabs").querySelectorAll<HTMLElement>("button[data-pool]")) {
      const on = b.dataset.pool === pool;
      b.setAttribute("aria-selected", String(on));
      b.classList.toggle("active", on);
    }
    const body = $("leaderboard-rows");
    body.dataset.state = "loading";
    try {
      const res = await this.deps.api.request<LeaderboardResponse>("GET", `/leaderboard/${encodeURIComponent(pool)}`);
      if (n !== this.loading) return;
      this.show({ res });
    } catch (err) {
      if (n !== this.loading) return;
      this.show({ err });
    }
  }

  private render(res: LeaderboardResponse): void {
    const body = $("leaderboard-rows");
    const rows = boardRows(res, this.deps.api.identity?.id ?? null);
    body.replaceChildren(
      ...rows.map((r) => {
        const name = h("button", { class: "link player-link", type: "button", "data-player-id": r.playerId }, r.name);
        name.addEventListener("click", () => void this.deps.openProfile(r.playerId));
        return h(
          "tr",
          { class: r.you ? "you" : undefined, "data-player-id": r.playerId },
          h("td", { class: "num" }, r.rank),
          h("td", {}, name),
          h("td", { class: "num" }, r.rating),
          h("td", { class: "num" }, r.games),
          h("td", { class: "record" }, r.record),
        );
      }),
    );
    if (rows.length === 0) body.append(h("tr", {}, h("td", { colspan: "5", class: "empty" }, t("leaderboard:nobody"))));
    body.dataset.state = "loaded";
    body.dataset.pool = res.pool;
    setText($("leaderboard-you"), standingText(res.you, res.pool));
    setText($("leaderboard-updated"), refreshedText(res.refreshedAt, Date.now()));
  }
}
