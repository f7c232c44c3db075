/**
 * One game's room connection, and keeping it alive.
 *
 *  - An unexpected drop: we report "reconnecting" at once and let the SDK try
 *    to reconnect briefly (two quick tries, however young the room): that
 *    resumes the same session after a network blip (onDrop → onReconnect; we
 *    report "connected" and ask for a full snapshot).
 *  - The SDK can only retry the same node's URL. If the node died, the game is
 *    taken over by another node within seconds, so once the SDK gives up
 *    (onLeave without our consent) we join the game again ourselves, by id,
 *    through the matchmaker, which finds the room wherever it lives now: with
 *    backoff (0.5 s doubling to 4 s, with jitter) until it works or
 *    `retryFailed` says to stop (the game is over). Close code 4100
 *    (GAME_MOVED: the server handed the game to another node) re-joins at once.
 *  - A re-join can hang for seconds (until the game is taken over, the room's
 *    listing still names the dead node and the server waits for it to answer),
 *    so a pending attempt does not hold up the next one: attempts start on the
 *    backoff schedule, the first to succeed is used, later ones are left.
 *  - A silent server (a stalled node keeps its sockets open, so nothing
 *    drops): the SDK's ping every `heartbeat.intervalMs`, and when nothing (a
 *    pong or a message) came in for `heartbeat.timeoutMs` (heartbeat.ts) the
 *    room is abandoned without waiting on it (no `leave()`: on a dead socket
 *    it never settles; the SDK's same-URL reconnection is switched off) and
 *    the game re-joined by id, once at once then every ~0.5 s, until the node
 *    that took the game over answers. The pongs also give the latency.
 */
import type { Room } from "@colyseus/sdk";
import type {
  ClientMessage,
  ClientMessageType,
  ErrorMessage,
  GameSnapshot,
  MovedMessage,
  OfferDeclinedMessage,
} from "@tabula/shared/protocol";
import { rejoinDelay, silentRejoinDelay } from "./backoff.ts";
import { SilenceWatch } from "./heartbeat.ts";
import { type GameClient, MATCHMAKE_TIMEOUT_MS, SILENT_MATCHMAKE_TIMEOUT_MS } from "./sdkClient.ts";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

export interface SessionHandlers {
  snapshot(snapshot: GameSnapshot, receivedAt: number): void;
  moved(moved: MovedMessage, receivedAt: number): void;
  error(error: ErrorMessage): void;
  /** The opponent declined our draw or rematch offer (optional: spectators are never told). */
  offerDeclined?(declined: OfferDeclinedMessage): void;
  connection(state: ConnectionState, detail?: string): void;
  latency(ms: number): void;
  /** Each room the session (re)joins, for listeners of other messages (the game chat: chatChannels.ts). */
  room?(room: Room, mine: () => boolean): void;
  /** Asked after each failed re-join: keep trying, or stop (e.g. the game is over and its room is gone). */
  retryFailed?(err: unknown, attempt: number): Promise<"retry" | "stop"> | "retry" | "stop";
}

/**
 * Give the SDK's own reconnection two quick tries (after 0.2 s and 0.4 s), then
 * re-join through matchmaking (the room may have moved to another node).
 */
export const SDK_RECONNECT_RETRIES = 2;
/**
 * At most this many re-join attempts in flight at once: one that reaches a
 * stalled node hangs until its deadline, and after a silence attempts start
 * every ~0.5 s, so five keep the schedule (and leave one of the page's six
 * connections per host to the rest of the page).
 */
export const MAX_REJOINS_IN_FLIGHT = 5;

export class GameSession {
  readonly gameId: string;
  readonly spectate: boolean;
  /** A private game's password (spectators only): sent with every join, kept in memory only. */
  password: string | undefined;
  private readonly client: GameClient;
  private readonly handlers: SessionHandlers;
  private room: Room | null = null;
  private closedByUs = false;
  /** Re-join attempts since the room was lost; the close code it was lost with. */
  private attempt = 0;
  private lostWith: number | null = null;
  /** The room was given up because the server went silent (a faster, flat re-join schedule). */
  private lostToSilence = false;
  /** Bumped each time the room is lost (and when re-joining stops): answers to older attempts only count if they succeed. */
  private round = 0;
  private rejoinsInFlight = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly watch: SilenceWatch;
  private state: ConnectionState = "connecting";

