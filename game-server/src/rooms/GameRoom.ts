/**
 * The one room class, hosting any game: the Colyseus adapter around a
 * GameHost (game/host.ts), which holds the game's authority. The room owns
 * what is Colyseus' or the cluster's — hooks, authentication, sockets and
 * presence, the lease, the listing — validates every message against the
 * protocol, routes it to the host, and implements the host's outbox.
 */
import {
  type AuthContext,
  type Client,
  CloseCode,
  Room,
  type RoomException,
  type RoomMethodName,
  ServerError,
} from "@colyseus/core";
import { CLOSE_CODES, ClientMessages, type ClientMessageType, type ServerMessages } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { z } from "zod";
import type { Identity } from "../auth/tokens.ts";
import { GameChat } from "../chat/gameChat.ts";
import { HOSTED_ELSEWHERE } from "../game/factory.ts";
import { GameHost, type Outbox, type PlayerAction } from "../game/host.ts";
import type { GameRecord } from "../game/record.ts";
import type { Logger } from "../log.ts";
import { fanOut } from "./fanout.ts";
import { hostDepsFor } from "./hostDeps.ts";
import { reserveSeat, type SeatReservation } from "./reservation.ts";
import type { GameListingMetadata } from "./listing.ts";
import type { LiveRoom } from "../metrics/gauges.ts";
import { type RoomServices, roomServices } from "./services.ts";

const CreateOptions = z.object({ gameId: z.string(), resume: z.boolean().optional() });

interface ClientData {
  identity: Identity;
  /** The seat this socket plays, or null for a spectator. */
  seat: Seat | null;
  /** Set between onDrop and a reconnection, so the socket is counted out once. */
  dropped: boolean;
}

type GameClient = Client<{
  userData: ClientData;
  auth: SeatReservation;
  messages: ServerMessages;
}>;

const { UNAUTHORIZED, GAME_MOVED, SPECTATORS_FULL } = CLOSE_CODES;

/** Refusals of onCreate that are expected (no such game, game over, hosted elsewhere): no error to log. */
class NotHostable extends ServerError {}

export class GameRoom extends Room<{ metadata: GameListingMetadata; client: GameClient }> implements LiveRoom {
  private s!: RoomServices;
  private log!: Logger;
  private host!: GameHost<GameClient>;
  private chat!: GameChat<GameClient>;
  private readonly createdAt = Date.now();
  /** Set once the game is no longer ours: nothing is written or listed from here on. */
  private relinquished = false;
  /** Our fencing token (Game.leaseToken), to tell at a join whether the game is still ours. */
  private fence = 0n;

  async onCreate(options: unknown) {
    this.s = roomServices();
    const { gameId, resume } = CreateOptions.parse(options);
    this.log = this.s.log.child({ gameId });
    this.roomId = gameId;
    // One host per game: the Redis lease says who; the fencing token makes sure no one else can write.
    if (!(await this.s.leases.acquire(gameId)))
      throw new NotHostable(HOSTED_ELSEWHERE, `game ${gameId} is hosted by another node`);
    try {
      const record = await this.s.games.takeOwnership(gameId, this.s.config.nodeId);
      const host =
        record === null ? null : await GameHost.open(record, hostDepsFor(this.s, this.outbox(), this.log), resume === true);
      if (!host) throw new NotHostable(410, `game ${gameId} is over or unknown`);
      this.host = host;
      this.fence = (record as GameRecord).leaseToken;
    } catch (err) {
      // No room after all: give the lease back (or it would be renewed forever) so another node can try.
      await this.s.leases.release(gameId);
      throw err;
    }
    this.chat = new GameChat(gameId, this.s.chat, () => this.clients, this.log);
    this.autoDispose = false; // a live game stays hosted while its players are away (abandonment runs)
    this.maxMessagesPerSecond = this.s.config.maxMessagesPerSecond;
    this.seatReservationTimeout = this.s.config.joinTicketTtlS; // a join ticket's life
    this.patchRate = null; // no Schema state: everything travels as messages
    // One handler per message type, and "*" for anything else. Not one "*" for all: a message whose
    // type is literally "*" reaches a "*" handler as (client, payload), so its payload would be taken
    // for a type and routed (test/integration/fuzz.test.ts holds this).
    for (const type of Object.keys(ClientMessages) as ClientMessageType[]) {
      this.onMessage(type, (client: GameClient, payload: unknown) => this.receive(client, type, payload));
    }
    this.onMessage("*", (client: GameClient, type: string | number) => {
      const name = JSON.stringify(typeof type === "string" || typeof type === "number" ? String(type) : "*").slice(0, 40);
      this.s.metrics?.refusedMessages.inc({ code: "UNKNOWN_MESSAGE" });
      client.send("error", { code: "UNKNOWN_MESSAGE", message: `unknown message type ${name}` });
    });
    await this.publishListing();
    this.s.metrics?.rooms.add(this);
    this.log.info({ ply: this.host.state.ply }, "room ready");
  }

