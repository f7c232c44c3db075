/**
 * The WebSocket transport, chosen by TRANSPORT: "ws" (the `ws` package; works
 * everywhere, the default) or "uws" (uWebSockets.js, faster, but its prebuilt
 * binaries need glibc >= 2.38 and are not installed by default — see
 * docs/cluster.md). Asking for uws where it cannot load falls back to ws with
 * one clear log line instead of failing the node.
 *
 * The ws transport is Colyseus' own, with three things set the way a node
 * behind nginx needs them (see TabulaWsTransport and tuneHttpServer).
 */
import http from "node:http";
import {
  type AuthContext,
  ClientState,
  connectClientToRoom,
  createAuthContext,
  matchMaker,
  Protocol,
  Room,
  ServerError,
  type Transport,
} from "@colyseus/core";
import { WebSocketClient, WebSocketTransport } from "@colyseus/ws-transport";
import { CLOSE_CODES, type CloseCode, type HttpErrorBody } from "@tabula/shared/protocol";
import type { WebSocket } from "ws";
import type { AuditSink } from "./audit/writer.ts";
import type { OriginPolicy } from "./http/origin.ts";
import type { Logger } from "./log.ts";

/**
 * How long an idle HTTP keep-alive connection stays open on a node, ms. It must
 * outlast nginx's `keepalive_timeout` for its upstream connections (30 s,
 * nginx/nodes.conf): the side that closes an idle connection must be nginx.
 * When the node closed first, a request nginx wrote on the connection at that
 * same instant met a closed socket, and nginx answered 502 (and, for a POST,
 * may not retry). 65 s is the usual choice behind a 60 s proxy, so it also
 * covers nginx's default should nodes.conf lose the setting.
 */
export const HTTP_KEEP_ALIVE_MS = 65_000;
/** Time to receive a request's headers, ms: Node requires it above the keep-alive timeout. */
export const HTTP_HEADERS_TIMEOUT_MS = HTTP_KEEP_ALIVE_MS + 1_000;

/**
 * Sets `server`'s idle keep-alive timeout (default HTTP_KEEP_ALIVE_MS, ms) and
 * its headers timeout just above it. Node's own extra grace on top of the
 * keep-alive timeout (`keepAliveTimeoutBuffer`, 1 s) is turned off so the
 * number here is the one that counts.
 */
