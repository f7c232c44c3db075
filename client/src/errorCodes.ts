/**
 * Server errors in the player's language. The server answers with a code from
 * a closed set (HTTP_ERRORS for the API, ROOM_ERRORS in a game room:
 * game-server/shared/src/protocol); its `message` is for developers and logs,
 * in English, and is never shown to a player. Each code has its string
 * `errors:code.<CODE>` (parity.test.ts fails when one is missing), with
 * `{{wait}}` filled for the codes that say when to try again. The client's own
 * failures have codes too: TIMEOUT, NETWORK, SESSION_LOST.
 */
import { hasKey, t } from "./i18n/index.ts";

/** "40 s", "14 min", or "a few minutes" when the server did not say: how long to wait, for `{{wait}}`. */
export function waitText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return t("errors:waitUnknown");
  const s = Math.max(1, Math.ceil(seconds));
  return s >= 60 ? t("errors:waitMinutes", { n: Math.ceil(s / 60) }) : t("errors:waitSeconds", { n: s });
}

/** Whether `code` has a translation (a server or client error code). */
export function isKnownCode(code: string): boolean {
  return /^[A-Z0-9_]+$/.test(code) && hasKey(`errors:code.${code}`);
}

/**
 * What error `code` says to the player, in the current language; `retryAfterS` fills the wait of
 * the throttled codes. An unknown code (a newer server) is named with its HTTP `status` if any.
 */
export function codeText(code: string, opts: { retryAfterS?: number | null; status?: number } = {}): string {
  if (isKnownCode(code)) return t(`errors:code.${code}`, { wait: waitText(opts.retryAfterS) });
  return t("errors:httpStatus", { status: opts.status ? `${opts.status} ${code}` : code });
}