  /** The host's outbox: Colyseus sockets, the lease and the listing. */
  private outbox(): Outbox<GameClient> {
    return {
      send: (to, type, body) => to.send(type, body),
      // Encoded once per distinct body (rooms/fanout.ts): a public `moved` is one frame for everyone.
      sendEach: (type, body) => fanOut(this.clients, (c) => c.userData?.seat, type, body),
      spectators: () => this.spectators(),
      gameOver: () => {
        void this.s.leases.release(this.roomId);
        void this.publishListing();
        this.autoDispose = true;
        if (this.clients.length === 0) void this.disconnect();
      },
      relinquish: () => this.leave(),
    };
  }

  /** Last line of defence: an unexpected exception in a hook or handler is logged, never crashes the node. */
  onUncaughtException(error: RoomException, methodName: RoomMethodName): void {
    // A refused join (full gallery, game moved) or a game that cannot be hosted here is expected, not an error.
    if (
      methodName === "onAuth" ||
      (methodName === "onJoin" && error.cause instanceof ServerError) ||
      error.cause instanceof NotHostable
    ) {
      return void this.log?.debug({ reason: error.message, methodName }, "refused");
    }
    (this.log ?? this.s?.log)?.error({ err: error, methodName }, "uncaught exception in room");
  }

  /** The seat reservation's checks, before any seat is held (rooms/reservation.ts). */
  static onAuth(token: string | undefined, options: unknown, context: AuthContext): Promise<SeatReservation> {
    return reserveSeat(token, options, context);
  }

  /**
   * The room's own checks on a join, when its socket arrives with a valid ticket: the game is still
   * ours (else 4100), and a spectator finds room in the gallery (else 4403). Throws to refuse.
   */
  private async admit(client: GameClient): Promise<void> {
    const auth = client.auth;
    if (!auth) throw new ServerError(UNAUTHORIZED, "no join ticket: reserve a seat with POST /matchmake/joinById first");
    await this.refuseIfMoved();
    const spectator = auth.spectate || this.host.state.seatOf(auth.playerId) === null;
    if (spectator && this.spectators() >= this.s.config.maxSpectators) {
      throw new ServerError(SPECTATORS_FULL, `this game already has ${this.s.config.maxSpectators} spectators`);
    }
  }

  async onJoin(client: GameClient) {
    await this.admit(client);
    const auth = client.auth as NonNullable<GameClient["auth"]>;
    if (this.relinquished) {
      // Gave the game up between this socket's auth and its join: send it on at once.
      client.send("error", { code: "GAME_MOVED", message: "this game moved to another server; rejoin it" });
      return client.leave(GAME_MOVED);
    }
    const seat = auth.spectate ? null : this.host.state.seatOf(auth.playerId);
    client.userData = { identity: { playerId: auth.playerId, name: auth.name }, seat, dropped: false };
    this.connected(client, 1);
    this.log.info({ player: auth.playerId, seat }, seat === null ? "spectator joined" : "player joined");
  }

