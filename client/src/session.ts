/**
 * One game's room connection, and keeping it alive.
 *
 *  - An unexpected drop: the SDK reconnects by itself (onDrop → onReconnect);
 *    we report "reconnecting", then "connected" and ask for a full snapshot.
 *  - If the SDK gives up (onLeave without our consent), we join the game again
 *    ourselves, by id, with exponential backoff (0.5 s doubling to 8 s, with
 *    jitter) until it works or `onRetryFailed` says to stop (the game is over).
 *  - Latency is measured with the SDK's ping every few seconds.
 */
import { Client, type Room } from "@colyseus/sdk";
import type { ClientMessage, ClientMessageType, ErrorMessage, GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import { backoffDelay } from "./backoff.ts";
import { sdkEndpoint } from "./endpoint.ts";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "closed";

export interface SessionHandlers {
  snapshot(snapshot: GameSnapshot, receivedAt: number): void;
  moved(moved: MovedMessage, receivedAt: number): void;
  error(error: ErrorMessage): void;
  connection(state: ConnectionState, detail?: string): void;
  latency(ms: number): void;
  /** Asked after each failed re-join: keep trying, or stop (e.g. the game is over and its room is gone). */
  retryFailed?(err: unknown, attempt: number): Promise<"retry" | "stop"> | "retry" | "stop";
}

export const PING_INTERVAL_MS = 4000;
/** Give the SDK's own reconnection a few quick tries (100 ms doubling), then re-join through matchmaking (the room may have moved to another node). */
const SDK_RECONNECT_RETRIES = 6;

/**
 * Create the SDK client: the page's origin unless VITE_SERVER_URL points elsewhere.
 * Room WebSockets go wherever the seat reservation's publicAddress says (see endpoint.ts).
 */
export function createClient(token: string | null): Client {
  const client = new Client(sdkEndpoint(import.meta.env?.VITE_SERVER_URL as string | undefined, globalThis.location?.origin));
  if (token) client.auth.token = token;
  return client;
}

export class GameSession {
  readonly gameId: string;
  readonly spectate: boolean;
  private readonly client: Client;
  private readonly handlers: SessionHandlers;
  private room: Room | null = null;
  private closedByUs = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private state: ConnectionState = "connecting";

  constructor(client: Client, gameId: string, spectate: boolean, handlers: SessionHandlers) {
    this.client = client;
    this.gameId = gameId;
    this.spectate = spectate;
    this.handlers = handlers;
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Join the room (first time). Rejects if the game cannot be joined. */
  async start(): Promise<void> {
    this.setState("connecting");
    const room = await this.join();
    if (this.closedByUs) {
      void room.leave(true).catch(() => {});
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
    clearInterval(this.pingTimer);
    const room = this.room;
    this.room = null;
    this.setState("closed");
    if (room) await Promise.race([room.leave(true).catch(() => 0), new Promise((r) => setTimeout(r, 1500))]);
  }

  private join(): Promise<Room> {
    return this.client.joinById(this.gameId, this.spectate ? { spectate: true } : {});
  }

  private attach(room: Room): void {
    this.room = room;
    room.reconnection.maxRetries = SDK_RECONNECT_RETRIES;
    room.onMessage("snapshot", (s: GameSnapshot) => this.handlers.snapshot(s, Date.now()));
    room.onMessage("moved", (m: MovedMessage) => this.handlers.moved(m, Date.now()));
    room.onMessage("error", (e: ErrorMessage) => this.handlers.error(e));
    room.onDrop((code, reason) => {
      if (this.room !== room || this.closedByUs) return;
      this.setState("reconnecting", `dropped (${code}${reason ? `: ${reason}` : ""})`);
    });
    room.onReconnect(() => {
      if (this.room !== room || this.closedByUs) return;
      this.setState("connected");
      room.send("sync", {});
      this.ping();
    });
    room.onLeave((code, reason) => {
      if (this.room !== room) return;
      this.room = null;
      clearInterval(this.pingTimer);
      if (this.closedByUs) {
        this.setState("closed");
        return;
      }
      this.setState("reconnecting", `left (${code}${reason ? `: ${reason}` : ""})`);
      this.scheduleRejoin();
    });
    this.attempt = 0;
    this.setState("connected");
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.ping();
  }

  private ping(): void {
    const room = this.room;
    if (!room || this.state !== "connected") return;
    try {
      room.ping((ms) => {
        if (this.room === room) this.handlers.latency(Math.round(ms));
      });
    } catch {
      // not open: the next tick tries again
    }
  }

  private scheduleRejoin(): void {
    if (this.closedByUs) return;
    clearTimeout(this.retryTimer);
    const delay = backoffDelay(this.attempt);
    this.retryTimer = setTimeout(() => void this.rejoin(), delay);
  }

  private async rejoin(): Promise<void> {
    if (this.closedByUs) return;
    const attempt = this.attempt++;
    try {
      const room = await this.join();
      if (this.closedByUs) {
        void room.leave(true).catch(() => {});
        return;
      }
      this.attach(room); // the server sends a fresh snapshot on join
    } catch (err) {
      if (this.closedByUs) return;
      const verdict = (await this.handlers.retryFailed?.(err, attempt)) ?? "retry";
      if (verdict === "stop") {
        this.setState("closed", "the game's room is closed");
        return;
      }
      this.scheduleRejoin();
    }
  }

  private setState(state: ConnectionState, detail?: string): void {
    this.state = state;
    this.handlers.connection(state, detail);
  }
}
