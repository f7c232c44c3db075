/**
 * What player and spectator bots share: the run context, their start-up
 * (guest identity, SDK client), joining a room with a time limit, classifying
 * join failures, and finding the node that hosts a room from its WebSocket URL.
 */
import type { Client, Room } from "@colyseus/sdk";
import { CLOSE_CODES } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import type { BotsConfig } from "./args.ts";
import { createGuest, Stopped } from "./http.ts";
import { sdkClient } from "./sdk.ts";
import type { Metrics } from "./metrics.ts";

/** Shared by every bot of a process. */
export interface BotContext {
  base: string;
  config: BotsConfig;
  metrics: Metrics;
  /** Aborts when the run phase ends: bots stop queueing and wind down their games. */
  stopSignal: AbortSignal;
  /** Aborts at the hard stop (end of the grace period): everything closes now. */
  killSignal: AbortSignal;
  /** Epoch ms at which a seat still playing resigns (set once the run phase ends). */
  resignAt(seat: Seat): number;
}

/** A join that never completes is given up after this. */
export const JOIN_TIMEOUT_MS = 15_000;
/**
 * One rejoin attempt (of several overlapping ones) is given up after this:
 * as long as a first join, since a slow attempt on a loaded machine is still
 * the one that gets in. Attempts stuck on a stalled node are what the
 * overlapping ones are for.
 */
export const REJOIN_ATTEMPT_TIMEOUT_MS = JOIN_TIMEOUT_MS;
/** A move not acknowledged within this counts as a timeout. */
export const MOVE_TIMEOUT_MS = 10_000;

export class JoinFailure extends Error {
  readonly kind: string;
  readonly code: number | null;
  constructor(kind: string, message: string, code: number | null = null) {
    super(message);
    this.kind = kind;
    this.code = code;
  }
}

/** Colyseus' matchmaking error codes meaning "no such room" (the game ended and its room closed). */
export const ROOM_GONE_CODES = new Set([404, 522, 4212]);

/** Join `gameId` (room id = game id) within `timeoutMs`; a late success is left at once. */
export async function joinRoom(
  client: Client,
  gameId: string,
  options: Record<string, unknown>,
  timeoutMs = JOIN_TIMEOUT_MS,
): Promise<Room> {
  const joining = client.joinById(gameId, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JoinFailure("join_timeout", `join ${gameId}: no answer in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([joining, timeout]);
  } catch (err) {
    if (err instanceof JoinFailure) {
      joining.then((late) => void late.leave(true).catch(() => {})).catch(() => {});
      throw err;
    }
    const e = err as { code?: unknown; message?: string; cause?: { code?: unknown } };
    const message = `join ${gameId}: ${e.message || String(err)}`;
    // Matchmaking refused the seat (522 room not found, 401 bad token, 4403 spectator limit, …). A refused
    // identity is one case whether the seat reservation said it (HTTP 401) or the socket (4401).
    if (typeof e.code === "number") {
      const code = e.code === 401 ? CLOSE_CODES.UNAUTHORIZED : e.code;
      throw new JoinFailure(`join_${code}`, message, code);
    }
    // The seat-reservation HTTP request failed (ECONNREFUSED, …).
    const net = typeof e.code === "string" ? e.code : typeof e.cause?.code === "string" ? e.cause.code : null;
    if (net) throw new JoinFailure(`join_network_${net}`, message);
    // The seat was reserved but the WebSocket failed before the join completed (the SDK gives no code).
    throw new JoinFailure("join_socket_failed", message);
  } finally {
    clearTimeout(timer);
  }
}

export interface RoomAddress {
  /** The node id from a `/node/<id>/` URL segment, else `process:<processId>`, else "unknown". */
  node: string;
  processId: string | null;
}

/**
 * Where a room's socket went. Behind the cluster's proxy the SDK connects to
 * `ws://host/node/<nodeId>/<processId>/<roomId>?…` (the seat reservation's
 * publicAddress); a node reached directly gives `ws://host:port/<processId>/<roomId>?…`.
 */
export function addressOfUrl(url: string | undefined): RoomAddress {
  if (!url) return { node: "unknown", processId: null };
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return { node: "unknown", processId: null };
  }
  const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
  const at = segs.lastIndexOf("node");
  if (at >= 0 && segs.length >= at + 2) {
    return { node: segs[at + 1]!, processId: segs.length >= at + 4 ? segs[at + 2]! : null };
  }
  if (segs.length >= 2) {
    const processId = segs[segs.length - 2]!;
    return { node: `process:${processId}`, processId };
  }
  return { node: "unknown", processId: null };
}

export function addressOfRoom(room: Room): RoomAddress {
  return addressOfUrl(room.connection?.url);
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Uniform integer in [min, max]. */
export function between(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** Retry delay after `failures` consecutive failures: 0.5 s doubling up to 5 s, ±25 % jitter. */
export function backoffMs(failures: number): number {
  const base = Math.min(5000, 500 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** A join failure as a JoinFailure (kind `join_failed` for anything unexpected). */
export function asJoinFailure(err: unknown): JoinFailure {
  return err instanceof JoinFailure ? err : new JoinFailure("join_failed", String(err));
}

/**
 * A bot's life: counted active, started after `startDelayMs`, `body` run with
 * an SDK client signed in as the guest `name` (none once the run phase is
 * over), a crash counted as `bot_crash`. Player and spectator bots start alike.
 */
export async function botLife(
  ctx: BotContext,
  name: string,
  startDelayMs: number,
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const m = ctx.metrics;
  m.activeBots++;
  try {
    await sleep(startDelayMs, ctx.stopSignal);
    const client = await signIn(ctx, name);
    if (client) await body(client);
  } catch (err) {
    m.error("bot_crash");
    if (ctx.config.verbose) console.error(`${name}:`, err);
  } finally {
    m.activeBots--;
  }
}

/** An SDK client signed in as a new guest `name`, or null once the run phase is over (see obtainToken). */
export async function signIn(ctx: BotContext, name: string): Promise<Client | null> {
  const token = await obtainToken(ctx, name);
  if (!token) return null;
  return sdkClient(ctx.base, token);
}

/** Close a room without waiting on the server: leave with consent, then drop the socket if it hangs. */
export function closeRoom(room: Room): void {
  room.reconnection.enabled = false;
  room.leave(true).catch(() => {});
  setTimeout(() => {
    try {
      if (room.connection?.isOpen) room.connection.close();
    } catch {
      /* already closed */
    }
  }, 1000).unref();
}

/** Close codes that end a room normally (consented leave, or the room closing after the game). */
export const NORMAL_CLOSE = new Set<number>([1000, CLOSE_CODES.CONSENTED]);

/**
 * A guest identity for `name`, retrying every 1–2 s while the run lasts.
 * Resolves with the token, or null once the run phase is over.
 */
export async function obtainToken(ctx: BotContext, name: string): Promise<string | null> {
  let failures = 0;
  while (!ctx.stopSignal.aborted) {
    try {
      const g = await createGuest(ctx.base, name, ctx.stopSignal);
      ctx.metrics.count("guests");
      return g.token;
    } catch (err) {
      if (err instanceof Stopped) return null;
      ctx.metrics.httpError(err);
      await sleep(backoffMs(++failures), ctx.stopSignal);
    }
  }
  return null;
}
