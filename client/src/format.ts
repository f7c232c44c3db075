/**
 * Human wording (pure; no DOM), in the current language (namespace
 * "format"): game and seat names, move lists, results, time controls and
 * "… ago". GAME_NAMES and SEAT_NAMES read like constant maps but look the
 * string up each time they are read, so a language switch shows at the next
 * render. A game added later may keep its name in its own namespace:
 * `<kind>:gameName` and `<kind>:seat.0` / `seat.1` are used when
 * `format:game.<kind>` is missing.
 */
import type { MoveRecord } from "@tabula/shared/protocol";
import type { GameKind, GameResult, ResultReason, Seat, TimeControl } from "@tabula/shared/rules";
import { currentLanguage, hasKey, t } from "./i18n/index.ts";

/** The string of `key`, else of `fallbackKey`, else `otherwise`. */
function firstOf(key: string, fallbackKey: string, otherwise: string): string {
  if (hasKey(key)) return t(key);
  return hasKey(fallbackKey) ? t(fallbackKey) : otherwise;
}

/** Each game's name (read at each use: the current language's). */
export const GAME_NAMES: Record<GameKind, string> = Object.defineProperties({} as Record<GameKind, string>, {
  connect4: { enumerable: true, get: () => t("format:game.connect4") },
  chess: { enumerable: true, get: () => t("format:game.chess") },
});

/** The seats' names of each game: Red / Yellow, White / Black (read at each use). */
export const SEAT_NAMES: Record<GameKind, readonly [string, string]> = Object.defineProperties(
  {} as Record<GameKind, readonly [string, string]>,
  {
    connect4: { enumerable: true, get: () => [t("format:seat.connect4.0"), t("format:seat.connect4.1")] as const },
    chess: { enumerable: true, get: () => [t("format:seat.chess.0"), t("format:seat.chess.1")] as const },
  },
);

/** The name of game `kind`, also for a game this file does not list (its own namespace, else the id). */
export function gameName(kind: string): string {
  if (Object.hasOwn(GAME_NAMES, kind)) return GAME_NAMES[kind as GameKind];
  return firstOf(`format:game.${kind}`, `${kind}:gameName`, kind);
}

export interface MoveRow {
  /** Move number (1-based). */
  number: number;
  first: { ply: number; san: string } | null;
  second: { ply: number; san: string } | null;
}

/** Pair moves into numbered rows: "1. e4 e5", "2. Nf3 …". */
export function moveRows(moves: readonly Pick<MoveRecord, "ply" | "san">[]): MoveRow[] {
  const rows: MoveRow[] = [];
  for (const m of moves) {
    const index = Math.floor(m.ply / 2);
    let row = rows[index];
    if (!row) {
      row = { number: index + 1, first: null, second: null };
      rows[index] = row;
    }
    if (m.ply % 2 === 0) row.first = { ply: m.ply, san: m.san };
    else row.second = { ply: m.ply, san: m.san };
  }
  return rows.filter(Boolean);
}

/** The move list as one line of text, e.g. "1. e4 e5 2. Nf3". */
export function moveListText(moves: readonly Pick<MoveRecord, "ply" | "san">[]): string {
  return moveRows(moves)
    .map((r) => [`${r.number}.`, r.first?.san ?? "…", r.second?.san].filter(Boolean).join(" "))
    .join(" ");
}

/** "3+2" style label: "3 min + 2 s", "30 s", "10 min" ("1,5 min" in French). */
export function timeControlLabel(tc: Pick<TimeControl, "initialSeconds" | "incrementSeconds">): string {
  const number = new Intl.NumberFormat(currentLanguage(), { maximumFractionDigits: 1 });
  const initial =
    tc.initialSeconds >= 60
      ? t("format:tc.min", { n: number.format(tc.initialSeconds / 60) })
      : t("format:tc.s", { n: number.format(tc.initialSeconds) });
  return tc.incrementSeconds > 0
    ? t("format:tc.plus", { initial, increment: t("format:tc.s", { n: number.format(tc.incrementSeconds) }) })
    : initial;
}

/** Why a game ended, in a few words ("checkmate", "time ran out"). Literal keys, so parity.test.ts sees them. */
const REASON_TEXT: Record<ResultReason, () => string> = {
  "connect-four": () => t("format:reason.connect-four"),
  "board-full": () => t("format:reason.board-full"),
  checkmate: () => t("format:reason.checkmate"),
  stalemate: () => t("format:reason.stalemate"),
  "threefold-repetition": () => t("format:reason.threefold-repetition"),
  "fifty-move-rule": () => t("format:reason.fifty-move-rule"),
  "insufficient-material": () => t("format:reason.insufficient-material"),
  timeout: () => t("format:reason.timeout"),
  "timeout-vs-insufficient-material": () => t("format:reason.timeout-vs-insufficient-material"),
  resign: () => t("format:reason.resign"),
  abandon: () => t("format:reason.abandon"),
  agreement: () => t("format:reason.agreement"),
  aborted: () => t("format:reason.aborted"),
};

