/**
 * A room `error` as the player reads it: the server sends a code from the
 * protocol's closed set (ROOM_ERRORS) and an English message for developers;
 * the client shows its own translation of the code ("play" namespace). The
 * keys are listed literally so that the i18n parity test sees each of them.
 */
import type { ErrorCode, ErrorMessage } from "@tabula/shared/protocol";
import { t } from "./i18n/index.ts";

const TEXTS: Record<ErrorCode, () => string> = {
  BAD_MESSAGE: () => t("play:roomError.BAD_MESSAGE"),
  UNKNOWN_MESSAGE: () => t("play:roomError.UNKNOWN_MESSAGE"),
  NOT_A_PLAYER: () => t("play:roomError.NOT_A_PLAYER"),
  NOT_YOUR_TURN: () => t("play:roomError.NOT_YOUR_TURN"),
  STALE_PLY: () => t("play:roomError.STALE_PLY"),
  ILLEGAL_MOVE: () => t("play:roomError.ILLEGAL_MOVE"),
  BAD_MOVE_FORMAT: () => t("play:roomError.BAD_MOVE_FORMAT"),
  GAME_OVER: () => t("play:roomError.GAME_OVER"),
  GAME_NOT_OVER: () => t("play:roomError.GAME_NOT_OVER"),
  NO_OFFER: () => t("play:roomError.NO_OFFER"),
  CANNOT_ABORT: () => t("play:roomError.CANNOT_ABORT"),
  OPPONENT_CONNECTED: () => t("play:roomError.OPPONENT_CONNECTED"),
  CLAIM_TOO_EARLY: () => t("play:roomError.CLAIM_TOO_EARLY"),
  UNAVAILABLE: () => t("play:roomError.UNAVAILABLE"),
  GAME_MOVED: () => t("play:roomError.GAME_MOVED"),
  INTERNAL: () => t("play:roomError.INTERNAL"),
  CHAT_RATE_LIMITED: () => t("play:roomError.CHAT_RATE_LIMITED"),
  CHAT_TOO_LONG: () => t("play:roomError.CHAT_TOO_LONG"),
  CHAT_EMPTY: () => t("play:roomError.CHAT_EMPTY"),
};

/** The player's words for a room error (an unknown code: the server's own message). */
export function roomErrorText(e: Pick<ErrorMessage, "code" | "message">): string {
  const text = TEXTS[e.code as ErrorCode];
  return text ? text() : e.message || e.code;
}
