/**
 * A live game's table: the rules state plus everything around it that the
 * rules do not know about — seats, clocks, offers, and how a game ends. Every
 * rule of a live game is here, and only here.
 *
 * Like the rules, it does no I/O and reads no clock: time (`now`, epoch ms) is
 * passed in. The host asks it to *plan* (a change, or a refusal), commits the
 * change to the database, and only then *applies* it here. A change that was
 * not committed is dropped, leaving the table untouched.
 */
import type { ClockState, GameStatus, MoveRecord } from "@tabula/shared/protocol";
import { type GameDefinition, type GameResult, getGame, opponentOf, replay, type Seat } from "@tabula/shared/rules";
import {
  type Change,
  type ClocksChange,
  type EndChange,
  type MoveChange,
  type OffersChange,
  type RematchRequest,
  type Refusal,
  refuse,
  type Unchanged,
} from "./changes.ts";
import { decideDraw, decideRematch, type OfferAction } from "./offers.ts";
import { type GameRatingsRecord, type StoredChange, withChanges } from "../ratings/seats.ts";
import type { ClockFields, Ending, GameRecord, NewGame, Offers } from "./record.ts";

export interface TableOptions {
  /** Time each side has for its first move before the game is aborted, ms. */
  firstMoveTimeoutMs: number;
}

/** Clocks only start once both sides have moved; before that a first-move deadline applies. */
const CLOCKED_FROM_PLY = 2;

export class GameTable {
  readonly record: Omit<GameRecord, "moves" | "clocks" | "status" | "result" | "offers" | "ply" | "ratings">;
  readonly def: GameDefinition;
  private rules: unknown;
  private readonly log: MoveRecord[];
  private clocks: ClockFields;
  private ended: { status: GameStatus; result: GameResult | null };
  private current: Offers;
  private rating: GameRatingsRecord | null;
  private readonly opts: TableOptions;

  /** Rebuild the table from a stored game: the position is replayed from the log (the log is the truth). */
  constructor(game: GameRecord, opts: TableOptions) {
    const def = getGame(game.kind);
    if (!def) throw new Error(`game ${game.id} has unknown kind ${game.kind}`);
    const replayed = replay(
      def,
      game.seed,
      game.moves.map((m) => m.move),
    );
    if (!replayed.ok) {
      throw new Error(`game ${game.id}: stored move ${replayed.ply} (${replayed.move}) is illegal: ${replayed.error.message}`);
    }
    if (game.moves.length !== game.ply) {
      throw new Error(`game ${game.id}: row says ply ${game.ply} but the log holds ${game.moves.length} moves`);
    }
    const { moves, clocks, status, result, offers, ratings, ply: _, ...fixed } = game;
    this.record = fixed;
    this.def = def;
    this.opts = opts;
    this.rules = replayed.state;
    this.log = moves.slice();
    this.clocks = { ...clocks };
    this.ended = { status, result };
    this.current = { ...offers };
    this.rating = ratings;
  }

  get gameId(): string {
    return this.record.id;
  }
  get players(): GameRecord["players"] {
    return this.record.players;
  }
  get ply(): number {
    return this.log.length;
  }
  get moves(): readonly MoveRecord[] {
    return this.log;
  }
  get rulesState(): unknown {
    return this.rules;
  }
  get status(): GameStatus {
    return this.ended.status;
  }
  get result(): GameResult | null {
    return this.ended.result;
  }
  get offers(): Readonly<Offers> {
    return this.current;
  }
  get isActive(): boolean {
    return this.ended.status === "active";
  }
  /** A rated game's ratings (null: casual). */
  get ratings(): GameRatingsRecord | null {
    return this.rating;
  }

  /** Record the rating changes committed with the game's ending (db/ratedEnding.ts). */
  rated(changes: readonly [StoredChange, StoredChange]): void {
    if (this.rating) this.rating = withChanges(this.rating, changes);
  }

  /** Seat of a player id, or null (spectator). */
  seatOf(playerId: string): Seat | null {
    if (this.players[0].id === playerId) return 0;
    if (this.players[1].id === playerId) return 1;
    return null;
  }

  toMove(): Seat | null {
    return this.isActive ? this.def.toMove(this.rules) : null;
  }

  /** When the side to move flags (or, before clocks start, the game is aborted); null if nothing is pending. */
  deadline(): number | null {
    return this.isActive ? this.clocks.deadlineAt : null;
  }

  private clocksRunning(): boolean {
    return this.isActive && this.ply >= CLOCKED_FROM_PLY;
  }

