/**
 * The authority of one live game, as boardgame.io's master is to its core:
 * it owns the serial queue (one writer per game), runs plan → commit → apply
 * (nothing is applied or sent before its write committed), reloads from the
 * log after a write that changed nothing, and decides when deadlines,
 * abandonment and the bot act. Storage, outbox, clock and randomness are
 * injected; it imports nothing from Colyseus and is tested with fakes
 * (host.test.ts).
 */
import type { ClientMessage, ErrorCode, MoveRecord } from "@tabula/shared/protocol";
import { chooseBotMove, createRng, DEFAULT_BOT_LEVEL, opponentOf, type Seat } from "@tabula/shared/rules";
import { positionFeatures } from "../bots/position.ts";
import { botThinkMs } from "../bots/thinkTime.ts";
import { DbUnavailableError } from "../db/errors.ts";
import type { Change, Refusal, Unchanged } from "./changes.ts";
import type { HostDeps, PlayerAction } from "./ports.ts";
import { Presence } from "./presence.ts";
import type { ClockFields, Ending, GameRecord } from "./record.ts";
import { GameTable } from "./table.ts";
import { TableTimers } from "./timers.ts";
import { movedOf, snapshotOf, snapshotsOf } from "./views.ts";

export type { HostDeps, HostSettings, HostStorage, Outbox, PlayerAction } from "./ports.ts";

/** What became of a change sent to the database. */
type Committed = "applied" | "stale" | "failed";
/** What became of a plan: refused, nothing to write, or committed (or not). */
type Settled = Committed | "refused" | "unchanged";

export class GameHost<C> {
  private table: GameTable;
  private readonly presence: Presence;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly timers: TableTimers;
  /** The bot's move being worked out (from the moment its turn began), for ply `ply`. */
  private botPending: { ply: number; move: Promise<string> } | null = null;
  /** Fencing token of our ownership (Game.leaseToken): every write carries it. */
  private readonly fence: bigint;
  private readonly deps: HostDeps<C>;

  private constructor(record: GameRecord, fence: bigint, deps: HostDeps<C>) {
    this.fence = fence;
    this.deps = deps;
    this.table = this.tableOf(record);
    const isBot = [record.players[0].isBot, record.players[1].isBot] as const;
    const windowMs = deps.settings.reconnectWindowMs;
    // The game ends by itself one more window after the claim opened (presence.ts).
    this.presence = new Presence(deps.clock, isBot, windowMs, windowMs, {
      expired: (seat) => this.serial(() => this.windowRanOut(seat)),
      fallback: (seat) => this.serial(() => this.abandoned(seat)),
    });
    this.timers = new TableTimers(deps.clock, {
      deadline: () => this.serial(() => this.deadlinePassed()),
      botThinks: (seat, ply) => this.botThinks(seat, ply),
      botMove: (seat, ply) => this.botMove(seat, ply),
    });
  }

  /**
   * Host the game `record`, as loaded when its ownership was taken: its
   * `leaseToken` is our fencing token. With `resume` (rebuilt after its node
   * stopped) the clocks restart (GameTable.planResume). Null when the game is
   * over, or turned out to be someone else's.
   */
  static async open<C>(record: GameRecord, deps: HostDeps<C>, resume: boolean): Promise<GameHost<C> | null> {
    if (record.status !== "active") return null;
    const host = new GameHost(record, record.leaseToken, deps);
    const clocks = resume ? host.table.planResume(deps.clock.now()) : null;
    if (clocks) await host.commit(clocks, undefined, "resume");
    if (host.closed || !host.table.isActive) return null;
    host.schedule();
    // Nobody is connected yet: the abandonment countdowns run from the start.
    host.presence.update(true);
    return host;
  }

  /** The game as it stands (read-only use: seats, listing, status). */
  get state(): GameTable {
    return this.table;
  }

  /** Queue a player's action; resolves once it has been handled (committed and sent, or refused). */
  receive(from: C, seat: Seat, action: PlayerAction): Promise<void> {
    // A measurement (tabula_move_handling_seconds), not game time: the game's clock stays the injected one.
    const receivedAt = performance.now();
    return this.serial(async () => void (await this.act(from, seat, action, receivedAt)));
  }

