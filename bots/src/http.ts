/**
 * The HTTP half of the public protocol (docs/protocol.md), as the bots use it.
 * Every failure becomes an `HttpFailure` whose `kind` is the error counter it
 * belongs to: `http_<status>_<CODE>` (e.g. http_503_UNAVAILABLE),
 * `http_network_<ERRNO>` or `http_timeout`. A request cut short by the run's
 * stop signal throws `Stopped`, which is not an error.
 */
import type { GuestResponse, TicketResponse } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";

export class HttpFailure extends Error {
  readonly kind: string;
  readonly status: number | null;
  readonly code: string | null;
  /** The operation, ids elided: "POST /api/guest", "GET /api/matchmaking/tickets/:id". */
  readonly op: string;

  constructor(kind: string, message: string, op: string, status: number | null = null, code: string | null = null) {
    super(message);
    this.kind = kind;
    this.op = op;
    this.status = status;
    this.code = code;
  }
}

/** "GET /api/matchmaking/tickets/Zk3…?wait=20" → "GET /api/matchmaking/tickets/:id" */
export function operationOf(method: string, path: string): string {
  const route = path.split("?")[0]!.replace(/\/(tickets|games|invites)\/[^/]+/g, "/$1/:id");
  return `${method} ${route}`;
}

/** The run was stopped while the request was in flight. */
export class Stopped extends Error {
  constructor() {
    super("stopped");
  }
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Abort when this fires (throws Stopped). */
  signal?: AbortSignal;
}

/** The innermost `code` of a fetch error (ECONNREFUSED, UND_ERR_SOCKET, …). */
function causeCode(err: unknown): string {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === "string") return e.code;
    e = e.cause as typeof e;
  }
  return "ERROR";
}

/** One JSON request; resolves with the parsed body of a 2xx answer, throws HttpFailure otherwise. */
export async function request<T>(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const op = operationOf(method, path);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        accept: "application/json",
        ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal,
    });
    text = await res.text();
  } catch (err) {
    if (opts.signal?.aborted) throw new Stopped();
    if (timeout.aborted) throw new HttpFailure("http_timeout", `${op}: no answer in ${opts.timeoutMs ?? 10_000} ms`, op);
    const code = causeCode(err);
    throw new HttpFailure(`http_network_${code}`, `${op}: ${code} (${(err as Error).message})`, op);
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.status < 200 || res.status > 299) {
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    const c = typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code) ? code : "NO_CODE";
    throw new HttpFailure(`http_${res.status}_${c}`, `${op}: HTTP ${res.status} ${c}`, op, res.status, c);
  }
  if (body === undefined) throw new HttpFailure(`http_${res.status}_NOT_JSON`, `${op}: answer is not JSON`, op, res.status);
  return body as T;
}

export function createGuest(base: string, name: string, signal?: AbortSignal): Promise<GuestResponse> {
  return request<GuestResponse>(base, "POST", "/api/guest", { body: { name }, signal });
}

export function quickPlay(
  base: string,
  token: string,
  game: GameKind,
  timeControl: string,
  signal?: AbortSignal,
  /** Rated quick play (the token must be an account's). */
  rated = false,
): Promise<TicketResponse> {
  const body = rated ? { game, timeControl, rated } : { game, timeControl };
  return request<TicketResponse>(base, "POST", "/api/matchmaking/quick", { token, body, signal });
}

/** Long-poll a ticket for up to `waitS` seconds. */
export function pollTicket(base: string, token: string, ticket: string, waitS: number, signal?: AbortSignal) {
  return request<TicketResponse>(base, "GET", `/api/matchmaking/tickets/${encodeURIComponent(ticket)}?wait=${waitS}`, {
    token,
    signal,
    timeoutMs: waitS * 1000 + 10_000,
  });
}

export function cancelTicket(base: string, token: string, ticket: string): Promise<TicketResponse> {
  return request<TicketResponse>(base, "DELETE", `/api/matchmaking/tickets/${encodeURIComponent(ticket)}`, {
    token,
    timeoutMs: 5_000,
  });
}

/** One entry of GET /api/live-games. Only gameId is relied upon. */
export interface LiveGame {
  gameId: string;
  kind?: string;
  timeControl?: string;
  players?: unknown;
  spectators?: number;
  ply?: number;
  node?: string;
}

/** Live games, or null when the server has no /api/live-games (404). */
export async function liveGames(base: string, signal?: AbortSignal): Promise<LiveGame[] | null> {
  try {
    const r = await request<{ games?: LiveGame[] }>(base, "GET", "/api/live-games", { signal });
    return Array.isArray(r.games) ? r.games.filter((g) => typeof g?.gameId === "string") : [];
  } catch (err) {
    if (err instanceof HttpFailure && err.status === 404) return null;
    throw err;
  }
}

export interface ReportedNode {
  nodeId: string;
  processId?: string;
  rooms?: number;
  ccu?: number;
  [key: string]: unknown;
}

/** The server's nodes, or null when it has no /api/nodes (404) or it fails. */
export async function nodes(base: string): Promise<ReportedNode[] | null> {
  try {
    const r = await request<{ nodes?: ReportedNode[] }>(base, "GET", "/api/nodes", { timeoutMs: 5_000 });
    return Array.isArray(r.nodes) ? r.nodes : null;
  } catch {
    return null;
  }
}

/** Status of a game from GET /api/games/<id> ("active", "finished", "aborted"), "missing" for 404, null if unknown. */
export async function gameStatus(base: string, gameId: string): Promise<string | null> {
  try {
    const r = await request<{ game?: { status?: unknown } }>(base, "GET", `/api/games/${encodeURIComponent(gameId)}`, {
      timeoutMs: 5_000,
    });
    return typeof r.game?.status === "string" ? r.game.status : null;
  } catch (err) {
    if (err instanceof HttpFailure && err.status === 404) return "missing";
    return null;
  }
}

export interface GamesMeta {
  games: Array<{ id: string; timeControls: Array<{ id: string }> }>;
}

export function meta(base: string, timeoutMs = 5_000): Promise<GamesMeta> {
  return request<GamesMeta>(base, "GET", "/api/games/meta", { timeoutMs });
}

/** GET /healthz: the node id that answered, or null (absent, not ready, not JSON). */
export async function healthNode(base: string): Promise<string | null> {
  try {
    const r = await request<{ ok?: boolean; node?: unknown }>(base, "GET", "/healthz", { timeoutMs: 5_000 });
    return typeof r.node === "string" ? r.node : null;
  } catch {
    return null;
  }
}
