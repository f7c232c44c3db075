/** The operator page's tables and lists, drawn from the API's answers (DOM, no state). */
import { GAME_NAMES } from "../format.ts";
import { $, h, setText } from "../ui.ts";
import type { AdminNode, AdminOverview, AuditEntry } from "@tabula/shared/protocol";
import type { AdminGame } from "./adminApi.ts";
import { ageText, detailText, stampText, uptimeText } from "./adminFormat.ts";

const HEALTH: Record<AdminNode["status"], string> = { up: "up", down: "down", unknown: "unknown" };

/** The totals strip and the node table. */
export function showOverview(o: AdminOverview): void {
  setText($("total-nodes"), String(o.totals.nodesUp));
  setText($("total-games"), String(o.totals.games));
  setText($("total-players"), String(o.totals.players));
  setText($("total-spectators"), String(o.totals.spectators));
  setText($("total-online"), o.totals.playersOnline === null ? "–" : String(o.totals.playersOnline));
  const rows = o.nodes.map((n) =>
    h(
      "tr",
      { "data-node": n.nodeId, "data-status": n.status },
      h("td", {}, h("span", { class: "node-name" }, n.nodeId), n.self ? h("span", { class: "badge" }, "this page") : null),
      h("td", {}, h("span", { class: `health health-${n.status}` }, HEALTH[n.status])),
      h("td", { class: "num" }, ageText(n.heartbeatAgeMs)),
      h("td", { class: "num" }, String(n.games)),
      h("td", { class: "num" }, String(n.players)),
      h("td", { class: "num" }, String(n.spectators)),
      h("td", { class: "num" }, uptimeText(n.uptimeS)),
      h("td", { class: "muted" }, n.version ?? "–"),
    ),
  );
  $("nodes-body").replaceChildren(...rows);
}

/** The live games, each with a link that opens it as a spectator in the game client. */
export function showGames(games: AdminGame[]): void {
  setText($("games-count"), String(games.length));
  const items = games.map((g) => {
    const players = g.players.map((p) => `${p.name}${p.isBot ? " (bot)" : ""}`).join(" vs ");
    return h(
      "li",
      { class: "game-row", "data-game": g.gameId },
      h(
        "div",
        { class: "game-row-main" },
        h("span", { class: "game-row-title" }, players),
        h(
          "span",
          { class: "muted" },
          `${GAME_NAMES[g.kind as keyof typeof GAME_NAMES] ?? g.kind} · ${g.timeControl} · node ${g.node} · ${g.spectators} watching · ${g.gameId}`,
        ),
      ),
      h(
        "a",
        { class: "button small", href: `/?watch=${encodeURIComponent(g.gameId)}`, target: "_blank", rel: "noopener" },
        "Watch",
      ),
    );
  });
  $("admin-games").replaceChildren(...(items.length ? items : [h("li", { class: "muted empty" }, "No live games.")]));
}

/** One page of audit entries (`append`: below the ones shown). */
export function showAudit(entries: AuditEntry[]): void {
  const rows = entries.map((e) =>
    h(
      "tr",
      { "data-audit": e.id, "data-kind": e.kind },
      h("td", { class: "nowrap" }, stampText(e.at)),
      h("td", {}, h("code", {}, e.kind)),
      h("td", {}, e.nodeId ?? ""),
      h("td", { class: "mono", title: e.playerId ?? "" }, e.playerId ? e.playerId.slice(0, 8) : ""),
      h("td", { class: "mono" }, e.gameId ?? ""),
      h("td", { class: "mono" }, e.ip ?? ""),
      h("td", { class: "detail", title: detailText(e.detail, 2000) }, detailText(e.detail)),
    ),
  );
  $("audit-body").replaceChildren(...rows);
}
