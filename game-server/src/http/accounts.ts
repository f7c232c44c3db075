/**
 * Accounts and sessions over HTTP (docs/protocol.md, "Accounts and sessions";
 * docs/security.md, "Accounts"): register or claim the calling guest, log in,
 * refresh, log out, change the password.
 *
 * Login answers an unknown name and a wrong password alike (BAD_CREDENTIALS,
 * same message, one Argon2id verification each: verifyPassword's decoy), and
 * both count against the per-name and per-IP throttle (auth/loginThrottle.ts).
 * Passwords and tokens are never logged or audited.
 */
import {
  LoginRequest,
  type MeResponse,
  PasswordChangeRequest,
  RefreshRequest,
  RegisterRequest,
  type SessionResponse,
} from "@tabula/shared/protocol";
import type { Request, RequestHandler, Response, Router } from "express";
import { MemoryStore } from "express-rate-limit";
import { createLoginThrottle, type LoginThrottle, type ThrottleVerdict } from "../auth/loginThrottle.ts";
import { hashPassword, needsRehash, verifyPassword } from "../auth/passwords.ts";
import { createRefreshSessions, type IssuedRefresh, type RefreshSessions } from "../auth/sessions.ts";
import type { Identity } from "../auth/tokens.ts";
import { claimGuest, createAccount, findById, findByName, setPasswordHash } from "../db/accounts.ts";
import { nameKey } from "../db/players.ts";
import { createRefreshStore } from "../db/refreshTokens.ts";
import { ClientError } from "../errors.ts";
import type { ApiDeps } from "./api.ts";
import type { Identify } from "./identity.ts";
import { parse, route } from "./middleware.ts";
import { refuseTakenName } from "./names.ts";
import { sharedStore } from "./rateLimit.ts";

/** Accounts' settings (config.ts: ACCESS_TOKEN_TTL_S, REFRESH_TOKEN_TTL_DAYS, LOGIN_FAILURES_PER_*, LOGIN_THROTTLE_WINDOW_S). */
export interface AccountSettings {
  accessTtlS: number;
  refreshTtlDays: number;
  failuresPerName: number;
  failuresPerIp: number;
  throttleWindowS: number;
}

/** The defaults of config.ts, for an API built without settings (tests that only list routes). */
const DEFAULTS: AccountSettings = {
  accessTtlS: 900,
  refreshTtlDays: 30,
  failuresPerName: 5,
  failuresPerIp: 20,
  throttleWindowS: 900,
};

const BAD_CREDENTIALS = "wrong name or password";

interface Services {
  settings: AccountSettings;
  sessions: RefreshSessions;
  prune: (playerId: string) => Promise<void>;
  throttle: LoginThrottle;
}

/**
 * Add the account and session routes to `api` (the /api router): POST /accounts (behind `registerLimit`,
 * the guest-creation limit: a registration is a new identity too), POST /accounts/password, POST /sessions,
 * POST /sessions/refresh, POST /sessions/logout. Services are made on the first request.
 */
