/**
 * Identity tokens: HS256 JWTs (jose) carrying the player's id and name.
 * Guests get one from POST /api/guest and send it as a Bearer token on HTTP
 * and with every room join.
 */
import { jwtVerify, SignJWT, errors } from "jose";

export interface Identity {
  playerId: string;
  name: string;
  /** True for a registered account (the token's `acct` claim); a guest's token has none. Rated play needs it. */
  account?: boolean;
}

export class AuthError extends Error {
  readonly code = "UNAUTHENTICATED";
}

const ISSUER = "tabula";

export interface TokenService {
  /** Sign `identity`, valid `ttlS` seconds (default: the service's `ttlDays`; accounts' access tokens are shorter). */
  sign(identity: Identity, ttlS?: number): Promise<string>;
  /** Verify a token; throws AuthError with a readable reason when it is missing, malformed, expired or forged. */
  verify(token: string | undefined | null): Promise<Identity>;
}

/** Verified tokens remembered at most this long, ms (never past their own expiry). */
const REMEMBER_MS = 5 * 60_000;
/** Verified tokens remembered at most, per node (oldest forgotten first). */
const REMEMBER_MAX = 20_000;

/**
 * Create a token service with `secret` (HS256) and tokens valid for `ttlDays`
 * days; `now` is the clock (epoch ms) expiry is checked against.
 *
 * A player sends the same token with every request and every room join (a
 * think-0 Connect Four pair joins a new room every ~30 moves), and jose's
 * HMAC check goes through WebCrypto's asynchronous job queue: so a verified
 * token is remembered, by its exact text, until the earlier of its expiry and
 * REMEMBER_MS. A forged or altered token is different text and is verified.
 */
export function createTokenService(secret: string, ttlDays: number, now: () => number = Date.now): TokenService {
  const key = new TextEncoder().encode(secret);
  const verified = new Map<string, { identity: Identity; until: number; expires: number }>();
  const remember = (token: string, identity: Identity, expires: number) => {
    if (verified.size >= REMEMBER_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(token, { identity, until: Math.min(expires, now() + REMEMBER_MS), expires });
  };
  return {
    async sign({ playerId, name, account }, ttlS) {
      return new SignJWT(account ? { name, acct: true } : { name })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(playerId)
        .setIssuer(ISSUER)
        .setIssuedAt(Math.floor(now() / 1000))
        .setExpirationTime(
          ttlS === undefined ? Math.floor(now() / 1000) + Math.round(ttlDays * 86_400) : Math.floor(now() / 1000) + ttlS,
        )
        .sign(key);
    },
    async verify(token) {
      if (!token) throw new AuthError("missing identity token");
      if (token.length > 2048) throw new AuthError("identity token too long");
      const known = verified.get(token);
      if (known) {
        const t = now();
        if (t < known.until) return known.identity;
        verified.delete(token);
        if (t >= known.expires) throw new AuthError("identity token expired");
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          algorithms: ["HS256"],
          currentDate: new Date(now()),
        });
        if (typeof payload.sub !== "string" || typeof payload.name !== "string") {
          throw new AuthError("identity token lacks subject or name");
        }
        const identity: Identity = { playerId: payload.sub, name: payload.name };
        if (payload.acct === true) identity.account = true;
        if (typeof payload.exp === "number") remember(token, identity, payload.exp * 1000);
        return identity;
      } catch (err) {
        if (err instanceof AuthError) throw err;
        if (err instanceof errors.JWTExpired) throw new AuthError("identity token expired");
        throw new AuthError("invalid identity token");
      }
    },
  };
}

/** The token from an `Authorization: Bearer …` header value, if any. */
export function bearerToken(header: string | undefined | null): string | undefined {
  const m = header?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}
