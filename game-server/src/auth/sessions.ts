/**
 * Accounts' sessions: a short-lived access token (auth/tokens.ts, with the
 * `acct` claim) and a rotating refresh token.
 *
 * A refresh token is 32 random bytes (base64url); only its SHA-256 is stored,
 * so a copy of the table logs nobody in. Each login starts a family; each
 * refresh marks the presented token rotated and issues the next one of the
 * same family, in one transaction with the presented row locked, so two
 * refreshes with one token cannot both succeed. Presenting a token that was
 * already rotated means two parties hold the family (a thief and its owner):
 * the whole family is revoked and both must log in again (OAuth 2.0 Security
 * BCP, "refresh token rotation"). Logout revokes the family; a password change
 * revokes every family of the player.
 *
 * The logic here runs over RefreshStore (db/refreshTokens.ts is PostgreSQL's),
 * so rotation and reuse detection are unit-tested with an in-memory store.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";

/** A stored refresh token (times in epoch ms). */
export interface RefreshRow {
  /** SHA-256 of the token, hex. */
  hash: string;
  familyId: string;
  playerId: string;
  expiresAt: number;
  rotatedAt: number | null;
  revokedAt: number | null;
}

/** What a refresh does inside its one transaction. */
export interface RefreshTx {
  /** The row of `hash`, locked until the transaction ends (null: none). */
  lock(hash: string): Promise<RefreshRow | null>;
  markRotated(hash: string, at: number): Promise<void>;
  insert(row: Omit<RefreshRow, "rotatedAt" | "revokedAt">): Promise<void>;
  /** Revoke every token of `familyId` not revoked yet; resolves how many. */
  revokeFamily(familyId: string, at: number): Promise<number>;
}

/** Where refresh tokens are kept. */
export interface RefreshStore {
  /** Run `fn` in one transaction: all its writes commit together when it resolves, none when it throws. */
  transaction<T>(fn: (tx: RefreshTx) => Promise<T>): Promise<T>;
  /** Revoke every family of `playerId` (password change); resolves how many families. */
  revokePlayer(playerId: string, at: number): Promise<number>;
}

/** A newly issued refresh token (its text is shown once, to the client, and never stored). */
export interface IssuedRefresh {
  token: string;
  familyId: string;
  playerId: string;
  expiresAt: number;
}

/**
 * What presenting a refresh token led to: `ok` with the next token; `reuse` (an already rotated token:
 * its family was revoked just now); `unknown`, `expired` or `revoked` (nothing changed).
 */
export type RefreshOutcome =
  | { kind: "ok"; next: IssuedRefresh }
  | { kind: "reuse"; playerId: string; familyId: string }
  | { kind: "unknown" | "expired" | "revoked"; playerId?: string };

/** SHA-256 of a refresh token, hex: what is stored and looked up. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new refresh token: 32 random bytes, base64url (43 characters). */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface RefreshSessions {
  /** Start a new family for `playerId` (a login or a registration) and issue its first token. */
  start(playerId: string): Promise<IssuedRefresh>;
  /** Exchange `token` for the next one of its family, or detect its reuse (see RefreshOutcome). */
  refresh(token: string): Promise<RefreshOutcome>;
  /** Revoke the family of `token` (logout); resolves its player, or undefined when the token is unknown. */
  revoke(token: string): Promise<{ playerId: string; familyId: string } | undefined>;
  /** Revoke every family of `playerId`; resolves how many. */
  revokeAll(playerId: string): Promise<number>;
}

/** Refresh sessions over `store`, tokens valid `ttlMs` from issue (each rotation starts anew); `now` is epoch ms. */
export function createRefreshSessions(store: RefreshStore, ttlMs: number, now: () => number = Date.now): RefreshSessions {
  const issue = async (tx: RefreshTx, playerId: string, familyId: string): Promise<IssuedRefresh> => {
    const token = newRefreshToken();
    const expiresAt = now() + ttlMs;
    await tx.insert({ hash: hashRefreshToken(token), familyId, playerId, expiresAt });
    return { token, familyId, playerId, expiresAt };
  };
  return {
    start: (playerId) => store.transaction((tx) => issue(tx, playerId, randomUUID())),
    refresh: (token) =>
      store.transaction(async (tx): Promise<RefreshOutcome> => {
        const hash = hashRefreshToken(token);
        const row = await tx.lock(hash);
        if (!row) return { kind: "unknown" };
        const t = now();
        if (row.revokedAt !== null) return { kind: "revoked", playerId: row.playerId };
        if (row.rotatedAt !== null) {
          // Whoever presents it now, someone else already exchanged it: end the family for both.
          await tx.revokeFamily(row.familyId, t);
          return { kind: "reuse", playerId: row.playerId, familyId: row.familyId };
        }
        if (row.expiresAt <= t) return { kind: "expired", playerId: row.playerId };
        await tx.markRotated(hash, t);
        return { kind: "ok", next: await issue(tx, row.playerId, row.familyId) };
      }),
    revoke: (token) =>
      store.transaction(async (tx) => {
        const row = await tx.lock(hashRefreshToken(token));
        if (!row) return undefined;
        await tx.revokeFamily(row.familyId, now());
        return { playerId: row.playerId, familyId: row.familyId };
      }),
    revokeAll: (playerId) => store.revokePlayer(playerId, now()),
  };
}
