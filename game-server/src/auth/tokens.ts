/**
 * Identity tokens: HS256 JWTs (jose) carrying the player's id and name.
 * Guests get one from POST /api/guest and send it as a Bearer token on HTTP
 * and with every room join.
 */
import { jwtVerify, SignJWT, errors } from "jose";

export interface Identity {
  playerId: string;
  name: string;
}

export class AuthError extends Error {
  readonly code = "UNAUTHENTICATED";
}

const ISSUER = "tabula";

export interface TokenService {
  sign(identity: Identity): Promise<string>;
  /** Verify a token; throws AuthError with a readable reason when it is missing, malformed, expired or forged. */
  verify(token: string | undefined | null): Promise<Identity>;
}

/** Create a token service with `secret` (HS256) and tokens valid for `ttlDays` days. */
export function createTokenService(secret: string, ttlDays: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async sign({ playerId, name }) {
      return new SignJWT({ name })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(playerId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(`${ttlDays}d`)
        .sign(key);
    },
    async verify(token) {
      if (!token) throw new AuthError("missing identity token");
      if (token.length > 2048) throw new AuthError("identity token too long");
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ["HS256"] });
        if (typeof payload.sub !== "string" || typeof payload.name !== "string") {
          throw new AuthError("identity token lacks subject or name");
        }
        return { playerId: payload.sub, name: payload.name };
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