  private async act(from: C, seat: Seat, action: PlayerAction, receivedAt: number): Promise<unknown> {
    const now = this.deps.clock.now();
    switch (action.type) {
      case "move":
        return this.playMove(seat, action.ply, action.move, from, receivedAt);
      case "resign":
        return this.settle(this.table.planResign(seat, now), from, seat, action.type);
      case "abort":
        return this.settle(this.table.planAbort(seat, now), from, seat, action.type);
      case "draw": {
        const settled = await this.settle(this.table.planDraw(seat, action.action, now), from, seat, action.type);
        return this.declined("draw", seat, action.action, settled, from);
      }
      case "rematch":
        return this.declined("rematch", seat, action.action, await this.rematch(seat, action.action, from), from);
      case "claimWin": {
        const away = this.presence.awayUntil(opponentOf(seat));
        return this.settle(this.table.planClaimWin(seat, away, now), from, seat, action.type);
      }
    }
  }

  /** A socket of `seat` joined (+1) or left (-1): presence and the abandonment countdown follow. */
  seatChanged(seat: Seat, delta: 1 | -1): void {
    if (!this.closed) this.presence.change(seat, delta, this.table.isActive);
  }

  /** The full picture for one participant. */
  sendSnapshot(to: C, you: Seat | null): void {
    this.deps.outbox.send(to, "snapshot", snapshotOf(this.table, you, this.context()));
  }

  /** The full picture for everyone (after presence or offers changed). */
  broadcastSnapshots(): void {
    this.deps.outbox.sendEach("snapshot", snapshotsOf(this.table, this.context()));
  }

  /** Stop hosting: no action, timer or write runs from here on, and the outbox sends everyone elsewhere. */
  relinquish(reason: string): void {
    if (this.closed) return;
    this.close();
    this.deps.log.warn({ reason }, "leaving the game to another node");
    this.deps.outbox.relinquish(reason);
  }

  /** Stop timers and refuse further actions (the room is going away). */
  close(): void {
    this.closed = true;
    this.timers.stop();
    this.presence.stop();
  }

  private context() {
    const o = this.deps.outbox;
    return {
      now: this.deps.clock.now(),
      presence: this.presence.view(),
      spectators: o.spectators(),
      heartbeat: this.deps.settings.heartbeat,
    };
  }

  private tableOf(record: GameRecord): GameTable {
    return new GameTable(record, { firstMoveTimeoutMs: this.deps.settings.firstMoveTimeoutMs });
  }

  /** One writer per game: each action runs after the previous one finished. */
  private serial(fn: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(() => (this.closed ? undefined : fn()))
      .catch((err) => {
        if (err instanceof DbUnavailableError) this.deps.log.warn({ err: err.message }, "action failed: database unavailable");
        else this.deps.log.error({ err }, "action failed");
      });
    return this.queue;
  }

  private reply(to: C | undefined, code: ErrorCode, message: string, inReplyTo: string): void {
    if (to === undefined) return;
    this.deps.metrics?.refusedMessages.inc({ code });
    this.deps.outbox.send(to, "error", { code, message, inReplyTo });
  }

  /** `receivedAt` (performance.now(), ms): when a player's move reached the host; unset for the bot's. */
  private async playMove(seat: Seat, ply: number, move: string, from: C | undefined, receivedAt?: number): Promise<void> {
    const change = this.table.planMove(seat, ply, move, this.deps.clock.now());
    if (!change.ok) {
      this.reply(from, change.code, change.message, "move");
      if (change.code === "GAME_OVER") await this.deadlinePassed(); // the flag fell before the timer did
      return;
    }
    const outcome = await this.commit(change, from, "move");
    if (outcome === "applied" && receivedAt !== undefined) {
      this.deps.metrics?.moveHandlingSeconds.observe((performance.now() - receivedAt) / 1000);
    }
    if (outcome === "stale" && !this.closed) {
      this.reply(from, "STALE_PLY", "the game moved on; here is the current position", "move");
    }
  }

  /** A plan that needs no more than one write (or none). */
  private async settle(plan: Change | Unchanged | Refusal, from: C | undefined, seat: Seat, inReplyTo: string): Promise<Settled> {
    if (!plan.ok) {
      this.reply(from, plan.code, plan.message, inReplyTo);
      return "refused";
    }
    if (plan.kind === "unchanged") {
      // Nothing to write (e.g. a bot declined a draw at once): the sender gets the picture as it stands.
      if (from !== undefined) this.sendSnapshot(from, seat);
      return "unchanged";
    }
    return this.commit(plan, from, inReplyTo);
  }

  /** An agreed rematch is created and recorded in one write; it is announced once its room is up. */
  private async rematch(seat: Seat, action: ClientMessage<"rematch">["action"], from: C): Promise<Settled> {
    const plan = this.table.planRematch(seat, action);
    if (!plan.ok || plan.kind !== "create-rematch") return this.settle(plan, from, seat, "rematch");
    return this.commit(this.table.rematchCreated(this.deps.newGame(plan)), from, "rematch");
  }