  onDrop(client: GameClient, code?: number) {
    this.auditFlood(client, code);
    const data = client.userData;
    if (!data) return;
    // Keep a player's session for the SDK's automatic reconnection; the seat's abandonment countdown
    // runs meanwhile. Spectators hold no seat: they simply join again, and stop counting at once.
    if (this.host.state.isActive && data.seat !== null) {
      // Rejects when the room is disposing (shutdown) or the window passes: both are normal here.
      this.allowReconnection(client, Math.ceil(this.s.config.reconnectWindowMs / 1000)).catch(() => {});
    }
    data.dropped = true;
    this.connected(client, -1);
  }

  onReconnect(client: GameClient) {
    if (!client.userData) return;
    client.userData.dropped = false;
    this.connected(client, 1);
  }

  onLeave(client: GameClient) {
    const data = client.userData;
    // After a drop whose reconnection failed, the socket was already counted out in onDrop.
    if (data && !data.dropped) this.connected(client, -1);
  }

  onDispose() {
    // Also after relinquishing: a node woken from a stall may have re-taken the lease of a game that ended
    // meanwhile (its renewal re-takes a vanished key); the release deletes it only if it is still ours.
    if (this.host) void this.s.leases.release(this.roomId);
    this.host?.close();
    this.s?.metrics?.rooms.delete(this);
    this.log?.info("room disposed");
  }

  /** Graceful shutdown (SIGTERM): hand a live game over at once instead of waiting for the lease to expire. */
  onBeforeShutdown(): void {
    if (this.host?.state.isActive) {
      void this.s.leases.release(this.roomId).finally(() => this.host.relinquish("node shutting down"));
    } else {
      void this.disconnect();
    }
  }

  /**
   * A node that stalled (GC pause, SIGSTOP, partition) and woke up may still
   * hold this room after another node took the game over, and joins queued
   * meanwhile, or routed here because Colyseus looks for a local room first,
   * would land in a room that can no longer write. The fencing token in
   * PostgreSQL is the truth: if it moved on, hand the game over now and send
   * the socket to the new host (close 4100). When PostgreSQL cannot be asked,
   * let the join in: every write is fenced anyway. When Redis confirmed our
   * lease and heartbeat less than a TTL ago, no one can have taken the game:
   * no need to ask (leases.ts `surelyHeld`; two reads per game saved).
   */
  private async refuseIfMoved(): Promise<void> {
    if (!this.relinquished) {
      if (this.s.leases.surelyHeld(this.roomId)) return;
      const current = await this.s.games.fenceOf(this.roomId).catch(() => this.fence);
      if (current === this.fence) return;
      this.relinquish("fenced out: another node owns this game now");
    }
    throw new ServerError(GAME_MOVED, "this game moved to another server; rejoin it");
  }

  /**
   * Colyseus closes a socket past MAX_MESSAGES_PER_SECOND with 4002 and says no more: the message count it
   * keeps on the client tells that cut-off from other errors. Recorded in the audit log (throttled per player).
   */
  private auditFlood(client: GameClient, code: number | undefined): void {
    const sent = (client as unknown as { _numMessagesLastSecond?: number })._numMessagesLastSecond ?? 0;
    if (code !== CloseCode.WITH_ERROR || sent <= this.maxMessagesPerSecond) return;
    const auth = client.auth;
    const detail = { limiter: "messages" as const };
    this.s.audit?.record({ kind: "ratelimit.cutoff", playerId: auth?.playerId, ip: auth?.ip, gameId: this.roomId, detail });
  }

  /** Another node holds this game's lease now (see cluster/leases.ts). */
  relinquish(reason: string): void {
    this.host?.relinquish(reason);
  }

