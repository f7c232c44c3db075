/**
 * The lobby's "My games" list (DOM): the viewer's recent games, each with
 * Resume (live) or Replay (finished). What each line says is in format.ts.
 */
import type { GameSummary } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { type Api, errorText } from "./api.ts";
import { GAME_NAMES, ago, gameOutcome, shortResult } from "./format.ts";
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
  }

  async load(): Promise<void> {
    const list = $("games-list");
    list.dataset.state = "loading";
    try {
      const { games } = await this.deps.api.myGames();
      const me = this.deps.api.identity?.id ?? null;
      list.replaceChildren(...games.map((g) => this.item(g, me)));
      if (games.length === 0) list.append(h("li", { class: "empty" }, "No games yet — start one above."));
      list.dataset.state = "loaded";
    } catch (err) {
      list.replaceChildren(h("li", { class: "empty" }, `Could not load your games: ${errorText(err)}`));
      list.dataset.state = "error";
    }
  }

  private item(g: GameSummary, me: string | null): HTMLElement {
    const seat: Seat | null = g.players[0].id === me ? 0 : g.players[1].id === me ? 1 : null;
    const opponent = seat === null ? `${g.players[0].name} vs ${g.players[1].name}` : g.players[seat === 0 ? 1 : 0].name;
    const live = g.status === "active";
    const outcome = gameOutcome(g, seat);
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
