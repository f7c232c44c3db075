/**
 * The one room class: hosts any game definition. It is a thin adapter:
 * decode → validate (protocol schema) → plan (GameTable + rules) → commit
 * (PostgreSQL) → apply → broadcast. Nothing is acknowledged or broadcast before
 * its row is committed; a failed commit leaves the table untouched.
 */
import { type AuthContext, type Client, Room, ServerError } from "@colyseus/core";
import {
  CLOSE_CODES,
  ClientMessages,
  type ClientMessageType,
  type ErrorCode,
  type ErrorMessage,
  type Heartbeat,
} from "@tabula/shared/protocol";
import { chooseBotMove, createRng, opponentOf, type Seat } from "@tabula/shared/rules";
import { z } from "zod";
import { AuthError, type Identity } from "../auth/tokens.ts";
import { DbUnavailableError } from "../db/games.ts";
import { GameTable, type EndPlan, type MovePlan, type Refusal } from "../game/session.ts";
import { heartbeatFor } from "../config.ts";
import type { Logger } from "../log.ts";
import type { GameListingMetadata } from "./listing.ts";
import { roomServices, type RoomServices } from "./services.ts";

const JoinOptions = z.object({ spectate: z.boolean().optional() }).passthrough();

interface ClientData {
  identity: Identity;
  /** The seat this socket plays, or null for a spectator. */
  seat: Seat | null;
  /** Set between onDrop and a reconnection, so the socket is counted out once. */
  dropped?: boolean;
}

type GameClient = Client<{ userData: ClientData; auth: Identity & { spectate: boolean } }> & {
  userData: ClientData;
  auth: Identity & { spectate: boolean };
};

const { UNAUTHORIZED, GAME_MOVED, SPECTATORS_FULL } = CLOSE_CODES;

export class GameRoom extends Room {
  private s!: RoomServices;
  /** Fencing token of our ownership (Game.leaseToken); every write carries it. */
  private fence = 0n;
  private relinquished = false;
  private readonly createdAt = Date.now();
  private log!: Logger;
  private table!: GameTable;
  /** Every action runs after the previous one committed: one writer per game. */
  private queue: Promise<unknown> = Promise.resolve();
  private deadlineTimer: { clear(): void } | undefined;
  private botTimer: { clear(): void } | undefined;
  /** Per seat: when a disconnected player loses by abandonment (epoch ms), and its timer. */
  private away: [{ until: number; timer: { clear(): void } } | null, { until: number; timer: { clear(): void } } | null] = [
    null,
    null,
  ];

  async onCreate(options: { gameId?: unknown; resume?: unknown }) {
    this.s = roomServices();
    const gameId = typeof options.gameId === "string" ? options.gameId : "";
    this.log = this.s.log.child({ gameId });
    const loaded = await this.s.games.loadGame(gameId);
    if (!loaded) throw new ServerError(404, `no game ${gameId}`);
    this.roomId = gameId;
    this.table = new GameTable(loaded, { firstMoveTimeoutMs: this.s.config.firstMoveTimeoutMs });
    if (!this.table.isActive) throw new ServerError(410, `game ${gameId} is over`);
    // One host per game: the Redis lease says who; the fencing token makes sure no one else can write.
    if (!(await this.s.leases.acquire(gameId))) throw new ServerError(409, `game ${gameId} is hosted by another node`);
    try {
      this.fence = await this.s.games.takeOwnership(gameId, this.s.config.nodeId);
      if (options.resume === true) await this.resume();
      this.autoDispose = !this.table.isActive;
      this.maxMessagesPerSecond = this.s.config.maxMessagesPerSecond;
      this.patchRate = null; // no Schema state: everything travels as messages
      await this.publishListing();
    } catch (err) {
      // No room after all: give the lease back (or it would be renewed forever) so another node can try.
      await this.s.leases.release(gameId);
      throw err;
    }

    for (const type of Object.keys(ClientMessages) as ClientMessageType[]) {
      this.onMessage(type, (client: GameClient, payload: unknown) => this.receive(client, type, payload));
    }
    this.onMessage("*", (client: GameClient, type: string | number) =>
      this.reply(client, {
        code: "UNKNOWN_MESSAGE",
        message: `unknown message type ${JSON.stringify(typeof type === "string" || typeof type === "number" ? String(type) : "*").slice(0, 40)}`,
      }),
    );

    this.scheduleTimers();
    // Nobody is connected yet: the abandonment countdown runs for absent players from the start.
    this.presenceChanged();
    this.log.info({ ply: this.table.ply, status: this.table.status }, "room ready");
  }