  /**
   * Stop hosting (the host already stopped writing): clients are told to
   * rejoin, which the matchmaker routes to the new host. The new host
   * registered this game's listing under the same id, and disposing a room
   * deletes the listing of its id: ours is renamed first, so that only our
   * own entry goes.
   */
  private leave(): void {
    // While onCreate runs (a resume that found the game fenced) there is nothing to leave: onCreate fails.
    if (this.relinquished || !this.host) return;
    this.relinquished = true;
    for (const c of this.clients) {
      c.send("error", { code: "GAME_MOVED", message: "this game moved to another server; rejoin it" });
      c.leave(GAME_MOVED);
    }
    const moved = `${this.roomId}~relinquished~${this.s.config.nodeId}`;
    void this.setMatchmaking({ roomId: moved, metadata: { ...this.listing(), status: "moved" } });
    void this.disconnect(GAME_MOVED);
  }

  private receive(client: GameClient, type: ClientMessageType, payload: unknown): void {
    const parsed = ClientMessages[type].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join(".") || "payload"}: ${issue.message}` : "malformed";
      this.s.metrics?.refusedMessages.inc({ code: "BAD_MESSAGE" });
      client.send("error", { code: "BAD_MESSAGE", message: `invalid ${type}: ${where}`, inReplyTo: type });
      return;
    }
    const seat = client.userData?.seat ?? null;
    // Chat (chat/gameChat.ts): players and spectators alike, each in their own channel.
    if (type === "chat") return void this.chat.say(client, (parsed.data as { text: string }).text);
    if (type === "chatHistory") return void this.chat.sendHistory(client);
    if (type === "sync") {
      this.host.sendSnapshot(client, seat);
      return;
    }
    if (seat === null) {
      this.s.metrics?.refusedMessages.inc({ code: "NOT_A_PLAYER" });
      client.send("error", { code: "NOT_A_PLAYER", message: "spectators cannot play", inReplyTo: type });
      return;
    }
    // The schema of `type` accepted the payload, so this is that type's action (TypeScript cannot correlate the two).
    void this.host.receive(client, seat, { type, ...parsed.data } as PlayerAction);
  }

  /** A socket joined (+1) or left (-1): presence, the online count, everyone's picture and the listing follow. */
  private connected(client: GameClient, delta: 1 | -1): void {
    const data = client.userData;
    if (!data) return;
    this.s.online.socket(data.identity.playerId, delta);
    if (data.seat !== null) this.host.seatChanged(data.seat, delta);
    this.host.broadcastSnapshots();
    if (data.seat === null) void this.publishListing();
  }

  /** For the gauges (metrics/gauges.ts): read at each scrape. A relinquished room's game is someone else's. */
  gauge() {
    const players = this.clients.filter((c) => c.userData && c.userData.seat !== null && !c.userData.dropped).length;
    const active = !this.relinquished && this.host.state.isActive;
    return { kind: this.host.state.record.kind, active, players, spectators: this.spectators() };
  }

  private spectators(): number {
    let n = 0;
    for (const c of this.clients) if (c.userData?.seat === null && !c.userData.dropped) n++;
    return n;
  }

  private listing(): GameListingMetadata {
    const t = this.host.state;
    return {
      kind: t.record.kind,
      timeControl: t.record.timeControl.id,
      players: t.players.map((p) => ({ name: p.name, isBot: p.isBot })),
      spectators: this.spectators(),
      status: t.status,
      node: this.s.config.nodeId,
      createdAt: this.createdAt,
      ...(t.record.private ? { private: true } : {}),
    };
  }

  /** Keep this room's entry in the cluster-wide listing (the Watch list) current. */
  private async publishListing(): Promise<void> {
    if (this.relinquished) return;
    await this.setMetadata(this.listing()).catch((err) =>
      this.log.warn({ err: (err as Error).message }, "listing update failed"),
    );
  }
}
