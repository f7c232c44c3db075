/**
 * What the profile page shows (no DOM): the rating cards, the rating-history
 * series for the chart, results per game and the recent games from the
 * player's side. Names stay plain strings, put in the DOM as text.
 */
import type { GameSummary, ProfileResponse } from "@tabula/shared/protocol";
import type { RatingPool, Seat } from "@tabula/shared/rules";
import { ago, gameName, gameOutcome, shortResult } from "./format.ts";
import { currentLanguage, t } from "./i18n/index.ts";
import { poolName, ratingText, recordText } from "./leaderboardModel.ts";
import { timeControlLabelById } from "./timeControls.ts";

/** One colour per pool, the same on the cards and the chart. */
export const POOL_COLORS: Record<RatingPool, string> = {
  "chess-bullet": "#e8484f",
  "chess-blitz": "#f5c542",
  "chess-rapid": "#3ecf8e",
  connect4: "#4c7dff",
};

export interface RatingCard {
  pool: RatingPool;
  title: string;
  rating: string;
  provisional: boolean;
  /** "RD 64 · 30 games · 15 W · 10 L · 5 D". */
  detail: string;
  /** "#12" on the board, "provisional" or "not ranked yet". */
  rank: string;
  color: string;
}

/** The player's ratings, one card per pool, in the server's (RATING_POOLS) order. */
export function ratingCards(p: ProfileResponse): RatingCard[] {
  return p.ratings.map((r) => ({
    pool: r.pool,
    title: poolName(r.pool),
    rating: ratingText(r.rating, r.provisional),
    provisional: r.provisional,
    detail: t("profile:detail", { rd: Math.round(r.rd), games: r.games, record: recordText(r) }),
    rank: r.rank !== null ? `#${r.rank}` : r.provisional ? t("profile:provisional") : t("profile:notRanked"),
    color: POOL_COLORS[r.pool],
  }));
}

export interface HistorySeries {
  pool: RatingPool;
  label: string;
  color: string;
  /** x: epoch ms, y: rating after the game; oldest first. */
  points: { x: number; y: number }[];
}

/** The chart's lines: one per pool with at least one rated game. */
export function historySeries(p: ProfileResponse): HistorySeries[] {
  return p.history
    .filter((h) => h.points.length > 0)
    .map((h) => ({
      pool: h.pool,
      label: poolName(h.pool),
      color: POOL_COLORS[h.pool],
      points: h.points.map((pt) => ({ x: pt.at, y: Math.round(pt.rating) })),
    }));
}

export interface ResultRow {
  game: string;
  wins: number;
  losses: number;
  draws: number;
  total: number;
  /** Points scored per game, as a percentage ("62 %"; "–" with no game). */
  score: string;
}

/** Results per game kind. */
export function resultRows(p: ProfileResponse): ResultRow[] {
  return p.results.map((r) => {
    const total = r.wins + r.losses + r.draws;
    const percent = new Intl.NumberFormat(currentLanguage(), { style: "percent", maximumFractionDigits: 0 });
    const score = total ? percent.format((r.wins + r.draws / 2) / total) : "–";
    return { game: gameName(r.kind), wins: r.wins, losses: r.losses, draws: r.draws, total, score };
  });
}

export interface RecentRow {
  gameId: string;
  title: string;
  /** "vs Name" (the other seat), or "A vs B" when the player is in neither seat. */
  vs: string;
  result: string;
  outcome: ReturnType<typeof gameOutcome>;
  when: string;
}

/** The recent games from `playerId`'s side, as of `now` (epoch ms). */
export function recentRows(games: readonly GameSummary[], playerId: string, now: number): RecentRow[] {
  return games.map((g) => {
    const seat: Seat | null = g.players[0].id === playerId ? 0 : g.players[1].id === playerId ? 1 : null;
    const other = seat === null ? null : g.players[seat === 0 ? 1 : 0];
    return {
      gameId: g.gameId,
      title: t("common:gameAndTc", { game: gameName(g.kind), tc: timeControlLabelById(g.kind, g.timeControl) }),
      vs: other
        ? t("common:vsOne", { name: other.isBot ? t("common:botMark", { name: other.name }) : other.name })
        : t("common:vs", { a: g.players[0].name, b: g.players[1].name }),
      result: shortResult(g.result, seat, g.status),
      outcome: gameOutcome(g, seat),
      when: t("common:movesAgo", { count: g.ply, ago: ago(now - (g.endedAt ?? g.createdAt)) }),
    };
  });
}

/** "Guest since 1 Dec 2026" / "Member since …" / "Bot" ("Membre depuis le 1 déc. 2026"), in the current language. */
export function sinceText(p: ProfileResponse["player"]): string {
  if (p.isBot) return t("profile:bot");
  const locale = currentLanguage() === "en" ? "en-GB" : currentLanguage();
  const date = new Date(p.since).toLocaleDateString(locale, {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  return p.account ? t("profile:memberSince", { date }) : t("profile:guestSince", { date });
}
