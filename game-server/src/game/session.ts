/**
 * A live game's table: the rules state plus everything around it that the
 * rules do not know about — seats, clocks, offers, and how a game ends.
 *
 * Like the rules, it does no I/O and reads no clock: every method takes `now`
 * (epoch ms). The room asks it to *plan* a change, commits the plan to the
 * database, and only then *applies* the plan here and broadcasts it. A plan
 * that was not committed is simply dropped, leaving the table untouched.
 */
import type { GameDefinition, GameResult, Seat } from "@tabula/shared/rules";
import { getGame, opponentOf, replay } from "@tabula/shared/rules";
import type {
  ClockState,
  ErrorCode,
  GameSnapshot,
  GameStatus,
  MoveRecord,
  MovedMessage,
  PlayerInfo,
} from "@tabula/shared/protocol";
import type { ClockFields, Ending, LoadedGame } from "../db/games.ts";

export interface TablePlayer {
  id: string;
  name: string;
  isBot: boolean;
}

export interface TableOptions {
  /** Time each side has for its first move before the game is aborted, ms. */
  firstMoveTimeoutMs: number;
}

export type Refusal = { ok: false; code: ErrorCode; message: string };

/** A move that passed every check and awaits its commit. */
export interface MovePlan {
  ok: true;
  record: MoveRecord;
  rulesState: unknown;
  clocks: ClockFields;
  ending: Ending | null;
}

/** A result (resign, timeout, …) that awaits its commit. */
export interface EndPlan {
  ok: true;
  ply: number;
  clocks: ClockFields;
  ending: Ending;
}

/** Clocks only start once both sides have moved; before that a first-move deadline applies. */
const CLOCKED_FROM_PLY = 2;

export class GameTable {
  readonly gameId: string;
  readonly def: GameDefinition;
  readonly kind: GameSnapshot["kind"];
  readonly timeControl: GameSnapshot["timeControl"];
  readonly mode: GameSnapshot["mode"];
  readonly seed: string;
  readonly players: [TablePlayer, TablePlayer];
  private rules: unknown;
  private moves: MoveRecord[];
  status: GameStatus;
  result: GameResult | null;
  /** Remaining ms of each seat as of `turnStartedAt`. */
  private remaining: [number, number];
  private turnStartedAt: number | null;
  private deadlineAt: number | null;
  drawOffer: Seat | null = null;
  rematchOffer: Seat | null = null;
  rematchGameId: string | null = null;
  private readonly opts: TableOptions;

  constructor(loaded: LoadedGame, opts: TableOptions) {
    const { game } = loaded;
    const def = getGame(game.kind);
    if (!def) throw new Error(`game ${game.id} has unknown kind ${game.kind}`);
    this.def = def;
    this.opts = opts;
    this.gameId = game.id;
    this.kind = def.id;
    this.timeControl = { id: game.timeControl, initialMs: game.initialMs, incrementMs: game.incrementMs };
    this.mode = game.mode as GameSnapshot["mode"];
    this.seed = game.seed;
    this.players = loaded.players;
    // Rebuild the position from the log: the log is the truth, the row is a cache of it.
    const replayed = replay(
      def,
      game.seed,
      loaded.moves.map((m) => m.move),
    );
    if (!replayed.ok) {
      throw new Error(`game ${game.id}: stored move ${replayed.ply} (${replayed.move}) is illegal: ${replayed.error.message}`);
    }
    const state = replayed.state;
    this.moves = loaded.moves.map((m) => ({
      ply: m.ply,
      seat: m.seat as Seat,
      move: m.move,
      san: m.san,
      clockMs: m.clockMs,
      at: m.createdAt.getTime(),
    }));
    if (this.moves.length !== game.ply) {
      throw new Error(`game ${game.id}: row says ply ${game.ply} but the log holds ${this.moves.length} moves`);
    }
    this.rules = state;
    this.status = game.status as GameStatus;
    this.result = game.resultReason
      ? { winner: game.winner === null ? null : (game.winner as Seat), reason: game.resultReason as GameResult["reason"] }
      : null;
    this.remaining = [game.clock0Ms, game.clock1Ms];
    this.turnStartedAt = game.turnStartedAt?.getTime() ?? null;
    this.deadlineAt = game.deadlineAt?.getTime() ?? null;
  }

  get ply(): number {
    return this.moves.length;
  }

  get rulesState(): unknown {
    return this.rules;
  }

  get isActive(): boolean {
    return this.status === "active";
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
    return this.isActive ? this.deadlineAt : null;
  }

