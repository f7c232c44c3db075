/**
 * Accounts and sessions over HTTP (docs/protocol.md, "Accounts and sessions"):
 * register (or claim the calling guest), log in, refresh, log out, change the
 * password. An account's session is a short-lived access token (the same
 * Bearer token a guest has, with the `acct` claim) and a rotating refresh
 * token; a guest keeps its long-lived guest token.
 */
import { z } from "zod";
// Lazily: index.ts re-exports this file, so DisplayName is not defined yet while this module is evaluated.
import { DisplayName } from "./index.ts";

/** Shortest and longest password, in characters (code points): NIST 800-63B, no composition rules. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** A new password: 8–128 characters, anything allowed (spaces and any Unicode included). */
export const Password = z
  .string()
  .max(PASSWORD_MAX * 4) // bound the work before counting code points
  .refine((s) => [...s].length >= PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`)
  .refine((s) => [...s].length <= PASSWORD_MAX, `at most ${PASSWORD_MAX} characters`);

/** A refresh token as issued: 32 random bytes, base64url without padding (43 characters). */
export const RefreshTokenText = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "a refresh token as issued (43 base64url characters)");

const sameAsName = (name: string, password: string) => password.trim().toLowerCase() === name.trim().toLowerCase();

/**
 * POST /api/accounts: a new account named `name` with `password`. With a guest's Bearer token, that guest
 * becomes the account (same player id and games), under `name` (its own guest name or any free one).
 */
export const RegisterRequest = z
  .strictObject({ name: z.lazy(() => DisplayName), password: Password })
  .refine((b) => !sameAsName(b.name, b.password), { message: "the password must not be the username", path: ["password"] });

/** POST /api/sessions: log in. Any text is accepted as a name here (an unknown one answers BAD_CREDENTIALS). */
export const LoginRequest = z.strictObject({
  name: z.string().trim().min(1, "required").max(64),
  password: z
    .string()
    .min(1, "required")
    .max(PASSWORD_MAX * 4),
});

/** POST /api/sessions/refresh and POST /api/sessions/logout: the session's current refresh token. */
export const RefreshRequest = z.strictObject({ refreshToken: RefreshTokenText });

/** POST /api/accounts/password (with the account's access token): the current password and the new one. */
export const PasswordChangeRequest = z.strictObject({
  currentPassword: z
    .string()
    .min(1, "required")
    .max(PASSWORD_MAX * 4),
  newPassword: Password,
});

/** What register, login, refresh and password change answer: a new session's tokens. */
export interface SessionResponse {
  /** The access token: send it as `Authorization: Bearer …` (API and seat reservations). */
  token: string;
  /** When `token` expires, epoch ms (ACCESS_TOKEN_TTL_S after issue): refresh before. */
  tokenExpiresAt: number;
  /** The refresh token: single use, exchanged at POST /api/sessions/refresh for the next pair. */
  refreshToken: string;
  /** When `refreshToken` expires, epoch ms (REFRESH_TOKEN_TTL_DAYS after issue). */
  refreshExpiresAt: number;
  player: { id: string; name: string; account: true };
}

/** GET /api/me: who the token names, and whether it is a registered account (false: a guest). */
export interface MeResponse {
  id: string;
  name: string;
  account: boolean;
}