  /**
   * Tell the one who offered that the offer was declined: after a committed `decline` by `seat`, its
   * opponent's sockets; after an offer to a bot left unchanged (a bot declines a draw at once), the sender.
   */
  private declined(offer: "draw" | "rematch", seat: Seat, action: string, settled: Settled, from: C): void {
    const body = { gameId: this.table.gameId, offer };
    if (action === "decline" && settled === "applied") {
      const offerer = opponentOf(seat);
      this.deps.outbox.sendEach("offerDeclined", (you) => (you === offerer ? body : undefined));
    } else if (action === "offer" && settled === "unchanged" && this.presence.isBotSeat(opponentOf(seat))) {
      if (offer === "draw") this.deps.outbox.send(from, "offerDeclined", body);
    }
  }

  /**
   * Build the room of a rematch just written, before the players are told to join it. If it
   * cannot be built here, the game is in the log all the same: the lease sweep (takeover.ts)
   * hosts a live game nobody holds, and the players' joins succeed from then on.
   */
  private async hostRematch(gameId: string): Promise<void> {
    try {
      await this.deps.hostGame(gameId);
    } catch (err) {
      this.deps.log.warn({ gameId, err: (err as Error).message }, "rematch room not built here; the takeover sweep will host it");
    }
  }

  /**
   * Write a change, then apply and announce it. A write that changed nothing
   * means the log moved on or another node owns the game: never guess, reload.
   * A failed write leaves everything as it was and tells the sender.
   */
  private async commit(change: Change, from: C | undefined, inReplyTo: string): Promise<Committed> {
    let written: boolean;
    try {
      written = await this.write(change);
    } catch (err) {
      const unavailable = err instanceof DbUnavailableError;
      if (unavailable) this.deps.log.warn({ err: err.message, inReplyTo }, "commit failed: database unavailable");
      else this.deps.log.error({ err, inReplyTo }, "commit failed");
      this.reply(
        from,
        unavailable ? "UNAVAILABLE" : "INTERNAL",
        unavailable
          ? "the database is temporarily unavailable; nothing was applied, try again"
          : "internal error; nothing was applied",
        inReplyTo,
      );
      return "failed";
    }
    if (!written) {
      this.deps.log.warn({ ply: this.table.ply, inReplyTo }, "write changed nothing; reloading from the log");
      await this.reload();
      return "stale";
    }
    if (change.kind === "offers" && change.creates) await this.hostRematch(change.creates.id);
    this.table.apply(change);
    this.announce(change);
    return "applied";
  }

  private write(change: Change): Promise<boolean> {
    const { storage } = this.deps;
    const id = this.table.gameId;
    switch (change.kind) {
      case "move":
        if (change.ending) return this.end(change.record.ply, change.record, { clocks: change.clocks, ending: change.ending });
        return storage.commitMove(this.fence, id, change.record, change.clocks, change.ending);
      case "end":
        return this.end(change.ply, null, change);
      case "offers":
        return change.creates
          ? storage.createRematch(this.fence, id, change.expected, change.offers, change.creates)
          : storage.saveOffers(this.fence, id, change.expected, change.offers);
      case "clocks":
        return storage.resumeGame(this.fence, id, change.ply, change.clocks);
    }
  }

  /**
   * A game's ending: a rated game's with both rating updates in one transaction (db/ratedEnding.ts),
   * whose changes the table then shows; any other's (or an abort) as it always was.
   */
  private async end(ply: number, move: MoveRecord | null, c: { clocks: ClockFields; ending: Ending }): Promise<boolean> {
    const { storage } = this.deps;
    const { gameId, ratings } = this.table;
    if (!ratings || c.ending.status !== "finished") {
      return move
        ? storage.commitMove(this.fence, gameId, move, c.clocks, c.ending)
        : storage.finishGame(this.fence, gameId, ply, c.clocks, c.ending);
    }
    const playerIds = [this.table.players[0].id, this.table.players[1].id] as const;
    const w = { fence: this.fence, gameId, ply, move, clocks: c.clocks, ending: c.ending, pool: ratings.pool, playerIds };
    const changes = await storage.endRated(w);
    if (changes) this.table.rated(changes);
    return changes !== null;
  }

