/**
 * HTTP API client and the guest identity. The identity token lives in
 * localStorage (it survives a reload); on start it is checked with GET /api/me
 * and replaced by a new guest when the server no longer knows it.
 */
import type { GameSummary, GuestResponse, MoveRecord, TicketResponse } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";
import { type LiveGame, parseLiveGames } from "./liveGames.ts";

/** Where the guest identity token is kept (localStorage); the operator page reads it too (admin/adminApi.ts). */
export const TOKEN_KEY = "tabula.token";

/**
 * How long an API request may take before it is given up, ms. A stalled node
 * behind nginx accepts connections and never answers (nginx waits 75 s), and
 * a browser holds at most 6 connections per host: requests left hanging
 * would soon block every other one, game re-joins included.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export interface Identity {
  token: string;
  id: string;
  name: string;
}

export interface InviteInfo {
  code: string;
  game: GameKind;
  timeControl: string;
  host: { name: string };
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
  /** Called whenever the identity changes (new guest, renamed). */
  onIdentity: (identity: Identity) => void = () => {};

  constructor(base = "", opts: { storage?: Storage | null; fetchFn?: typeof fetch } = {}) {
    this.base = base.replace(/\/$/, "");
    this.storage = opts.storage === undefined ? defaultStorage() : opts.storage;
    this.fetchFn = opts.fetchFn ?? ((input, init) => fetch(input, init));
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
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = opts.token ?? (opts.auth !== false ? this.identity?.token : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await this.fetchFn(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      if (timeout.aborted) throw new ApiError(0, "TIMEOUT", "the server did not answer in time");
      throw new ApiError(0, "NETWORK", "cannot reach the server");
    }
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const e = (data as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `${res.status} ${res.statusText}`);
    }
    return data as T;
  }

  /** An authenticated request; a 401 (unknown or expired identity) gets a fresh guest and one retry. */
  private async authed<T>(
    method: string,
    path: string,
    body?: unknown,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<T> {
    if (!this.identity) await this.ensureIdentity();
    try {
      return await this.request<T>(method, path, body, opts);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await this.newGuest(this.identity?.name);
        return this.request<T>(method, path, body, opts);
      }
      throw err;
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
    const token = this.storage?.getItem(TOKEN_KEY) ?? null;
    if (token) {
      const me = await this.fetchMe(token);
      if (this.identity) return this.identity;
      if (me) return this.setIdentity({ token, ...me });
    }
    const res = await this.request<GuestResponse>("POST", "/guest", {}, { auth: false });
    if (this.identity) return this.identity;
    return this.setIdentity({ token: res.token, id: res.player.id, name: res.player.name });
  }

  /** GET /api/me with `token`: who it is, or null when the server no longer accepts it. */
  private async fetchMe(token: string): Promise<{ id: string; name: string } | null> {
    try {
      return await this.request<{ id: string; name: string }>("GET", "/me", undefined, { token });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  }

  /** A new guest identity (POST /api/guest), optionally with a chosen name; replaces the stored one. */
  async newGuest(name?: string): Promise<Identity> {
    const body = name ? { name } : {};
    const res = await this.request<GuestResponse>("POST", "/guest", body, { auth: false });
    return this.setIdentity({ token: res.token, id: res.player.id, name: res.player.name });
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

  createInvite(game: GameKind, timeControl?: string): Promise<TicketResponse> {
    return this.authed("POST", "/invites", { game, timeControl });
  }

  inviteInfo(code: string): Promise<InviteInfo> {
    return this.request("GET", `/invites/${encodeURIComponent(code)}`);
  }

  acceptInvite(code: string): Promise<{ gameId: string }> {
    return this.authed("POST", `/invites/${encodeURIComponent(code)}/accept`, {});
  }

  botGame(game: GameKind, timeControl?: string): Promise<{ gameId: string }> {
    return this.authed("POST", "/bot-games", { game, timeControl });
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
    const token = this.identity?.token;
    if (token) await this.request("GET", "/me", undefined, { token, timeoutMs: 5000 });
  }

  /** Players online and live games (GET /api/stats); given up after 5 s (the top bar then says "offline"). */
  stats(): Promise<Stats> {
    return this.request("GET", "/stats", undefined, { auth: false, timeoutMs: 5000 });
  }
}

/** A short, human message for an error thrown by the API or the network. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
