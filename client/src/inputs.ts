/**
 * Checks and clean-ups of what people type in the lobby (pure; problems worded in the current language).
 */
import { t } from "./i18n/index.ts";

/** Same rule as the protocol's DisplayName (repeated here so the client does not bundle zod). */
const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u;

/** A problem with a display name, or null when it is acceptable. */
export function validateName(raw: string): string | null {
  const name = raw.trim();
  if (name.length < 2) return t("account:nameShort");
  if (name.length > 20) return t("account:nameLong");
  if (!NAME_RE.test(name)) return t("account:nameChars");
  return null;
}

/** Normalise what someone typed as an invite code (or pasted as a whole invite link). */
export function normaliseInviteCode(raw: string): string {
  const fromLink = /[?&]invite=([A-Za-z0-9]+)/.exec(raw);
  return (fromLink ? fromLink[1]! : raw)
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "")
    .slice(0, 6);
}