export function tuneHttpServer(server: http.Server, keepAliveMs = HTTP_KEEP_ALIVE_MS): http.Server {
  server.keepAliveTimeout = keepAliveMs;
  server.headersTimeout = keepAliveMs + (HTTP_HEADERS_TIMEOUT_MS - HTTP_KEEP_ALIVE_MS);
  (server as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer = 0;
  return server;
}

export interface TransportChoice {
  transport: Transport;
  name: "ws" | "uws";
}

export interface TransportOptions {
  maxPayload: number;
  log: Logger;
  /** Pages allowed to open a WebSocket (ws transport; see http/origin.ts). Unset: any. */
  origins?: OriginPolicy;
  /** Where refused joins are recorded (audit/). */
  audit?: AuditSink;
}

export async function createTransport(wanted: "ws" | "uws", opts: TransportOptions): Promise<TransportChoice> {
  if (wanted === "uws") {
    try {
      // A variable specifier keeps bundlers and type checks from requiring the optional package.
      const specifier = "@colyseus/uwebsockets-transport";
      const mod = (await import(specifier)) as {
        uWebSocketsTransport: new (o: Record<string, unknown>) => Transport;
      };
      const transport = new mod.uWebSocketsTransport({ maxPayloadLength: opts.maxPayload, idleTimeout: 30 });
      return { transport, name: "uws" };
    } catch (err) {
      opts.log.warn(
        { reason: (err as Error).message.split("\n")[0] },
        "TRANSPORT=uws requested but uWebSockets.js cannot load here; falling back to ws",
      );
    }
  }
  return { transport: new TabulaWsTransport(opts), name: "ws" };
}

type RawSocket = WebSocket & { pingCount: number };
type ProtocolError = Error & { code?: string };

/**
 * Colyseus' ws transport with:
 * - the HTTP server's keep-alive tuned for nginx (tuneHttpServer);
 * - a socket-level protocol error (a frame over MAX_FRAME_BYTES, bad UTF-8…) logged
 *   as one structured warning instead of Colyseus' `console.error` of a stack trace:
 *   `ws` already closes such a socket (1009 for an oversized frame), so it is a
 *   client's mistake, not the node's;
 * - a refused join closed with the refusal's own close code (4401, 4403; 4400 for
 *   an unknown or expired seat reservation; 4003 for a refused reconnection)
 *   instead of Colyseus' 4002, which docs/protocol.md keeps for floods;
 * - an upgrade from a web page whose Origin is not allowed refused with 403
 *   before the handshake (http/origin.ts);
 * - no identity token read from the URL: a join presents its ticket (the seat
 *   reservation's sessionId, rooms/joinTicket.ts), and a URL with `_authToken`
 *   is refused (4401).
 * Everything else in `accept` is Colyseus 0.18's `onConnection`, step for step
 * (`connectClientToRoom` is the hook Colyseus' transports share; marked internal,
 * so check `accept` against `WebSocketTransport.onConnection` when upgrading).
 */
export class TabulaWsTransport extends WebSocketTransport {
  private readonly log: Logger;
  private readonly audit: AuditSink | undefined;

  constructor(opts: TransportOptions) {
    const origins = opts.origins;
    super({
      server: tuneHttpServer(http.createServer()),
      maxPayload: opts.maxPayload,
      pingInterval: 10_000,
      pingMaxRetries: 3,
      beforeUpgrade: origins
        ? (_req: Request, context: AuthContext) => {
            const h = context.headers;
            if (origins.allows(h.get("origin") ?? undefined, h.get("host") ?? undefined)) return undefined;
            opts.log.info({ origin: h.get("origin")?.slice(0, 200), ip: context.ip }, "websocket from a page not allowed: 403");
            opts.audit?.record({ kind: "join.refused", ip: context.ip, detail: { close: 403, reason: "origin not allowed" } });
            return originRefusal();
          }
        : undefined,
    });
    this.log = opts.log;
    this.audit = opts.audit;
    // The base class listens with its own onConnection; ours replaces it.
    this.wss.removeAllListeners("connection");
    this.wss.on("connection", (raw: RawSocket, req: http.IncomingMessage, upgrade?: { url: URL; context: AuthContext }) => {
      void this.accept(raw, req, upgrade);
    });
  }

  private async accept(raw: RawSocket, req: http.IncomingMessage, upgrade?: { url: URL; context: AuthContext }) {
    // Every closure made here lives as long as the socket: none may capture `req` (the
    // request, its headers and raw headers, ~2 KB per idle socket), only what it needs.
    const ip = req.socket.remoteAddress;
    raw.on("error", (err: ProtocolError) => this.socketError(err, ip));
    raw.on("pong", heartbeat);
    raw.pingCount = 0;
    const url = upgrade?.url ?? new URL(`ws://server${req.url ?? "/"}`);
    const sessionId = url.searchParams.get("sessionId");
    const roomId = url.pathname.match(/\/[a-zA-Z0-9_-]+\/([a-zA-Z0-9_-]+)$/)?.[1] ?? null;
    if (!sessionId && !roomId) return latencyProbe(raw);
    // The room registry is a plain object: "__proto__" must not find Object.prototype.
    const found = roomId ? matchMaker.getLocalRoomById(roomId) : undefined;
    const room = found instanceof Room ? found : undefined;
    const client = new TabulaWsClient(sessionId as string, raw);
    // Identity is the join ticket's (the seat reservation's, rooms/joinTicket.ts): no token is read here.
    const context =
      upgrade?.context ?? createAuthContext({ headers: req.headers as Record<string, string | undefined>, remoteAddress: ip });
    if (url.searchParams.has("_authToken")) {
      this.audit?.record({
        kind: "join.refused",
        ip: context.ip,
        detail: { close: CLOSE_CODES.UNAUTHORIZED, reason: "identity token in the socket URL" },
      });
      return refuseTokenInUrl(client, raw, roomId, this.log);
    }
    const reconnectionToken = url.searchParams.get("reconnectionToken") ?? undefined;
    try {
      await connectClientToRoom(room, client, context, {
        reconnectionToken,
        skipHandshake: url.searchParams.has("skipHandshake"),
      });
    } catch (e) {
      const close = refusalCloseCode(e instanceof ServerError ? e.code : undefined, reconnectionToken !== undefined);
      if (e instanceof ServerError) {
        // A refusal (bad token, full gallery, expired seat): the client's business, not the node's.
        this.log.info({ roomId, code: e.code, reason: e.message, close }, "join refused");
        // No, used, expired or another game's ticket: what a forged or replayed join looks like. A game
        // that moved, a full gallery or a lapsed reconnection are the ordinary life of a cluster: not audited.
        if (close === CLOSE_CODES.JOIN_REFUSED || close === CLOSE_CODES.UNAUTHORIZED) {
          this.audit?.record({
            kind: "join.refused",
            ip: context.ip,
            gameId: roomId,
            detail: { close, reason: e.message.slice(0, 200) },
          });
        }
        client.error(e.code, e.message, () => raw.close(close));
      } else {
        this.log.error({ err: e, roomId }, "join failed");
        client.error(500, "internal error", () => raw.close(close));
      }
    }
  }

  private socketError(err: ProtocolError, ip: string | undefined): void {
    this.log.warn(
      { code: err.code ?? err.name, reason: err.message, ip },
      err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
        ? "websocket frame over MAX_FRAME_BYTES; socket closed (1009)"
        : "websocket protocol error; socket closed",
    );
  }
}

/**
 * Colyseus' WebSocketClient, kept a fast V8 object. Once a client has
 * acknowledged its join, Colyseus' room flushes and then `delete`s the client's
 * `_enqueuedMessages`, and V8 turns any object that loses a property into a slow
 * dictionary (about 0.8 KB more per idle socket, measured with bench:conns).
 * Here `_enqueuedMessages` is an accessor on the prototype, so that `delete`
 * finds no own property; the queue itself is dropped in the microtask after the
 * flush (the room reads it synchronously, right after setting the state to
 * JOINED), so from then on Colyseus reads `undefined` — "joined" — exactly as
 * after its delete (allowReconnection relies on it). Check this class against
 * Room._onMessage (JOIN_ROOM) when upgrading Colyseus; transport.test.ts runs
 * that sequence and asks V8 whether the object stayed fast.
 */
export class TabulaWsClient extends WebSocketClient {}
type QueueHolder = TabulaWsClient & { tabulaQueue: unknown[] | undefined };
Object.defineProperty(TabulaWsClient.prototype, "_enqueuedMessages", {
  configurable: true,
  get(this: QueueHolder) {
    const queue = this.tabulaQueue;
    if (queue !== undefined && this.state === ClientState.JOINED) {
      queueMicrotask(() => {
        this.tabulaQueue = undefined;
      });
    }
    return queue;
  },
  set(this: QueueHolder, queue: unknown[] | undefined) {
    this.tabulaQueue = queue;
  },
});

/**
 * A socket URL carrying the identity token (`_authToken`, what the SDK adds when `client.auth.token`
 * is set): refused with 4401, so that a client leaking its token into URLs (and so into proxy logs)
 * finds out at once. The seat reservation's ticket is all a room socket needs.
 */
function refuseTokenInUrl(client: TabulaWsClient, raw: RawSocket, roomId: string | null, log: Logger): void {
  log.info({ roomId }, "join refused: identity token in the socket URL");
  const message = "identity token in the socket URL: send it only as the Authorization header of the seat reservation";
  client.error(CLOSE_CODES.UNAUTHORIZED, message, () => raw.close(CLOSE_CODES.UNAUTHORIZED));
}

/** The answer to an upgrade from a page whose Origin is not allowed (the HTTP API's error shape). */
function originRefusal(): Response {
  const body: HttpErrorBody = {
    error: { code: "ORIGIN_NOT_ALLOWED", message: "WebSockets from this page's origin are not allowed" },
  };
  return new Response(JSON.stringify(body), { status: 403, headers: { "content-type": "application/json" } });
}

/** A pong: the socket is alive (one function for every socket, not a closure each). */
function heartbeat(this: WebSocket): void {
  (this as RawSocket).pingCount = 0;
}

/** Colyseus' latency probe (`client.getLatency`): answer pings for a second, then close. */
function latencyProbe(raw: RawSocket): void {
  const timeout = setTimeout(() => raw.close(1000), 1_000);
  raw.on("message", () => raw.send(new Uint8Array([Protocol.PING])));
  raw.on("close", () => clearTimeout(timeout));
}

/**
 * The close code for a join the room refused with `code`: the refusal's own
 * code when it is one of ours (4100, 4401, 4403), 4003 for a reconnection, and
 * 4400 for everything else (seat reservation unknown or expired, bad join options).
 */
export function refusalCloseCode(code: number | undefined, reconnecting: boolean): CloseCode {
  if (code === CLOSE_CODES.UNAUTHORIZED || code === CLOSE_CODES.SPECTATORS_FULL || code === CLOSE_CODES.GAME_MOVED) return code;
  return reconnecting ? CLOSE_CODES.RECONNECT_FAILED : CLOSE_CODES.JOIN_REFUSED;
}