/** `reason` in a few words, or the reason itself when this client does not know it. */
export function reasonText(reason: string): string {
  return Object.hasOwn(REASON_TEXT, reason) ? REASON_TEXT[reason as ResultReason]() : reason;
}

export interface ResultContext {
  kind: GameKind;
  /** Player names by seat. */
  names: readonly [string, string];
  /** The viewer's seat, or null for a spectator. */
  you: Seat | null;
}

/** Title and explanation of a result, worded for the viewer. */
export function describeResult(
  result: GameResult,
  ctx: ResultContext,
): { title: string; detail: string; outcome: "win" | "loss" | "draw" | "aborted" } {
  const seatNames = SEAT_NAMES[ctx.kind] ?? ["1", "2"];
  const { winner, reason } = result;
  if (reason === "aborted") {
    return { title: t("format:title.aborted"), detail: t("format:detail.aborted"), outcome: "aborted" };
  }
  let outcome: "win" | "loss" | "draw";
  let title: string;
  if (winner === null) {
    outcome = "draw";
    title = t("format:title.draw");
  } else if (ctx.you === null) {
    // A spectator: name the winner (the detail adds the colour).
    outcome = "win";
    title = t("format:title.wins", { name: ctx.names[winner] || seatNames[winner] });
  } else {
    outcome = winner === ctx.you ? "win" : "loss";
    title = outcome === "win" ? t("format:title.youWon") : t("format:title.youLost");
  }
  const loser: Seat | null = winner === null ? null : winner === 0 ? 1 : 0;
  /** The sentence about `seat`: its "you" form for the viewer, else the player's name and colour. */
  const about = (seat: Seat | null, none: string, you: string, other: string): string => {
    if (seat === null) return t(none);
    if (ctx.you === seat) return t(you);
    return t(other, { who: t("format:who", { name: ctx.names[seat], seat: seatNames[seat] }) });
  };
  let detail: string;
  switch (reason) {
    case "connect-four":
      detail = about(winner, "format:detail.connectFour", "format:detail.connectFourYou", "format:detail.connectFourOther");
      break;
    case "checkmate":
      detail = about(winner, "format:detail.checkmate", "format:detail.checkmateYou", "format:detail.checkmateOther");
      break;
    case "timeout":
      detail = about(loser, "format:detail.timeout", "format:detail.timeoutYou", "format:detail.timeoutOther");
      break;
    case "timeout-vs-insufficient-material":
      // The side to move flagged, but the other side had no mating material: a draw.
      detail = t("format:detail.timeoutVsInsufficient");
      break;
    case "resign":
      detail = about(loser, "format:detail.resign", "format:detail.resignYou", "format:detail.resignOther");
      break;
    case "abandon":
      detail = about(loser, "format:detail.abandon", "format:detail.abandonYou", "format:detail.abandonOther");
      break;
    case "agreement":
      detail = t("format:detail.agreement");
      break;
    case "board-full":
      detail = t("format:detail.boardFull");
      break;
    case "stalemate":
      detail = t("format:detail.stalemate");
      break;
    case "threefold-repetition":
      detail = t("format:detail.threefold");
      break;
    case "fifty-move-rule":
      detail = t("format:detail.fiftyMove");
      break;
    case "insufficient-material":
      detail = t("format:detail.insufficient");
      break;
    default:
      detail = reasonText(String(reason));
  }
  return { title, detail, outcome };
}

/** A game's status word ("active", "finished"), for a list entry without a result. */
function statusText(status: string): string {
  switch (status) {
    case "active":
      return t("format:status.active");
    case "finished":
      return t("format:status.finished");
    case "aborted":
      return t("format:status.aborted");
    default:
      return status;
  }
}

/** Short result text for lists, e.g. "Won · checkmate", "Draw · agreement". */
export function shortResult(result: GameResult | null, you: Seat | null, status: string): string {
  if (!result) return status === "active" ? t("format:short.inProgress") : statusText(status);
  const why = reasonText(result.reason);
  if (result.reason === "aborted") return t("format:short.aborted");
  if (result.winner === null) return t("format:short.draw", { why });
  if (you === null) return t("format:short.seatWon", { n: result.winner + 1, why });
  return result.winner === you ? t("format:short.won", { why }) : t("format:short.lost", { why });
}

/** How a listed game went for the viewer (`seat`, null for a stranger): a CSS class for the list. */
export function gameOutcome(
  g: { status: string; result: GameResult | null },
  seat: Seat | null,
): "win" | "loss" | "draw" | "live" | "other" {
  if (g.result && seat !== null) return g.result.winner === null ? "draw" : g.result.winner === seat ? "win" : "loss";
  return g.status === "active" ? "live" : "other";
}

/** "12 seconds ago", "3 minutes ago", "yesterday" ("il y a 12 secondes" in French): Intl in the current language. */
export function ago(ms: number): string {
  const format = new Intl.RelativeTimeFormat(currentLanguage(), { style: "long", numeric: "auto" });
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return format.format(-s, "second");
  const m = Math.round(s / 60);
  if (m < 60) return format.format(-m, "minute");
  const h = Math.round(m / 60);
  if (h < 48) return format.format(-h, "hour");
  return format.format(-Math.round(h / 24), "day");
}