  /** Whether seat `seat` has already made a move. */
  hasMoved(seat: Seat): boolean {
    return this.moves.some((m) => m.seat === seat);
  }

  private clocksRunning(): boolean {
    return this.isActive && this.ply >= CLOCKED_FROM_PLY;
  }

  /** Remaining ms of each seat at `now`. */
  remainingAt(now: number): [number, number] {
    const r: [number, number] = [...this.remaining];
    const seat = this.toMove();
    if (this.clocksRunning() && seat !== null && this.turnStartedAt !== null) {
      r[seat] = Math.max(0, r[seat] - (now - this.turnStartedAt));
    }
    return r;
  }

  clockState(now: number): ClockState {
    const running = this.clocksRunning() ? this.toMove() : null;
    return {
      remainingMs: this.remainingAt(now),
      running,
      serverNow: now,
      firstMoveDeadline: this.isActive && !this.clocksRunning() ? this.deadlineAt : null,
    };
  }

  /** Check and compute a move by `seat` expecting ply `ply`, without changing anything. */
  planMove(seat: Seat, ply: number, move: string, now: number): MovePlan | Refusal {
    if (!this.isActive) return { ok: false, code: "GAME_OVER", message: "the game is over" };
    if (ply !== this.ply) {
      return { ok: false, code: "STALE_PLY", message: `expected ply ${this.ply}, got ${ply}` };
    }
    if (this.def.toMove(this.rules) !== seat) return { ok: false, code: "NOT_YOUR_TURN", message: "it is not your turn" };
    const deadline = this.deadline();
    if (deadline !== null && now >= deadline) {
      // The flag fell before the move arrived; the room ends the game on time.
      return { ok: false, code: "GAME_OVER", message: "your time ran out" };
    }
    const applied = this.def.apply(this.rules, move, seat);
    if (!applied.ok) return { ok: false, code: applied.error.code, message: applied.error.message };

    const remaining: [number, number] = [...this.remaining];
    if (this.clocksRunning() && this.turnStartedAt !== null) {
      remaining[seat] = remaining[seat] - (now - this.turnStartedAt) + this.timeControl.incrementMs;
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
      record: { ply: this.ply, seat, move, san: applied.notation, clockMs: remaining[seat], at: now },
      rulesState: applied.state,
      clocks: {
        clock0Ms: remaining[0],
        clock1Ms: remaining[1],
        turnStartedAt: result ? null : new Date(now),
        deadlineAt: deadlineAt === null ? null : new Date(deadlineAt),
      },
      ending: result ? { status: "finished", result, endedAt: new Date(now) } : null,
    };
  }

  /**
   * Clocks for a game rebuilt after its node stopped (crash or restart). Policy:
   * the player to move must not lose time to our outage, so the current turn
   * restarts now with the time that side had when the turn began; a pending
   * first-move deadline restarts too. Returns null for a finished game.
   */
  planResume(now: number): ClockFields | null {
    if (!this.isActive) return null;
    const seat = this.def.toMove(this.rules);
    if (seat === null) return null;
    const deadlineAt = this.clocksRunning() ? now + this.remaining[seat] : now + this.opts.firstMoveTimeoutMs;
    return {
      clock0Ms: this.remaining[0],
      clock1Ms: this.remaining[1],
      turnStartedAt: new Date(now),
      deadlineAt: new Date(deadlineAt),
    };
  }

  /** Apply committed clock fields (see planResume). */
  applyClocks(clocks: ClockFields): void {
    this.remaining = [clocks.clock0Ms, clocks.clock1Ms];
    this.turnStartedAt = clocks.turnStartedAt?.getTime() ?? null;
    this.deadlineAt = clocks.deadlineAt?.getTime() ?? null;
  }

  /** Apply a committed move plan. */
  applyMove(plan: MovePlan): void {
    this.rules = plan.rulesState;
    this.moves.push(plan.record);
    this.remaining = [plan.clocks.clock0Ms, plan.clocks.clock1Ms];
    this.turnStartedAt = plan.clocks.turnStartedAt?.getTime() ?? null;
    this.deadlineAt = plan.clocks.deadlineAt?.getTime() ?? null;
    // Any move answers a pending draw offer with "no".
    this.drawOffer = null;
    if (plan.ending) this.setEnding(plan.ending);
  }

