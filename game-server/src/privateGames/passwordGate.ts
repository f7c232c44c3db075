/**
 * The password check of private games, shared by accepting an invite (HTTP
 * API) and watching a game (the seat reservation): the throttle first, then
 * Argon2id verification (auth/passwords.ts), then the count of wrong ones.
 *
 * Wrong passwords are counted per (client address, game or invite) and per
 * (player, game or invite), over a fixed window from the first wrong one
 * (GAME_PASSWORD_WINDOW_S). Past GAME_PASSWORD_MAX_WRONG in either, every
 * attempt — the right password too — is refused with "try again in N s"
 * until the window ends, without spending a verification. Two keys because an
 * address alone can be forged where no proxy sets it (a node reached
 * directly), and a player alone is cheap (guests are made per real address).
 * Counted where every node sees them: in Redis (the express-rate-limit stores
 * of http/rateLimit.ts) in a cluster, in memory on one node.
 *
 * The password itself goes nowhere but into the verification: not into a log
 * line, an audit row, an error or a counter key.
 */
import type { HttpErrorBody, PasswordRefusal } from "@tabula/shared/protocol";
import { MemoryStore, type Options, type Store } from "express-rate-limit";
import type { Redis } from "ioredis";
import type { AuditSink } from "../audit/writer.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { ClientError } from "../errors.ts";
import { sharedStore } from "../http/rateLimit.ts";
import type { Logger } from "../log.ts";

/** What is being unlocked: an open invite (by its code) or a live game (by its id). */
export type PasswordScope = { invite: string } | { gameId: string };

export interface PasswordAttempt {
  /** The stored Argon2id hash; null: the thing is not private (any attempt passes without a check). */
  hash: string | null;
  /** What the client gave; undefined or empty: none. */
  password: string | undefined;
  scope: PasswordScope;
  /** The client's address as the node sees it (behind nginx: the forwarded one), if known. */
  ip: string | undefined;
  playerId: string;
}

/**
 * A refused attempt: the protocol's code (an HTTP error of its own: 403, or 429 throttled), a
 * message for people, and (throttled) the seconds to wait, which the HTTP body carries as `retryAfterS`.
 */
export class PasswordRefused extends ClientError {
  declare readonly code: PasswordRefusal;
  readonly retryAfterS: number | undefined;

  constructor(code: PasswordRefusal, message: string, retryAfterS?: number) {
    super(code, message);
    this.retryAfterS = retryAfterS;
  }

  body(): HttpErrorBody {
    const b = super.body();
    if (this.retryAfterS !== undefined) b.error.retryAfterS = this.retryAfterS;
    return b;
  }
}

export interface PasswordGate {
  /** Resolves when `a` may pass (right password, or nothing to check); rejects with PasswordRefused. */
  check(a: PasswordAttempt): Promise<void>;
  /** Stop the in-memory counters' timers. */
  close(): void;
}

export interface PasswordGateOptions {
  /** Wrong passwords allowed per key and window (default 5). */
  maxWrong?: number;
  /** The window, s (default 300). */
  windowS?: number;
  /** The node's Redis (cluster): counts shared by the nodes. Unset: counted in memory. */
  redis?: Redis;
  log: Logger;
  audit?: AuditSink;
  /** The verification (default auth/passwords.ts verifyPassword); tests may count calls. */
  verify?: (hash: string | null, password: string) => Promise<boolean>;
}

export function createPasswordGate(opts: PasswordGateOptions): PasswordGate {
  const maxWrong = opts.maxWrong ?? 5;
  const windowMs = (opts.windowS ?? 300) * 1000;
  const verify = opts.verify ?? verifyPassword;
  const store: Store = opts.redis ? sharedStore(opts.redis, "pw", opts.log) : new MemoryStore();
  void store.init?.({ windowMs } as Options);

  const keysOf = (a: PasswordAttempt) => {
    const target = "invite" in a.scope ? `i:${a.scope.invite}` : `g:${a.scope.gameId}`;
    return [`${target}|p:${a.playerId}`, ...(a.ip ? [`${target}|ip:${a.ip}`] : [])];
  };

  function audit(a: PasswordAttempt, kind: "password.wrong" | "password.limited") {
    const scope = "invite" in a.scope ? "invite" : "game";
    const gameId = "gameId" in a.scope ? a.scope.gameId : null;
    const invite = "invite" in a.scope ? { invite: a.scope.invite } : {};
    opts.audit?.record({ kind, playerId: a.playerId, gameId, ip: a.ip ?? null, detail: { scope, ...invite } });
  }

  return {
    async check(a) {
      if (a.hash === null) return;
      const keys = keysOf(a);
      const now = Date.now();
      // Seconds until the last throttled key's window ends (0: none is throttled).
      let waitS = 0;
      for (const info of await Promise.all(keys.map((k) => store.get?.(k)))) {
        if (info && info.totalHits >= maxWrong && info.resetTime && info.resetTime.getTime() > now) {
          waitS = Math.max(waitS, Math.ceil((info.resetTime.getTime() - now) / 1000));
        }
      }
      if (waitS > 0) {
        audit(a, "password.limited");
        throw new PasswordRefused("PASSWORD_THROTTLED", `too many wrong passwords; try again in ${waitS} s`, waitS);
      }
      if (!a.password) throw new PasswordRefused("PASSWORD_REQUIRED", "this game is private: give its password");
      if (await verify(a.hash, a.password)) return;
      await Promise.all(keys.map((k) => store.increment(k)));
      audit(a, "password.wrong");
      opts.log.info(
        { ...("gameId" in a.scope ? { gameId: a.scope.gameId } : {}), player: a.playerId },
        "wrong private-game password",
      );
      throw new PasswordRefused("WRONG_PASSWORD", "wrong password");
    },
    close() {
      void store.shutdown?.();
    },
  };
}