  constructor(client: GameClient, gameId: string, spectate: boolean, handlers: SessionHandlers, now: () => number = Date.now) {
    this.client = client;
    this.gameId = gameId;
    this.spectate = spectate;
    this.handlers = handlers;
    this.watch = new SilenceWatch({ ping: () => this.ping(), silent: (ms) => this.abandon(ms), now });
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** The deadline of this session's matchmaking requests now (shorter while re-joining after a silence), ms. */
  get matchmakeTimeoutMs(): number {
    return this.lostToSilence && !this.room ? SILENT_MATCHMAKE_TIMEOUT_MS : MATCHMAKE_TIMEOUT_MS;
  }

  /** Join the room (first time). Rejects if the game cannot be joined. */
  async start(): Promise<void> {
    this.setState("connecting");
    const room = await this.join();
    if (this.closedByUs) {
      discard(room);
      return;
    }
    this.attach(room);
  }

  /** Send a room message; false when there is no connection at all (the SDK queues messages while it reconnects). */
  send<T extends ClientMessageType>(type: T, payload: ClientMessage<T>): boolean {
    const room = this.room;
    if (!room) return false;
    try {
      room.send(type, payload);
      return true;
    } catch {
      return false;
    }
  }

  /** Leave for good (consented): no reconnection. */
  async leave(): Promise<void> {
    this.closedByUs = true;
    clearTimeout(this.retryTimer);
    this.watch.stop();
    const room = this.room;
    this.room = null;
    this.setState("closed");
    if (room) await Promise.race([room.leave(true).catch(() => 0), new Promise((r) => setTimeout(r, 1500))]);
  }

  private join(): Promise<Room> {
    if (!this.spectate) return this.client.joinById(this.gameId, {});
    return this.client.joinById(this.gameId, { spectate: true, ...(this.password ? { password: this.password } : {}) });
  }

  private attach(room: Room): void {
    this.room = room;
    room.reconnection.maxRetries = SDK_RECONNECT_RETRIES;
    room.reconnection.minUptime = 0; // (the SDK's default skips reconnection for rooms joined < 5 s ago)
    /** Messages of a room given up on (a late answer from a revived node) are not ours any more. */
    const mine = () => this.room === room && !this.closedByUs;
    room.onMessage("snapshot", (s: GameSnapshot) => {
      if (!mine()) return;
      this.watch.heard();
      this.watch.configure(s.heartbeat);
      this.handlers.snapshot(s, Date.now());
    });
    room.onMessage("moved", (m: MovedMessage) => {
      if (!mine()) return;
      this.watch.heard();
      this.handlers.moved(m, Date.now());
    });
    room.onMessage("error", (e: ErrorMessage) => {
      if (!mine()) return;
      this.watch.heard();
      // Followed by close 4100, on which we re-join: nothing for the player to read. Chat refusals are the chat's.
      if (e.code === "GAME_MOVED" || e.inReplyTo === "chat" || e.inReplyTo === "chatHistory") return;
      this.handlers.error(e);
    });
    room.onMessage("offerDeclined", (d: OfferDeclinedMessage) => {
      if (!mine()) return;
      this.watch.heard();
      this.handlers.offerDeclined?.(d);
    });
    room.onDrop((code, reason) => {
      // (Called again for each of the SDK's failed tries.) The silence watch keeps running: an SDK
      // retry that hangs on a stalled node ends the same way as a silent socket.
      if (!mine() || this.state === "reconnecting") return;
      this.setState("reconnecting", `dropped (${code}${reason ? `: ${reason}` : ""})`);
    });
    room.onReconnect(() => {
      if (!mine()) {
        // A room we gave up on came back after all: we are elsewhere by now.
        discard(room);
        return;
      }
      this.watch.heard();
      this.setState("connected");
      room.send("sync", {});
      this.ping();
    });
    room.onLeave((code, reason) => {
      if (this.room !== room) return;
      this.room = null;
      this.watch.stop();
      if (this.closedByUs) {
        this.setState("closed");
        return;
      }
      this.lose(code, false, `left (${code}${reason ? `: ${reason}` : ""})`);
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempt = 0;
    this.setState("connected");
    this.watch.start();
    this.handlers.room?.(room, mine);
  }

  private ping(): void {
    const room = this.room;
    if (!room) return;
    try {
      room.ping((ms) => {
        if (this.room !== room) return;
        this.watch.heard();
        this.handlers.latency(Math.round(ms));
      });
    } catch {
      // not open (the SDK is reconnecting): the next tick tries again
    }
  }

  /**
   * The server went silent: give the room up without waiting on it. `leave()`
   * on a socket nobody answers never settles, and the SDK would only retry
   * the same (stalled) node, so its reconnection is switched off and the
   * socket closed; the room's later callbacks find `this.room` changed and
   * are ignored.
   */
  private abandon(silentForMs: number): void {
    const room = this.room;
    if (!room || this.closedByUs) return;
    console.info(`[tabula] no word from the server for ${silentForMs} ms: re-joining game ${this.gameId}`);
    this.room = null;
    room.reconnection.enabled = false;
    room.reconnection.maxRetries = 0;
    try {
      room.connection?.close();
    } catch {
      // already closed
    }
    this.lose(null, true, `server silent for ${silentForMs} ms`);
  }

  /** The room is gone (closed with `code`, or silent): re-join by id until it works or we are told to stop. */
  private lose(code: number | null, silent: boolean, detail: string): void {
    this.setState("reconnecting", detail);
    this.round++;
    this.attempt = 0;
    this.lostWith = code;
    this.lostToSilence = silent;
    this.scheduleRejoin();
  }

  /** Start the next re-join attempt after its backoff delay (at once when that is 0: a timer hop can cost a busy page half a second). */
  private scheduleRejoin(): void {
    if (this.closedByUs) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const delay = this.lostToSilence ? silentRejoinDelay(this.attempt) : rejoinDelay(this.attempt, this.lostWith);
    if (delay <= 0) {
      void this.rejoin();
      return;
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.rejoin();
    }, delay);
  }

  /**
   * One re-join attempt. The next one is scheduled as this one starts, not
   * when it fails: a join that hangs must not hold up the one that would go
   * straight through once the game has moved. The first to succeed is used.
   */
  private async rejoin(): Promise<void> {
    if (this.closedByUs || this.room) return;
    // Too many pending: the next one to fail schedules another.
    if (this.rejoinsInFlight >= MAX_REJOINS_IN_FLIGHT) return;
    const round = this.round;
    const attempt = this.attempt++;
    this.rejoinsInFlight++;
    this.scheduleRejoin();
    let room: Room;
    const startedAt = Date.now();
    console.debug(`[tabula] re-join ${this.gameId}: attempt ${attempt}`);
    try {
      room = await this.join();
    } catch (err) {
      console.debug(
        `[tabula] re-join ${this.gameId}: attempt ${attempt} failed after ${Date.now() - startedAt} ms: ${(err as Error)?.message ?? err}`,
      );
      this.rejoinsInFlight--;
      if (this.closedByUs || this.room || round !== this.round) return;
      const verdict = (await this.handlers.retryFailed?.(err, attempt)) ?? "retry";
      if (this.closedByUs || this.room || round !== this.round) return;
      if (verdict === "stop") {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        this.round++;
        this.setState("closed", "the game's room is closed");
      } else if (this.retryTimer === undefined) {
        this.scheduleRejoin();
      }
      return;
    }
    this.rejoinsInFlight--;
    if (this.closedByUs || this.room) {
      // Another attempt got there first (or we left meanwhile).
      discard(room);
      return;
    }
    this.attach(room); // the server sends a fresh snapshot on join
  }

  private setState(state: ConnectionState, detail?: string): void {
    this.state = state;
    this.handlers.connection(state, detail);
  }
}

/** Leave a room we will not use (a late re-join, a revived old one) without waiting; its last messages are nobody's. */
function discard(room: Room): void {
  room.onMessage("*", () => {});
  void room.leave(true).catch(() => {});
}