  /** Remaining ms of each seat at `now`. */
  remainingAt(now: number): [number, number] {
    const r: [number, number] = [this.clocks.clock0Ms, this.clocks.clock1Ms];
    const seat = this.toMove();
    const since = this.clocks.turnStartedAt;
    if (this.clocksRunning() && seat !== null && since !== null) r[seat] = Math.max(0, r[seat] - (now - since));
    return r;
  }

  clockState(now: number): ClockState {
    return {
      remainingMs: this.remainingAt(now),
      running: this.clocksRunning() ? this.toMove() : null,
      serverNow: now,
      firstMoveDeadline: this.isActive && !this.clocksRunning() ? this.clocks.deadlineAt : null,
    };
  }

  /** Check and compute a move by `seat` expecting ply `ply`. */
  planMove(seat: Seat, ply: number, move: string, now: number): MoveChange | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    if (ply !== this.ply) return refuse("STALE_PLY", `expected ply ${this.ply}, got ${ply}`);
    if (this.def.toMove(this.rules) !== seat) return refuse("NOT_YOUR_TURN", "it is not your turn");
    const deadline = this.deadline();
    // The flag fell before the move arrived; the host ends the game on time (planDeadline).
    if (deadline !== null && now >= deadline) return refuse("GAME_OVER", "your time ran out");
    const applied = this.def.apply(this.rules, move, seat);
    if (!applied.ok) return refuse(applied.error.code, applied.error.message);

