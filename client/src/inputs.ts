/**
 * Checks and clean-ups of what people type in the lobby (pure).
 */

/** Same rule as the protocol's DisplayName (repeated here so the client does not bundle zod). */
const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u;

/** A problem with a display name, or null when it is acceptable. */
export function validateName(raw: string): string | null {
  const name = raw.trim();
  if (name.length < 2) return "Name: at least 2 characters";
  if (name.length > 20) return "Name: at most 20 characters";
  if (!NAME_RE.test(name)) return "Name: letters, digits, spaces, '_' and '-' only";
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