  private endPlan(now: number, status: Ending["status"], result: GameResult): EndPlan {
    const remaining = this.remainingAt(now);
    return {
      ok: true,
      ply: this.ply,
      clocks: { clock0Ms: remaining[0], clock1Ms: remaining[1], turnStartedAt: null, deadlineAt: null },
      ending: { status, result, endedAt: new Date(now) },
    };
  }

  /** Resignation by `seat`. */
  planResign(seat: Seat, now: number): EndPlan | Refusal {
    if (!this.isActive) return { ok: false, code: "GAME_OVER", message: "the game is over" };
    return this.endPlan(now, "finished", { winner: opponentOf(seat), reason: "resign" });
  }

  /** Abort by `seat`: allowed until that seat has moved. */
  planAbort(seat: Seat, now: number): EndPlan | Refusal {
    if (!this.isActive) return { ok: false, code: "GAME_OVER", message: "the game is over" };
    if (this.hasMoved(seat)) return { ok: false, code: "CANNOT_ABORT", message: "you can only abort before your first move" };
    return this.endPlan(now, "aborted", { winner: null, reason: "aborted" });
  }

  /** Draw by agreement (the offer was made by the other seat). */
  planAgreedDraw(now: number): EndPlan | Refusal {
    if (!this.isActive) return { ok: false, code: "GAME_OVER", message: "the game is over" };
    return this.endPlan(now, "finished", { winner: null, reason: "agreement" });
  }

  /**
   * What happens when the deadline passes: before clocks run, the game is
   * aborted; afterwards the side to move loses on time, or draws when the
   * opponent has no way to win.
   */
  planDeadline(now: number): EndPlan | null {
    const deadline = this.deadline();
    if (deadline === null || now < deadline) return null;
    const seat = this.def.toMove(this.rules);
    if (seat === null) return null;
    if (!this.clocksRunning()) return this.endPlan(now, "aborted", { winner: null, reason: "aborted" });
    const opponent = opponentOf(seat);
    const result: GameResult = this.def.canWin(this.rules, opponent)
      ? { winner: opponent, reason: "timeout" }
      : { winner: null, reason: "timeout-vs-insufficient-material" };
    const plan = this.endPlan(now, "finished", result);
    plan.clocks[seat === 0 ? "clock0Ms" : "clock1Ms"] = 0;
    return plan;
  }

  /** `seat` did not come back within the reconnection window. */
  planAbandon(seat: Seat, now: number): EndPlan | Refusal {
    if (!this.isActive) return { ok: false, code: "GAME_OVER", message: "the game is over" };
    if (this.ply < CLOCKED_FROM_PLY) return this.endPlan(now, "aborted", { winner: null, reason: "aborted" });
    return this.endPlan(now, "finished", { winner: opponentOf(seat), reason: "abandon" });
  }

  /** Apply a committed end plan. */
  applyEnd(plan: EndPlan): void {
    this.remaining = [plan.clocks.clock0Ms, plan.clocks.clock1Ms];
    this.turnStartedAt = null;
    this.deadlineAt = null;
    this.setEnding(plan.ending);
  }

  private setEnding(ending: Ending): void {
    this.status = ending.status;
    this.result = ending.result;
    this.drawOffer = null;
  }

  /** Everything a participant needs to draw the game. */
  snapshot(
    now: number,
    you: Seat | null,
    presence: [Pick<PlayerInfo, "connected" | "reconnectDeadline">, Pick<PlayerInfo, "connected" | "reconnectDeadline">],
    spectators: number,
  ): Omit<GameSnapshot, "heartbeat"> {
    return {
      gameId: this.gameId,
      kind: this.kind,
      timeControl: this.timeControl,
      mode: this.mode,
      status: this.status,
      players: [
        { ...this.players[0], ...presence[0] },
        { ...this.players[1], ...presence[1] },
      ],
      you: you === null ? { role: "spectator", seat: null } : { role: "player", seat: you },
      seed: this.seed,
      moves: this.moves.slice(),
      ply: this.ply,
      view: this.def.view(this.rules, you),
      clocks: this.clockState(now),
      result: this.result,
      drawOffer: this.drawOffer,
      rematchOffer: this.rematchOffer,
      rematchGameId: this.rematchGameId,
      spectators,
    };
  }

  /** The message broadcast after a committed move, as `you` sees it. */
  moved(now: number, you: Seat | null): MovedMessage {
    const record = this.moves[this.moves.length - 1];
    return {
      gameId: this.gameId,
      record,
      ply: this.ply,
      view: this.def.view(this.rules, you),
      clocks: this.clockState(now),
      status: this.status,
      result: this.result,
    };
  }
}
