/**
 * What the screens show of ratings (pure: no DOM): a player's rating beside
 * their name ("1500?" while provisional), the result dialog's lines of each
 * player's change ("Alice: 1500 → 1512 (+12)"), and whether the lobby may
 * offer rated quick play (registered accounts only: the server refuses a
 * guest with ACCOUNT_REQUIRED).
 */
import { formatRating, formatRatingChange, type GameSnapshot } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { t } from "./i18n/index.ts";
import { poolName } from "./leaderboardModel.ts";

type RatedInfo = Pick<GameSnapshot, "ratings" | "players">;

/** The rating shown beside seat `seat`'s name: "1512", "1500?", or "" in a casual game. */
export function ratingLabel(info: RatedInfo, seat: Seat): string {
  const r = info.ratings?.seats[seat];
  return r ? formatRating(r) : "";
}

/** One line per seat of a rated game that ended with a result: "Name: 1500 → 1512 (+12)"; none otherwise. */
export function ratingChangeLines(info: RatedInfo): string[] {
  const seats = info.ratings?.seats;
  if (!seats) return [];
  return ([0, 1] as const).flatMap((seat) => {
    const change = seats[seat].change;
    return change ? [`${info.players[seat].name}: ${formatRatingChange(change)}`] : [];
  });
}

/** A short tag for the game header: "Rated · chess-blitz", or "Casual". */
export function ratedTag(info: Pick<GameSnapshot, "ratings">): string {
  return info.ratings ? t("replay:ratedTag", { pool: poolName(info.ratings.pool) }) : t("replay:casual");
}

/** Whether rated quick play may be offered to this identity (api.ts Identity): only a logged-in account's. */
export function canPlayRated(identity: object | null | undefined): boolean {
  return identity != null && "account" in identity && identity.account === true;
}

/** The quick-play choice to send: rated only when asked for and allowed. */
export function quickPlayRated(wanted: boolean, identity: object | null | undefined): boolean {
  return wanted && canPlayRated(identity);
}