export function mountAccounts(api: Router, deps: ApiDeps, identify: Identify, registerLimit: RequestHandler): void {
  let made: Services | undefined;
  const services = (): Services => {
    if (made) return made;
    const settings = deps.accounts ?? DEFAULTS;
    const store = createRefreshStore(deps.db);
    const counter = (name: string) => (deps.redis ? sharedStore(deps.redis, name, deps.log) : new MemoryStore());
    made = {
      settings,
      sessions: createRefreshSessions(store, settings.refreshTtlDays * 86_400_000),
      prune: (playerId) => store.prune(playerId, Date.now()),
      throttle: createLoginThrottle(
        { byName: counter("login-name"), byIp: counter("login-ip") },
        { perName: settings.failuresPerName, perIp: settings.failuresPerIp, windowMs: settings.throttleWindowS * 1000 },
      ),
    };
    return made;
  };

  /** A session's answer: an access token for `player` and the refresh token `issued`. */
  const session = async (player: { id: string; name: string }, issued: IssuedRefresh): Promise<SessionResponse> => {
    const ttlS = services().settings.accessTtlS;
    const issuedAtS = Math.floor(Date.now() / 1000);
    const token = await deps.tokens.sign({ playerId: player.id, name: player.name, account: true }, ttlS);
    return {
      token,
      tokenExpiresAt: (issuedAtS + ttlS) * 1000,
      refreshToken: issued.token,
      refreshExpiresAt: issued.expiresAt,
      player: { id: player.id, name: player.name, account: true },
    };
  };

  /** Answer 429 LOGIN_THROTTLED with Retry-After, and audit it (once per client per window). */
  const throttled = (req: Request, res: Response, verdict: Exclude<ThrottleVerdict, { ok: true }>, playerId?: string) => {
    deps.audit?.record({ kind: "login.throttled", ip: req.ip, playerId, detail: { scope: verdict.scope } });
    res
      .status(429)
      .set("Retry-After", String(verdict.retryAfterS))
      .json({
        error: {
          code: "LOGIN_THROTTLED",
          message: `too many failed logins; try again in ${verdict.retryAfterS} s`,
          retryAfterS: verdict.retryAfterS,
        },
      });
  };

  api.post(
    "/accounts",
    registerLimit,
    route(async (req, res) => {
      const body = parse(RegisterRequest, req.body);
      // With a Bearer token the caller is a guest claiming this account; a bad token is a 401, not a new account.
      const guest: Identity | undefined = req.header("authorization") ? await identify(req) : undefined;
      if (guest?.account) throw new ClientError("ALREADY_REGISTERED", "you are already logged in to an account");
      const hash = await hashPassword(body.password);
      let player: { id: string; name: string };
      if (guest) {
        const outcome = await claimGuest(deps.db, guest.playerId, body.name, hash);
        if (outcome === "taken") await refuseTakenName(deps.db, body.name);
        if (outcome === "not-guest") throw new ClientError("ALREADY_REGISTERED", "this player is already an account");
        player = { id: guest.playerId, name: body.name };
      } else {
        const row = await createAccount(deps.db, body.name, hash);
        player = row ?? (await refuseTakenName(deps.db, body.name));
      }
      deps.online.touch(player.id);
      deps.log.info({ player: player.id, claimed: guest !== undefined }, "account registered");
      deps.audit?.record({
        kind: "account.registered",
        playerId: player.id,
        ip: req.ip,
        detail: { name: player.name, claimed: guest !== undefined },
      });
      const answer = await session(player, await services().sessions.start(player.id));
      res.status(201);
      return answer;
    }),
  );

  api.post(
    "/sessions",
    route(async (req, res) => {
      const { name, password } = parse(LoginRequest, req.body);
      const { throttle, sessions, prune } = services();
      const key = nameKey(name);
      const ip = req.ip ?? "";
      const verdict = await throttle.check(key, ip);
      if (!verdict.ok) return throttled(req, res, verdict);
      const row = await findByName(deps.db, name);
      // A guest, a bot or no such name: the decoy verification, so all three cost what a wrong password costs.
      const hash = row?.passwordHash ?? null;
      if (!(await verifyPassword(hash, password))) {
        await throttle.failed(key, ip);
        deps.audit?.record({
          kind: "login.failed",
          ip: req.ip,
          playerId: hash ? row?.id : undefined,
          detail: { known: hash !== null },
        });
        throw new ClientError("BAD_CREDENTIALS", BAD_CREDENTIALS);
      }
      const player = row as NonNullable<typeof row>;
      await throttle.succeeded(key);
      if (needsRehash(hash as string)) await setPasswordHash(deps.db, player.id, await hashPassword(password));
      await prune(player.id);
      deps.online.touch(player.id);
      deps.audit?.record({ kind: "login", playerId: player.id, ip: req.ip, detail: { name: player.name, method: "password" } });
      return session(player, await sessions.start(player.id));
    }),
  );

  api.post(
    "/sessions/refresh",
    route(async (req) => {
      const { refreshToken } = parse(RefreshRequest, req.body);
      const outcome = await services().sessions.refresh(refreshToken);
      if (outcome.kind === "reuse") {
        deps.log.warn(
          { player: outcome.playerId, family: outcome.familyId },
          "a rotated refresh token was presented again: session revoked",
        );
        deps.audit?.record({
          kind: "session.reuse",
          playerId: outcome.playerId,
          ip: req.ip,
          detail: { familyId: outcome.familyId },
        });
      }
      if (outcome.kind !== "ok") throw new ClientError("BAD_REFRESH_TOKEN", refreshRefusal[outcome.kind]);
      const player = await findById(deps.db, outcome.next.playerId);
      if (!player) throw new ClientError("BAD_REFRESH_TOKEN", refreshRefusal.unknown);
      deps.online.touch(player.id);
      return session(player, outcome.next);
    }),
  );

  api.post(
    "/sessions/logout",
    route(async (req) => {
      const { refreshToken } = parse(RefreshRequest, req.body);
      const revoked = await services().sessions.revoke(refreshToken);
      if (revoked) {
        deps.audit?.record({
          kind: "session.logout",
          playerId: revoked.playerId,
          ip: req.ip,
          detail: { familyId: revoked.familyId },
        });
      }
      return { revoked: revoked !== undefined };
    }),
  );

  api.post(
    "/accounts/password",
    route(async (req, res) => {
      const me = await identify(req);
      const body = parse(PasswordChangeRequest, req.body);
      const row = me.account ? await findById(deps.db, me.playerId) : null;
      if (!row?.passwordHash) throw new ClientError("ACCOUNT_REQUIRED", "only an account has a password to change");
      if (body.newPassword.trim().toLowerCase() === row.name.trim().toLowerCase()) {
        throw new ClientError("BAD_REQUEST", "newPassword: the password must not be the username");
      }
      // A stolen access token must not make the password guessable: the same throttle as logins.
      const { throttle, sessions } = services();
      const key = nameKey(row.name);
      const ip = req.ip ?? "";
      const verdict = await throttle.check(key, ip);
      if (!verdict.ok) return throttled(req, res, verdict, row.id);
      if (!(await verifyPassword(row.passwordHash, body.currentPassword))) {
        await throttle.failed(key, ip);
        deps.audit?.record({ kind: "login.failed", ip: req.ip, playerId: row.id, detail: { known: true } });
        throw new ClientError("BAD_CREDENTIALS", "wrong current password");
      }
      await throttle.succeeded(key);
      await setPasswordHash(deps.db, row.id, await hashPassword(body.newPassword));
      // Every session of the account ends, this one included; the caller gets a new one.
      const sessionsRevoked = await sessions.revokeAll(row.id);
      deps.audit?.record({ kind: "password.changed", playerId: row.id, ip: req.ip, detail: { sessionsRevoked } });
      return session(row, await sessions.start(row.id));
    }),
  );
}

const refreshRefusal = {
  unknown: "unknown refresh token: log in again",
  expired: "the refresh token expired: log in again",
  revoked: "the session was ended (logout, password change or reuse): log in again",
  reuse: "this refresh token was already used: the session is ended, log in again",
} as const;

/** GET /api/me's answer for `me`. */
export function meResponse(me: Identity): MeResponse {
  return { id: me.playerId, name: me.name, account: me.account === true };
}