    const remaining: [number, number] = [this.clocks.clock0Ms, this.clocks.clock1Ms];
    if (this.clocksRunning() && this.clocks.turnStartedAt !== null) {
      remaining[seat] = remaining[seat] - (now - this.clocks.turnStartedAt) + this.record.timeControl.incrementMs;
    }
    const nextPly = this.ply + 1;
    const result = this.def.result(applied.state);
    const next = this.def.toMove(applied.state);
    let deadlineAt: number | null = null;
    if (!result && next !== null) {
      deadlineAt = nextPly >= CLOCKED_FROM_PLY ? now + remaining[next] : now + this.opts.firstMoveTimeoutMs;
    }
    return {
      ok: true,
      kind: "move",
      record: { ply: this.ply, seat, move, san: applied.notation, clockMs: remaining[seat], at: now },
      rulesState: applied.state,
      clocks: { clock0Ms: remaining[0], clock1Ms: remaining[1], turnStartedAt: result ? null : now, deadlineAt },
      ending: result ? { status: "finished", result, endedAt: now } : null,
    };
  }

  /**
   * Clocks for a game rebuilt after its node stopped (crash, restart, takeover).
   * Policy: the player to move must not lose time to our outage, so the current
   * turn restarts now with the time that side had when the turn began; a pending
   * first-move deadline restarts too. Null for a finished game.
   */
  planResume(now: number): ClocksChange | null {
    const seat = this.toMove();
    if (seat === null) return null;
    const left = seat === 0 ? this.clocks.clock0Ms : this.clocks.clock1Ms;
    const deadlineAt = this.clocksRunning() ? now + left : now + this.opts.firstMoveTimeoutMs;
    return { ok: true, kind: "clocks", ply: this.ply, clocks: { ...this.clocks, turnStartedAt: now, deadlineAt } };
  }

  private end(now: number, status: Ending["status"], result: GameResult): EndChange {
    const remaining = this.remainingAt(now);
    return {
      ok: true,
      kind: "end",
      ply: this.ply,
      clocks: { clock0Ms: remaining[0], clock1Ms: remaining[1], turnStartedAt: null, deadlineAt: null },
      ending: { status, result, endedAt: now },
    };
  }

  /** Resignation by `seat`. */
  planResign(seat: Seat, now: number): EndChange | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    return this.end(now, "finished", { winner: opponentOf(seat), reason: "resign" });
  }

  /** Abort by `seat`: allowed until that seat has moved. */
  planAbort(seat: Seat, now: number): EndChange | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    if (this.log.some((m) => m.seat === seat)) return refuse("CANNOT_ABORT", "you can only abort before your first move");
    return this.end(now, "aborted", { winner: null, reason: "aborted" });
  }

  /**
   * What happens when the deadline passes: before clocks run, the game is
   * aborted; afterwards the side to move loses on time, or draws when the
   * opponent has no way to win. Null while nothing is due.
   */
  planDeadline(now: number): EndChange | null {
    const deadline = this.deadline();
    const seat = this.toMove();
    if (deadline === null || now < deadline || seat === null) return null;
    if (!this.clocksRunning()) return this.end(now, "aborted", { winner: null, reason: "aborted" });
    const opponent = opponentOf(seat);
    const result: GameResult = this.def.canWin(this.rules, opponent)
      ? { winner: opponent, reason: "timeout" }
      : { winner: null, reason: "timeout-vs-insufficient-material" };
    const change = this.end(now, "finished", result);
    change.clocks[seat === 0 ? "clock0Ms" : "clock1Ms"] = 0;
    return change;
  }

  /**
   * `seat` did not come back: its opponent claimed the win (planClaimWin), or nobody claimed in time
   * (presence.ts). Before clocks run the game is aborted, then lost.
   */
  planAbandon(seat: Seat, now: number): EndChange | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    if (this.ply < CLOCKED_FROM_PLY) return this.end(now, "aborted", { winner: null, reason: "aborted" });
    return this.end(now, "finished", { winner: opponentOf(seat), reason: "abandon" });
  }

  /**
   * `seat` claims the win because its opponent stayed away: allowed once the opponent's reconnection
   * window ran out (`opponentAwayUntil`, epoch ms, from the host's presence; null while the opponent is
   * here). The ending is the abandonment's (before clocks run, the game is aborted).
   */
  planClaimWin(seat: Seat, opponentAwayUntil: number | null, now: number): EndChange | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    if (opponentAwayUntil === null) return refuse("OPPONENT_CONNECTED", "your opponent is connected: there is no win to claim");
    if (now < opponentAwayUntil) {
      const s = Math.ceil((opponentAwayUntil - now) / 1000);
      return refuse("CLAIM_TOO_EARLY", `your opponent has ${s} s left to come back`);
    }
    return this.planAbandon(opponentOf(seat), now);
  }

  private offersChange(offers: Partial<Offers>): OffersChange {
    return { ok: true, kind: "offers", expected: { ply: this.ply, status: this.status }, offers: { ...this.current, ...offers } };
  }

  /** A draw offer, acceptance or refusal by `seat`, during the game (rules: offers.ts). */
  planDraw(seat: Seat, action: OfferAction, now: number): EndChange | OffersChange | Unchanged | Refusal {
    if (!this.isActive) return refuse("GAME_OVER", "the game is over");
    const d = decideDraw(this.current, seat, action, this.players[opponentOf(seat)].isBot);
    if (!d.ok || d.kind === "unchanged") return d;
    return d.kind === "agreed" ? this.end(now, "finished", { winner: null, reason: "agreement" }) : this.offersChange(d.offers);
  }

  /**
   * A rematch offer, acceptance or refusal by `seat`, once the game is over
   * (rules: offers.ts). An agreed rematch is a game to create, colours
   * swapped; `rematchCreated` then creates and records it.
   */
  planRematch(seat: Seat, action: OfferAction): RematchRequest | OffersChange | Unchanged | Refusal {
    if (this.isActive) return refuse("GAME_NOT_OVER", "rematch is offered after the game");
    const bot = this.players[opponentOf(seat)].isBot;
    const d = decideRematch(this.current, seat, action, bot);
    if (!d.ok || d.kind === "unchanged") return d;
    if (d.kind === "set") return this.offersChange(d.offers);
    const [p0, p1] = this.players;
    return {
      ok: true,
      kind: "create-rematch",
      game: this.record.kind,
      timeControl: this.record.timeControl.id,
      mode: bot ? "bot" : "rematch",
      playerIds: [p1.id, p0.id],
      rematchOfId: this.gameId,
      rated: this.rating !== null,
    };
  }

  /** Create the rematch `game` and record it here (clearing the offer), in one write. */
  rematchCreated(game: NewGame): OffersChange {
    return { ...this.offersChange({ rematchOffer: null, rematchGameId: game.id }), creates: game };
  }

  /** Apply a committed change. */
  apply(change: Change): void {
    switch (change.kind) {
      case "move":
        this.rules = change.rulesState;
        this.log.push(change.record);
        this.clocks = { ...change.clocks };
        this.current = { ...this.current, drawOffer: null }; // a move answers a draw offer with "no"
        if (change.ending) this.setEnding(change.ending);
        return;
      case "end":
        this.clocks = { ...change.clocks };
        this.setEnding(change.ending);
        return;
      case "offers":
        this.current = { ...change.offers };
        return;
      case "clocks":
        this.clocks = { ...change.clocks };
        return;
    }
  }

  private setEnding(ending: Ending): void {
    this.ended = { status: ending.status, result: ending.result };
    this.current = { ...this.current, drawOffer: null };
  }
}