  private announce(change: Change): void {
    switch (change.kind) {
      case "move": {
        this.deps.outbox.sendEach("moved", movedOf(this.table, this.deps.clock.now()));
        if (change.ending) this.gameOver();
        else this.schedule();
        return;
      }
      case "end":
        this.deps.log.info({ result: change.ending.result }, "game over");
        this.gameOver();
        return;
      case "offers":
        this.broadcastSnapshots();
        return;
      case "clocks":
        this.deps.log.info({ ply: this.table.ply }, "game resumed after restart");
        this.schedule();
        return;
    }
  }

  /** Rebuild the table from the log, or leave when another node holds the game now. */
  private async reload(): Promise<void> {
    const record = await this.deps.storage.load(this.table.gameId);
    if (!record || record.leaseToken !== this.fence) {
      this.deps.metrics?.fencedWrites.inc();
      this.deps.audit?.record({ kind: "write.fenced", gameId: this.table.gameId, detail: { reason: "fencing token moved on" } });
      return this.relinquish("fenced out: another node owns this game now");
    }
    this.table = this.tableOf(record);
    if (!this.table.isActive) return this.gameOver();
    this.schedule();
    this.broadcastSnapshots();
  }

  private gameOver(): void {
    this.timers.stop();
    this.presence.stop();
    this.broadcastSnapshots();
    this.deps.outbox.gameOver();
  }

  private schedule(): void {
    if (!this.closed) this.timers.schedule(this.table);
  }

  /**
   * The bot's turn at `ply` began: start working its move out now (an engine thinks on a worker
   * thread meanwhile) and say how long to seem to think (bots/thinkTime.ts). Called again for the
   * same ply (a reload, a resume), it keeps the move already under way.
   */
  private botThinks(seat: Seat, ply: number): number {
    const t = this.table;
    const now = this.deps.clock.now();
    const level = t.record.botLevel ?? DEFAULT_BOT_LEVEL;
    const remainingMs = t.remainingAt(now)[seat];
    const firstMoveDeadline = t.clockState(now).firstMoveDeadline;
    const features = positionFeatures(t.def, t.rulesState, seat);
    if (this.botPending?.ply !== ply) {
      const seed = `${t.record.seed}:${ply}`;
      // The engine's share of the clock: a thirtieth of what is left, at most a second.
      const budgetMs = Math.min(1_000, remainingMs / 30);
      const req = { def: t.def, state: t.rulesState, seat, level, seed, budgetMs };
      const bots = this.deps.bots;
      const move = bots
        ? bots.choose(req)
        : Promise.resolve().then(() => chooseBotMove(t.def, t.rulesState, seat, createRng(seed), level));
      move.catch(() => {}); // handled where it is awaited (botMove)
      this.botPending = { ply, move };
    }
    return botThinkMs({
      ...features,
      ply,
      remainingMs,
      incrementMs: t.record.timeControl.incrementMs,
      firstMoveLeftMs: firstMoveDeadline === null ? null : firstMoveDeadline - now,
      level,
      random: this.deps.random(),
      scale: this.deps.settings.botThinkScale,
    });
  }

  /** The bot has "thought" long enough: once its move is ready (outside the queue: players are not held up), play it. */
  private async botMove(seat: Seat, ply: number): Promise<void> {
    const pending = this.botPending;
    if (pending?.ply !== ply) return;
    let move: string;
    try {
      move = await pending.move;
    } catch (err) {
      this.deps.log.error({ err, ply }, "bot move failed");
      return;
    }
    await this.serial(async () => {
      if (this.table.ply !== ply || this.table.toMove() !== seat) return;
      await this.playMove(seat, ply, move, undefined);
    });
  }

  private async deadlinePassed(): Promise<void> {
    const plan = this.table.planDeadline(this.deps.clock.now());
    if (plan) await this.commit(plan, undefined, "deadline");
    else this.schedule(); // woken early: wait again
  }

  /**
   * `seat`'s reconnection window ran out: its opponent may claim the win now (everyone is told). When
   * nobody can click for it — the opponent is a bot, or away too — the game ends at once instead.
   */
  private async windowRanOut(seat: Seat): Promise<void> {
    if (this.presence.isHere(seat) || !this.table.isActive) return;
    const other = opponentOf(seat);
    if (this.presence.isBotSeat(other) || !this.presence.isHere(other)) return this.abandoned(seat);
    this.deps.log.info({ seat }, "player did not come back: the opponent may claim the win");
    this.broadcastSnapshots();
  }

  private async abandoned(seat: Seat): Promise<void> {
    if (this.presence.isHere(seat)) return;
    this.deps.log.info({ seat }, "player did not come back");
    await this.settle(this.table.planAbandon(seat, this.deps.clock.now()), undefined, seat, "abandon");
  }
}
