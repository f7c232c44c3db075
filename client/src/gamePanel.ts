/**
 * The side panel pieces shared by live games and replays: player cards and
 * the move list.
 */
import type { MoveRecord } from "@tabula/shared/protocol";
import type { BotLevel, GameKind, Seat } from "@tabula/shared/rules";
import { botBadge } from "./botLevel.ts";
import { formatClock, isLow } from "./clock.ts";
import { SEAT_NAMES, moveRows } from "./format.ts";
import { currentLanguage, t } from "./i18n/index.ts";
import { $, h, setText } from "./ui.ts";

export interface CardInfo {
  name: string;
  isBot: boolean;
  /** A bot's level, shown in its badge ("BOT · Hard"). */
  botLevel?: BotLevel | null;
  seat: Seat;
  kind: GameKind;
  you: boolean;
  clockMs: number | null;
  initialMs: number;
  running: boolean;
  /** Extra status line (disconnected countdown…), or "". */
  status: string;
  /** The player's rating in a rated game ("1500?" while provisional; ratings.ts), or "" (casual). */
  rating?: string;
}

/** Fill #player-top or #player-bottom. */
export function renderCard(id: "player-top" | "player-bottom", c: CardInfo): void {
  const card = $(id);
  card.dataset.seat = String(c.seat);
  card.dataset.kind = c.kind;
  setText(card.querySelector(".player-name") as HTMLElement, c.name);
  (card.querySelector(".player-name") as HTMLElement).title = c.name;
  setText(
    card.querySelector(".seat-name") as HTMLElement,
    c.you ? t("board:seatYou", { seat: SEAT_NAMES[c.kind][c.seat] }) : SEAT_NAMES[c.kind][c.seat],
  );
  card.classList.toggle("you", c.you);
  const badge = card.querySelector(".badge-bot") as HTMLElement;
  badge.hidden = !c.isBot;
  if (c.isBot) {
    setText(badge, botBadge(c.botLevel));
    badge.title = t("bots:badgeTitle");
  }
  const rating = card.querySelector(".player-rating") as HTMLElement | null;
  if (rating) {
    setText(rating, c.rating ? `(${c.rating})` : "");
    rating.hidden = !c.rating;
  }
  const status = card.querySelector(".player-status") as HTMLElement;
  setText(status, c.status);
  status.hidden = c.status === "";
  const clock = card.querySelector(".clock") as HTMLElement;
  if (c.clockMs === null) {
    clock.hidden = true;
  } else {
    clock.hidden = false;
    setText(clock, formatClock(c.clockMs));
    clock.classList.toggle("running", c.running);
    clock.classList.toggle("low", c.running && isLow(c.clockMs, c.initialMs));
  }
  card.classList.toggle("to-move", c.running);
}

/**
 * Render the move list into #move-list, marking `currentPly` (the move shown
 * last: index of the move, or -1 for none). Clicking a move calls `onPick(ply)`.
 */
export function renderMoveList(moves: readonly MoveRecord[], currentPly: number, onPick?: (ply: number) => void): void {
  const list = $("move-list");
  const key = `${moves.length}:${moves[moves.length - 1]?.move ?? ""}:${currentPly}:${onPick ? 1 : 0}:${currentLanguage()}`;
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(
    ...moveRows(moves).map((row) =>
      h(
        "li",
        { class: "move-row" },
        h("span", { class: "move-no" }, `${row.number}.`),
        moveCell(row.first, currentPly, onPick),
        moveCell(row.second, currentPly, onPick),
      ),
    ),
  );
  if (moves.length === 0) list.append(h("li", { class: "move-empty" }, t("board:noMoves")));
  const current = list.querySelector(".move.current") as HTMLElement | null;
  if (current) current.scrollIntoView({ block: "nearest" });
  else list.scrollTop = list.scrollHeight;
}

function moveCell(m: { ply: number; san: string } | null, currentPly: number, onPick?: (ply: number) => void): HTMLElement {
  if (!m) return h("span", { class: "move empty" });
  const el = h("span", { class: `move${m.ply === currentPly ? " current" : ""}`, "data-ply": String(m.ply) }, m.san);
  if (onPick) {
    el.classList.add("clickable");
    el.addEventListener("click", () => onPick(m.ply));
  }
  return el;
}
