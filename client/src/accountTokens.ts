/**
 * An account's session in the browser: the short-lived access token and the
 * refresh token (docs/protocol.md, "Accounts and sessions"), kept in
 * localStorage so a reload stays logged in.
 *
 * The access token is renewed before it expires (a timer, at `refreshAt`:
 * a quarter of its life, at most a minute, before the end) and whenever a
 * caller needs one that is about to expire (`fresh`). A refresh token works
 * once and a second use ends the session, so refreshes never overlap: one in
 * flight per page, and across the tabs of one browser they take turns
 * (Web Locks); a tab that waited adopts what the other stored instead of
 * spending the same token again.
 */
import type { SessionResponse } from "@tabula/shared/protocol";

/** Where the session is kept (localStorage). The access token is also under api.ts' TOKEN_KEY. */
export const SESSION_KEY = "tabula.session";

/** After a refresh failed for want of a network (not a refusal), try again this soon, ms. */
export const REFRESH_RETRY_MS = 5_000;

export interface AccountSession {
  token: string;
  /** Epoch ms. */
  tokenExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  /** When to renew the access token, epoch ms. */
  refreshAt: number;
  id: string;
  name: string;
}

/** The server refused the refresh token (revoked, reused, expired): the session is over; log in again. */
export class SessionLostError extends Error {
  constructor(message = "your session ended; log in again") {
    super(message);
    this.name = "SessionLostError";
  }
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

export interface AccountTokensDeps {
  storage: Storage | null;
  /** POST /api/sessions/refresh. Rejects with an error whose `status` is 401 when the token is refused. */
  refresh(refreshToken: string): Promise<SessionResponse>;
  /** Called with the new session after each refresh, and with null when the session was lost. */
  changed(session: AccountSession | null): void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Run `fn` while holding the browser-wide refresh lock (default: Web Locks when the browser has them). */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** When to renew a token expiring at `expiresAt`, received at `now`: a quarter of its life before, at most 60 s. */
export function refreshTime(expiresAt: number, now: number): number {
  const life = Math.max(0, expiresAt - now);
  return expiresAt - Math.min(60_000, life / 4);
}

function webLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request("tabula.refresh", fn) as Promise<T>) : fn();
}

export class AccountTokens {
  session: AccountSession | null = null;
  private readonly deps: AccountTokensDeps;
  private readonly now: () => number;
  private timer: unknown;
  private inFlight: Promise<string> | null = null;

  constructor(deps: AccountTokensDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** The stored session, if any (and its renewal scheduled); null when none or its refresh token expired. */
  load(): AccountSession | null {
    const stored = this.read();
    if (!stored || stored.refreshExpiresAt <= this.now()) {
      if (stored) this.clear();
      return null;
    }
    this.session = stored;
    this.schedule();
    return stored;
  }

  /** Keep a session the server just answered (register, login, refresh, password change). */
  adopt(res: SessionResponse): AccountSession {
    const session: AccountSession = {
      token: res.token,
      tokenExpiresAt: res.tokenExpiresAt,
      refreshToken: res.refreshToken,
      refreshExpiresAt: res.refreshExpiresAt,
      refreshAt: refreshTime(res.tokenExpiresAt, this.now()),
      id: res.player.id,
      name: res.player.name,
    };
    this.session = session;
    try {
      this.deps.storage?.setItem(SESSION_KEY, JSON.stringify(session));
    } catch {
      // Private mode or a full storage: the session lasts as long as the page.
    }
    this.schedule();
    return session;
  }

  /** Forget the session (logout, or lost). */
  clear(): void {
    this.session = null;
    this.cancel();
    this.deps.storage?.removeItem(SESSION_KEY);
  }

  /** An access token good for a while yet: the current one, or a renewed one when its time has come. */
  async fresh(): Promise<string> {
    const s = this.session;
    if (!s) throw new SessionLostError("not logged in");
    if (this.now() < s.refreshAt) return s.token;
    return this.refreshNow();
  }

  /**
   * Renew the access token now (single flight). Rejects with SessionLostError
   * (and forgets the session) when the server refuses the refresh token, or
   * with the network's error, keeping the session, when it cannot be asked.
   */
  refreshNow(): Promise<string> {
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async renew(): Promise<string> {
    const spent = this.session?.refreshToken;
    if (!spent) throw new SessionLostError("not logged in");
    return (this.deps.lock ?? webLock)(async () => {
      // Another tab may have renewed it while this one waited for the lock: use its session, not the spent token.
      const stored = this.read();
      if (stored && stored.refreshToken !== spent && stored.id === this.session?.id && this.now() < stored.refreshAt) {
        this.session = stored;
        this.schedule();
        this.deps.changed(stored);
        return stored.token;
      }
      let res: SessionResponse;
      try {
        res = await this.deps.refresh(stored?.refreshToken ?? spent);
      } catch (err) {
        if ((err as { status?: number }).status === 401) {
          this.clear();
          this.deps.changed(null);
          throw new SessionLostError((err as Error).message);
        }
        this.retrySoon();
        throw err;
      }
      const session = this.adopt(res);
      this.deps.changed(session);
      return session.token;
    });
  }

  private read(): AccountSession | null {
    try {
      const raw = this.deps.storage?.getItem(SESSION_KEY);
      if (!raw) return null;
      const s = JSON.parse(raw) as AccountSession;
      return typeof s.token === "string" && typeof s.refreshToken === "string" && typeof s.refreshAt === "number" ? s : null;
    } catch {
      return null;
    }
  }

  private schedule(): void {
    this.cancel();
    const s = this.session;
    if (!s) return;
    this.arm(Math.max(0, s.refreshAt - this.now()));
  }

  private retrySoon(): void {
    this.cancel();
    if (this.session) this.arm(REFRESH_RETRY_MS);
  }

  private arm(ms: number): void {
    const set = this.deps.setTimer ?? ((fn: () => void, d: number) => setTimeout(fn, d));
    // Timers cannot wait longer than 2^31-1 ms (~24 days): a longer wait just renews early.
    this.timer = set(() => void this.refreshNow().catch(() => {}), Math.min(ms, 2 ** 31 - 1));
  }

  private cancel(): void {
    if (this.timer === undefined) return;
    (this.deps.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = undefined;
  }
}
