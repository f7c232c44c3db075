/**
 * HTTP API client and the player's identity: a guest's token, or an account's
 * session (accountTokens.ts: access token renewed before it expires and once
 * on a 401). The token lives in localStorage (it survives a reload); on start
 * it is checked with GET /api/me and replaced by a new guest when the server
 * no longer knows it (or the account's session ended).
 */
import type {
  GameSummary,
  GuestResponse,
  MeResponse,
  MoveRecord,
  SessionResponse,
  TicketResponse,
} from "@tabula/shared/protocol";
import type { BotLevel, GameKind } from "@tabula/shared/rules";
import { AccountTokens, SessionLostError } from "./accountTokens.ts";
import { ApiError, fetchJson, REQUEST_TIMEOUT_MS } from "./apiHttp.ts";
import { type LiveGame, parseLiveGames } from "./liveGames.ts";

export { ApiError, errorText, REQUEST_TIMEOUT_MS } from "./apiHttp.ts";

/** Where the guest identity token is kept (localStorage); the operator page reads it too (admin/adminApi.ts). */
export const TOKEN_KEY = "tabula.token";

export interface Identity {
  token: string;
  id: string;
  name: string;
  /** A registered account's session (false/absent: a guest). */
  account?: boolean;
}

export interface InviteInfo {
  code: string;
  game: GameKind;
  timeControl: string;
  host: { name: string };
  /** A private game: accepting (and watching) needs its password. */
  passwordRequired: boolean;
}

export interface Stats {
  playersOnline: number;
  gamesLive: number;
  node: string;
}

export interface GameRecord {
  game: GameSummary & { seed: string };
  moves: MoveRecord[];
  /** The game's moves were archived by the server's retention (docs/database.md): `moves` is empty. */
  movesArchived?: boolean;
}

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

function defaultStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export class Api {
  private readonly base: string;
  private readonly storage: Storage | null;
  private readonly fetchFn: typeof fetch;
  identity: Identity | null = null;
  /** Called whenever the identity changes (new guest, renamed, logged in or out). */
  onIdentity: (identity: Identity) => void = () => {};
  /** The account's session, when logged in. */
  readonly session: AccountTokens;

  constructor(
    base = "",
    opts: {
      storage?: Storage | null;
      fetchFn?: typeof fetch;
      tokens?: Partial<ConstructorParameters<typeof AccountTokens>[0]>;
    } = {},
  ) {
    this.base = base.replace(/\/$/, "");
    this.storage = opts.storage === undefined ? defaultStorage() : opts.storage;
    this.fetchFn = opts.fetchFn ?? ((input, init) => fetch(input, init));
    this.session = new AccountTokens({
      storage: this.storage,
      refresh: (refreshToken) => this.request<SessionResponse>("POST", "/sessions/refresh", { refreshToken }, { auth: false }),
      changed: (s) => {
        if (s && this.identity?.account) {
          // Same player, new access token: no identity change to announce.
          this.identity = { ...this.identity, token: s.token };
          this.storage?.setItem(TOKEN_KEY, s.token);
        } else if (!s && this.identity?.account) {
          // Ended elsewhere (logout, password change, reuse): a guest from now on, shown at once.
          this.identity = null;
          void this.ensureIdentity().catch(() => {});
        }
      },
      ...opts.tokens,
    });
  }

  /** Absolute or same-origin URL of an API path, e.g. url("/stats"). */
  url(path: string): string {
    return `${this.base}/api${path}`;
  }

  get token(): string | null {
    return this.identity?.token ?? null;
  }

  /** Raw request: JSON in, JSON out; HTTP errors become ApiError with the server's code. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { signal?: AbortSignal; auth?: boolean; token?: string; timeoutMs?: number } = {},
  ): Promise<T> {
    // An account's access token is renewed first when it is about to expire (callers of request too, e.g. chat).
    if (opts.token === undefined && opts.auth !== false && this.identity?.account) await this.session.fresh().catch(() => {});
    const token = opts.token ?? (opts.auth !== false ? this.identity?.token : undefined);
    return fetchJson<T>(this.fetchFn, this.url(path), method, body, { ...opts, token });
  }

  /**
   * An authenticated request with a token good for a while yet. A 401 UNAUTHENTICATED is tried once more: an
   * account after renewing its access token, a guest (or an account whose session ended) as a fresh guest.
   */
  private async authed<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    await this.freshToken();
    try {
      return await this.request<T>(method, path, body, opts);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401 && err.code === "UNAUTHENTICATED")) throw err;
      if (this.identity?.account) {
        try {
          await this.session.refreshNow();
          return await this.request<T>(method, path, body, opts);
        } catch (again) {
          if (!(again instanceof SessionLostError)) throw again;
        }
        await this.ensureIdentity(); // the session ended: the guest its loss started (single flight)
      } else {
        await this.newGuest(this.identity?.name);
      }
      return this.request<T>(method, path, body, opts);
    }
  }

  /**
   * The token to send now (room joins ask for it at each seat reservation): a guest's, or an account's access
   * token, renewed first when it is about to expire. An account whose session ended becomes a new guest.
   */
  async freshToken(): Promise<string> {
    if (!this.identity) return (await this.ensureIdentity()).token;
    if (!this.identity.account) return this.identity.token;
    try {
      await this.session.fresh();
      return (this.identity ?? (await this.ensureIdentity())).token;
    } catch (err) {
      if (!(err instanceof SessionLostError)) throw err;
      return (await this.ensureIdentity()).token;
    }
  }

  // -------------------------------------------------------------------------
  // Identity

  private loading: Promise<Identity> | null = null;

  /**
   * The stored identity if the server still accepts it, else a new guest.
   * Single-flight; if a name was chosen (newGuest) meanwhile, that identity wins.
   */
  ensureIdentity(): Promise<Identity> {
    if (this.identity) return Promise.resolve(this.identity);
    this.loading ??= this.loadIdentity().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async loadIdentity(): Promise<Identity> {
    if (this.session.load()) {
      try {
        const token = await this.session.fresh();
        const me = await this.fetchMe(token);
        if (this.identity) return this.identity;
        if (me) return this.setIdentity({ token, id: me.id, name: me.name, account: true });
        this.session.clear();
      } catch (err) {
        // Ended elsewhere (logout, password change, reuse): a guest from here on. No network: try again later.
        if (!(err instanceof SessionLostError)) throw err;
      }
      return this.newGuest();
    }
    const token = this.storage?.getItem(TOKEN_KEY) ?? null;
    if (token) {
      const me = await this.fetchMe(token);
      if (this.identity) return this.identity;
      if (me) return this.setIdentity({ token, id: me.id, name: me.name });
    }
    const res = await this.request<GuestResponse>("POST", "/guest", {}, { auth: false });
    if (this.identity) return this.identity;
    return this.setIdentity({ token: res.token, id: res.player.id, name: res.player.name });
  }

  /** GET /api/me with `token`: who it is, or null when the server no longer accepts it. */
  private async fetchMe(token: string): Promise<MeResponse | null> {
    try {
      return await this.request<MeResponse>("GET", "/me", undefined, { token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  }

  /**
   * A new guest identity (POST /api/guest), optionally with a chosen name; replaces the stored one. A taken
   * name gets a suffix ("alice-2"), or with `suggest` is refused: ApiError NAME_TAKEN whose `suggestion` is a
   * free name to offer the player (nothing changes then).
   */
  async newGuest(name?: string, opts: { suggest?: boolean } = {}): Promise<Identity> {
    const body = name ? { name, ...(opts.suggest ? { ifTaken: "suggest" } : {}) } : {};
    const res = await this.request<GuestResponse>("POST", "/guest", body, { auth: false });
    this.session.clear(); // only once the new guest exists: a refused name leaves the player as they were
    return this.setIdentity({ token: res.token, id: res.player.id, name: res.player.name });
  }

  // -------------------------------------------------------------------------
  // Accounts (docs/protocol.md, "Accounts and sessions")

  /**
   * Create an account `name` with `password` and log in to it. With `claim` (and a guest identity now) this
   * guest becomes the account: same player, same games.
   */
  async register(name: string, password: string, claim: boolean): Promise<Identity> {
    const guest = claim && this.identity && !this.identity.account ? this.identity.token : undefined;
    const res = await this.request<SessionResponse>("POST", "/accounts", { name, password }, { auth: false, token: guest });
    return this.startSession(res);
  }

  /** Log in to account `name` (any case). Wrong name or password: ApiError BAD_CREDENTIALS; too many: LOGIN_THROTTLED. */
  async login(name: string, password: string): Promise<Identity> {
    return this.startSession(await this.request<SessionResponse>("POST", "/sessions", { name, password }, { auth: false }));
  }

  /** End the account's session (on the server too, best effort) and go on as a new guest. */
  async logout(): Promise<Identity> {
    const refreshToken = this.session.session?.refreshToken;
    this.session.clear();
    if (refreshToken) await this.request("POST", "/sessions/logout", { refreshToken }, { auth: false }).catch(() => {});
    return this.newGuest();
  }

  /** Change the account's password: every other session of it ends; this one continues with new tokens. */
  async changePassword(currentPassword: string, newPassword: string): Promise<Identity> {
    return this.startSession(await this.authed<SessionResponse>("POST", "/accounts/password", { currentPassword, newPassword }));
  }

  private startSession(res: SessionResponse): Identity {
    const s = this.session.adopt(res);
    return this.setIdentity({ token: s.token, id: s.id, name: s.name, account: true });
  }

  private setIdentity(identity: Identity): Identity {
    this.identity = identity;
    this.storage?.setItem(TOKEN_KEY, identity.token);
    this.onIdentity(identity);
    return identity;
  }

  // -------------------------------------------------------------------------
  // Matchmaking and games

  /** Quick play; `rated` (accounts only: a guest is refused with ACCOUNT_REQUIRED) asks for a rated game. */
  quickPlay(game: GameKind, timeControl?: string, rated = false): Promise<TicketResponse> {
    return this.authed("POST", "/matchmaking/quick", rated ? { game, timeControl, rated } : { game, timeControl });
  }

  pollTicket(ticket: string, waitSeconds: number, signal?: AbortSignal): Promise<TicketResponse> {
    return this.authed("GET", `/matchmaking/tickets/${encodeURIComponent(ticket)}?wait=${waitSeconds}`, undefined, {
      signal,
      // A long-poll: the server answers within `waitSeconds`.
      timeoutMs: waitSeconds * 1000 + REQUEST_TIMEOUT_MS,
    });
  }

  cancelTicket(ticket: string): Promise<TicketResponse> {
    return this.authed("DELETE", `/matchmaking/tickets/${encodeURIComponent(ticket)}`);
  }

  /** Open an invite; with `password` (4–64 characters) the game is private. */
  createInvite(game: GameKind, timeControl?: string, password?: string): Promise<TicketResponse> {
    return this.authed("POST", "/invites", { game, timeControl, ...(password ? { password } : {}) });
  }

  inviteInfo(code: string): Promise<InviteInfo> {
    return this.request("GET", `/invites/${encodeURIComponent(code)}`);
  }

  /** Accept an invite; a private one needs its `password` (403 PASSWORD_REQUIRED / WRONG_PASSWORD otherwise). */
  acceptInvite(code: string, password?: string): Promise<{ gameId: string }> {
    return this.authed("POST", `/invites/${encodeURIComponent(code)}/accept`, password ? { password } : {});
  }

  /** A game against the built-in bot at `level` (the server's default, medium, when unset). */
  botGame(game: GameKind, timeControl?: string, level?: BotLevel): Promise<{ gameId: string }> {
    return this.authed("POST", "/bot-games", { game, timeControl, level });
  }

  myGames(): Promise<{ games: GameSummary[] }> {
    return this.authed("GET", "/games?mine=1");
  }

  /** A game with its move log (GET /api/games/:id). `timeoutMs` defaults to REQUEST_TIMEOUT_MS. */
  gameRecord(gameId: string, timeoutMs?: number): Promise<GameRecord> {
    return this.request("GET", `/games/${encodeURIComponent(gameId)}`, undefined, { timeoutMs });
  }

  /** Live games on every node, newest first (GET /api/live-games; no identity needed). */
  async liveGames(signal?: AbortSignal): Promise<LiveGame[]> {
    return parseLiveGames(await this.request<unknown>("GET", "/live-games", undefined, { auth: false, signal }));
  }

  /**
   * Say "still here" (GET /api/me with our token): the server counts a player
   * online for 90 s after an authenticated request, and a page that only
   * watches the lobby makes none. Nothing happens without an identity.
   */
  async stillHere(): Promise<void> {
    if (!this.identity) return;
    const token = await this.freshToken();
    await this.request("GET", "/me", undefined, { token, timeoutMs: 5000 });
  }

  /**
   * Players online and live games (GET /api/stats); given up after 5 s (the top bar then says "offline"). With
   * an identity its token goes along, so the player asking is counted in the answer (a tab back from the
   * background, silent for longer than the server's online window, included).
   */
  stats(): Promise<Stats> {
    return this.request("GET", "/stats", undefined, { auth: this.identity !== null, timeoutMs: 5000 });
  }
}