  /** Last line of defence: an unexpected exception in a hook or handler is logged, never crashes the node. */
  onUncaughtException(error: Error, methodName: string): void {
    // A refused join (bad token, full spectator gallery) surfaces here too: expected, not an error.
    if (methodName === "onAuth") return void this.log?.debug({ reason: error.message }, "join refused");
    this.log?.error({ err: error, methodName }, "uncaught exception in room");
  }

  /** Keep this room's entry in the cluster-wide listing (the Watch list) current. */
  private async publishListing(): Promise<void> {
    const metadata: GameListingMetadata = {
      kind: this.table.kind,
      timeControl: this.table.timeControl.id,
      players: this.table.players.map((p) => ({ name: p.name, isBot: p.isBot })),
      spectators: this.spectatorCount(),
      status: this.table.status,
      node: this.s.config.nodeId,
      createdAt: this.createdAt,
    };
    await this.setMetadata(metadata).catch((err) => this.log.warn({ err: (err as Error).message }, "listing update failed"));
  }

  /** This game's node stopped while it was live: restart its clocks (see GameTable.planResume). */
  private async resume(): Promise<void> {
    const clocks = this.table.planResume(this.s.now());
    if (!clocks) return;
    if (await this.s.games.resumeGame(this.fence, this.table.gameId, this.table.ply, clocks)) {
      this.table.applyClocks(clocks);
      this.log.info({ ply: this.table.ply }, "game resumed after restart");
    } else {
      await this.reload();
    }
  }

  async onAuth(_client: Client, options: unknown, context: AuthContext) {
    const parsed = JoinOptions.safeParse(options ?? {});
    if (!parsed.success) throw new ServerError(400, "invalid join options");
    try {
      const identity = await this.s.tokens.verify(context.token);
      const spectator = parsed.data.spectate === true || this.table.seatOf(identity.playerId) === null;
      if (spectator && this.spectatorCount() >= this.s.config.maxSpectators) {
        throw new ServerError(SPECTATORS_FULL, `this game already has ${this.s.config.maxSpectators} spectators`);
      }
      return { ...identity, spectate: parsed.data.spectate === true };
    } catch (err) {
      if (err instanceof AuthError) throw new ServerError(UNAUTHORIZED, err.message);
      throw err;
    }
  }

  onJoin(client: GameClient) {
    const auth = client.auth;
    const seat = auth.spectate ? null : this.table.seatOf(auth.playerId);
    client.userData = { identity: { playerId: auth.playerId, name: auth.name }, seat };
    this.s.online.socket(auth.playerId, 1);
    this.log.info({ player: auth.playerId, seat }, seat === null ? "spectator joined" : "player joined");
    this.presenceChanged();
    // The newcomer gets the full picture; everyone else learns the new presence/spectator count.
    this.broadcastSnapshots();
    if (seat === null) void this.publishListing();
  }

  onDrop(client: GameClient) {
    // Keep the socket's session for the SDK's automatic reconnection; the seat's
    // abandonment countdown runs meanwhile (see presenceChanged).
    // Spectators hold no seat: they simply join again, and stop counting as watchers at once.
    if (this.table.isActive && client.userData.seat !== null) {
      // Rejects when the room is disposing (shutdown) or the window passes: both are normal here.
      this.allowReconnection(client, Math.ceil(this.s.config.reconnectWindowMs / 1000)).catch(() => {});
    }
    client.userData.dropped = true;
    this.s.online.socket(client.userData.identity.playerId, -1);
    this.presenceChanged();
    this.broadcastSnapshots();
    if (client.userData.seat === null) void this.publishListing();
  }

  onReconnect(client: GameClient) {
    client.userData.dropped = false;
    this.s.online.socket(client.userData.identity.playerId, 1);
    this.presenceChanged();
    this.broadcastSnapshots();
  }

  onLeave(client: GameClient) {
    // After a drop whose reconnection failed, the socket was already counted out in onDrop.
    if (!client.userData?.dropped && client.userData) this.s.online.socket(client.userData.identity.playerId, -1);
    this.presenceChanged();
    if (this.clients.length > 0) this.broadcastSnapshots();
    if (client.userData?.seat === null) void this.publishListing();
  }

  onDispose() {
    if (this.table && !this.relinquished) void this.s.leases.release(this.table.gameId);
    this.deadlineTimer?.clear();
    this.botTimer?.clear();
    for (const a of this.away) a?.timer.clear();
    this.log.info("room disposed");
  }

  // -------------------------------------------------------------------------
  // Inbound messages

  private receive(client: GameClient, type: ClientMessageType, payload: unknown): void {
    const parsed = ClientMessages[type].safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.reply(client, {
        code: "BAD_MESSAGE",
        message: `invalid ${type}: ${issue ? `${issue.path.join(".") || "payload"}: ${issue.message}` : "malformed"}`,
        inReplyTo: type,
      });
      return;
    }
    if (type === "sync") {
      this.sendSnapshot(client);
      return;
    }
    const seat = client.userData.seat;
    if (seat === null) {
      this.reply(client, { code: "NOT_A_PLAYER", message: "spectators cannot play", inReplyTo: type });
      return;
    }
    const msg = parsed.data as Record<string, unknown>;
    this.serial(async () => {
      switch (type) {
        case "move":
          return this.playMove(seat, msg.ply as number, msg.move as string, client);
        case "resign":
          return this.end(this.table.planResign(seat, this.s.now()), client, type);
        case "abort":
          return this.end(this.table.planAbort(seat, this.s.now()), client, type);
        case "draw":
          return this.draw(seat, msg.action as "offer" | "accept" | "decline", client);
        case "rematch":
          return this.rematch(seat, msg.action as "offer" | "accept" | "decline", client);
      }
    });
  }

  private serial(fn: () => Promise<unknown>): void {
    this.queue = this.queue.then(fn).catch((err) => this.log.error({ err }, "action failed"));
  }

  private reply(client: GameClient | undefined, error: ErrorMessage): void {
    if (client) client.send("error", error);
  }

  private refuse(client: GameClient | undefined, r: Refusal, inReplyTo: string): void {
    this.reply(client, { code: r.code, message: r.message, inReplyTo });
  }

  /** Run a database write; on failure tell the client the action was not applied. */
  private async commit(
    write: () => Promise<boolean>,
    client: GameClient | undefined,
    inReplyTo: string,
  ): Promise<boolean | undefined> {
    try {
      return await write();
    } catch (err) {
      const code: ErrorCode = err instanceof DbUnavailableError ? "UNAVAILABLE" : "INTERNAL";
      this.log.error({ err, inReplyTo }, "commit failed");
      this.reply(client, {
        code,
        message:
          code === "UNAVAILABLE"
            ? "the database is temporarily unavailable; nothing was applied, try again"
            : "internal error; nothing was applied",
        inReplyTo,
      });
      return undefined;
    }
  }

  private async playMove(seat: Seat, ply: number, move: string, client: GameClient | undefined): Promise<void> {
    const now = this.s.now();
    const plan = this.table.planMove(seat, ply, move, now);
    if (!plan.ok) {
      this.refuse(client, plan, "move");
      if (plan.code === "GAME_OVER") await this.onDeadline();
      return;
    }
    const ok = await this.commit(
      () =>
        this.s.games.commitMove(
          this.fence,
          this.table.gameId,
          { ...plan.record, at: new Date(plan.record.at) },
          plan.clocks,
          plan.ending,
        ),
      client,
      "move",
    );
    if (ok === undefined) return;
    if (!ok) {
      // Another writer got there first: our table is behind the log, or another node owns the game. Never guess; reload.
      this.log.warn({ ply }, "move commit changed nothing; reloading from the log");
      await this.reload();
      if (!this.relinquished) {
        this.reply(client, { code: "STALE_PLY", message: "the game moved on; here is the current position", inReplyTo: "move" });
      }
      return;
    }
    this.afterMove(plan);
  }

  private afterMove(plan: MovePlan): void {
    this.table.applyMove(plan);
    const now = this.s.now();
    for (const c of this.clients as unknown as GameClient[]) c.send("moved", this.table.moved(now, c.userData.seat));
    if (plan.ending) this.onGameOver();
    else this.scheduleTimers();
  }

  private async end(plan: EndPlan | Refusal, client: GameClient | undefined, inReplyTo: string): Promise<void> {
    if (!plan.ok) return this.refuse(client, plan, inReplyTo);
    const ok = await this.commit(
      () => this.s.games.finishGame(this.fence, this.table.gameId, plan.ply, plan.clocks, plan.ending),
      client,
      inReplyTo,
    );
    if (ok === undefined) return;
    if (!ok) {
      await this.reload();
      return;
    }
    this.table.applyEnd(plan);
    this.log.info({ result: plan.ending.result }, "game over");
    this.onGameOver();
  }

  private async draw(seat: Seat, action: "offer" | "accept" | "decline", client: GameClient): Promise<void> {
    if (!this.table.isActive) return this.reply(client, { code: "GAME_OVER", message: "the game is over", inReplyTo: "draw" });
    const offer = this.table.drawOffer;
    if (action === "offer") {
      if (offer === opponentOf(seat)) return this.end(this.table.planAgreedDraw(this.s.now()), client, "draw");
      this.table.drawOffer = seat;
      if (this.table.players[opponentOf(seat)].isBot) this.table.drawOffer = null; // the bot plays on
      return this.broadcastSnapshots();
    }
    if (offer !== opponentOf(seat))
      return this.reply(client, { code: "NO_OFFER", message: "there is no draw offer to answer", inReplyTo: "draw" });
    if (action === "accept") return this.end(this.table.planAgreedDraw(this.s.now()), client, "draw");
    this.table.drawOffer = null;
    this.broadcastSnapshots();
  }

  private async rematch(seat: Seat, action: "offer" | "accept" | "decline", client: GameClient): Promise<void> {
    if (this.table.isActive)
      return this.reply(client, { code: "GAME_NOT_OVER", message: "rematch is offered after the game", inReplyTo: "rematch" });
    if (this.table.rematchGameId) return this.sendSnapshot(client);
    const offer = this.table.rematchOffer;
    const opponentIsBot = this.table.players[opponentOf(seat)].isBot;
    if (action === "decline") {
      if (offer !== opponentOf(seat))
        return this.reply(client, { code: "NO_OFFER", message: "there is no rematch offer to answer", inReplyTo: "rematch" });
      this.table.rematchOffer = null;
      return this.broadcastSnapshots();
    }
    if (action === "accept" && offer !== opponentOf(seat)) {
      return this.reply(client, { code: "NO_OFFER", message: "there is no rematch offer to answer", inReplyTo: "rematch" });
    }
    if (offer === opponentOf(seat) || opponentIsBot) {
      const p = this.table.players;
      try {
        this.table.rematchGameId = await this.s.factory.create({
          game: this.table.kind,
          timeControl: this.table.timeControl.id,
          mode: opponentIsBot ? "bot" : "rematch",
          playerIds: [p[1].id, p[0].id], // colours swap
          seatsFixed: true,
          rematchOfId: this.table.gameId,
        });
      } catch (err) {
        this.log.error({ err }, "rematch creation failed");
        return this.reply(client, {
          code: "UNAVAILABLE",
          message: "could not create the rematch; try again",
          inReplyTo: "rematch",
        });
      }
      this.table.rematchOffer = null;
      return this.broadcastSnapshots();
    }
    this.table.rematchOffer = seat;
    this.broadcastSnapshots();
  }

  // -------------------------------------------------------------------------
  // Timers: deadlines, the bot, abandonment

  private scheduleTimers(): void {
    this.deadlineTimer?.clear();
    this.deadlineTimer = undefined;
    const deadline = this.table.deadline();
    if (deadline !== null) {
      const delay = Math.max(0, deadline - this.s.now()) + 5;
      this.deadlineTimer = this.clock.setTimeout(() => this.serial(() => this.onDeadline()), delay);
    }
    this.scheduleBot();
  }

  private async onDeadline(): Promise<void> {
    const plan = this.table.planDeadline(this.s.now());
    if (plan) await this.end(plan, undefined, "deadline");
    else this.scheduleTimers();
  }

  private scheduleBot(): void {
    this.botTimer?.clear();
    this.botTimer = undefined;
    const seat = this.table.toMove();
    if (seat === null || !this.table.players[seat].isBot) return;
    const [min, max] = this.s.config.botThinkMs;
    const remaining = this.table.remainingAt(this.s.now())[seat];
    const think = Math.min(min + Math.random() * (max - min), remaining / 20);
    const ply = this.table.ply;
    this.botTimer = this.clock.setTimeout(
      () =>
        this.serial(async () => {
          if (this.table.ply !== ply || !this.table.isActive) return;
          const rng = createRng(`${this.table.seed}:${ply}`);
          const move = chooseBotMove(this.table.def, this.table.rulesState, seat, rng);
          await this.playMove(seat, ply, move, undefined);
        }),
      think,
    );
  }

  /** Recompute which seats have a live socket and (re)arm the abandonment countdowns. */
  private presenceChanged(): void {
    for (const seat of [0, 1] as Seat[]) {
      const here = this.table.players[seat].isBot || this.clients.some((c) => (c as GameClient).userData?.seat === seat);
      const away = this.away[seat];
      if (here && away) {
        away.timer.clear();
        this.away[seat] = null;
      } else if (!here && !away && this.table.isActive) {
        const until = this.s.now() + this.s.config.reconnectWindowMs;
        const timer = this.clock.setTimeout(
          () =>
            this.serial(async () => {
              this.away[seat] = null;
              if (this.clients.some((c) => (c as GameClient).userData?.seat === seat)) return;
              this.log.info({ seat }, "player did not come back");
              await this.end(this.table.planAbandon(seat, this.s.now()), undefined, "abandon");
            }),
          this.s.config.reconnectWindowMs,
        );
        this.away[seat] = { until, timer };
      }
    }
  }

  /**
   * Stop hosting this game (another node owns it, or this node is shutting
   * down): nothing more is written from here; clients are told to rejoin,
   * which the matchmaker routes to the new host.
   */
  relinquish(reason: string): void {
    if (this.relinquished) return;
    this.relinquished = true;
    this.log.warn({ reason }, "leaving the game to another node");
    this.deadlineTimer?.clear();
    this.botTimer?.clear();
    for (const a of this.away) a?.timer.clear();
    this.queue = new Promise(() => {}); // no further action of this room will run
    for (const c of this.clients as unknown as GameClient[]) {
      c.send("error", { code: "GAME_MOVED", message: "this game moved to another server; rejoin it" });
      c.leave(GAME_MOVED);
    }
    this.autoDispose = true;
    // The new host registered this game's room under the same id. Disposing ours makes Colyseus
    // delete "its" listing by id, which would hide the new room from the matchmaker: point our
    // listing at a throw-away id first so only our own entry goes.
    const listing = (this as unknown as { _listing?: { roomId: string } })._listing;
    if (listing) listing.roomId = `${this.roomId}~relinquished~${this.s.config.nodeId}`;
    void this.disconnect(GAME_MOVED);
  }

  /** Graceful shutdown (SIGTERM): hand the game over at once instead of waiting for the lease to expire. */
  onBeforeShutdown(): void {
    if (this.table?.isActive) {
      void this.s.leases.release(this.table.gameId).finally(() => this.relinquish("node shutting down"));
    } else {
      void this.disconnect();
    }
  }

  private onGameOver(): void {
    void this.s.leases.release(this.table.gameId);
    void this.publishListing();
    this.deadlineTimer?.clear();
    this.botTimer?.clear();
    for (const a of this.away) a?.timer.clear();
    this.away = [null, null];
    this.broadcastSnapshots();
    this.autoDispose = true;
    if (this.clients.length === 0) void this.disconnect();
  }

  /**
   * A guarded write changed nothing: either another node took the game over
   * (our fencing token is old: leave) or the log moved on (rebuild from it).
   */
  private async reload(): Promise<void> {
    const loaded = await this.s.games.loadGame(this.table.gameId);
    if (!loaded) return;
    if (loaded.game.leaseToken !== this.fence) {
      this.relinquish("fenced out: another node owns this game now");
      return;
    }
    const { drawOffer, rematchOffer, rematchGameId } = this.table;
    this.table = new GameTable(loaded, { firstMoveTimeoutMs: this.s.config.firstMoveTimeoutMs });
    Object.assign(this.table, { drawOffer, rematchOffer, rematchGameId });
    if (!this.table.isActive) this.onGameOver();
    else {
      this.scheduleTimers();
      this.broadcastSnapshots();
    }
  }

  // -------------------------------------------------------------------------
  // Outbound

  private seatPresence() {
    return ([0, 1] as Seat[]).map((seat) => {
      const away = this.away[seat];
      const bot = this.table.players[seat].isBot;
      return { connected: bot || !away, reconnectDeadline: away && this.table.isActive ? away.until : null };
    }) as [{ connected: boolean; reconnectDeadline: number | null }, { connected: boolean; reconnectDeadline: number | null }];
  }

  private spectatorCount(): number {
    return this.clients.filter((c) => (c as GameClient).userData?.seat === null).length;
  }

  private heartbeat(): Heartbeat {
    return heartbeatFor(this.s.config.leaseTtlMs);
  }

  private sendSnapshot(client: GameClient): void {
    client.send("snapshot", {
      ...this.table.snapshot(this.s.now(), client.userData.seat, this.seatPresence(), this.spectatorCount()),
      heartbeat: this.heartbeat(),
    });
  }

  private broadcastSnapshots(): void {
    const now = this.s.now();
    const presence = this.seatPresence();
    const spectators = this.spectatorCount();
    for (const c of this.clients as unknown as GameClient[]) {
      if (!c.userData) continue;
      c.send("snapshot", { ...this.table.snapshot(now, c.userData.seat, presence, spectators), heartbeat: this.heartbeat() });
    }
  }
}
