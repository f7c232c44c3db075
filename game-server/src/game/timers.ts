/**
 * The host's two timers, re-armed after every change: the deadline (a flag
 * falls, or before both sides moved, the game is aborted) and the bot's move.
 * They only say when; what happens then is the table's rule, run through the
 * host's queue.
 */
import type { Seat } from "@tabula/shared/rules";
import type { HostClock, Timer } from "./clock.ts";
import type { GameTable } from "./table.ts";

export interface TimerHandlers {
  /** The deadline passed (or nearly: check it with `planDeadline`). */
  deadline(): unknown;
  /** The bot of `seat` starts thinking about ply `ply`: how long it should seem to think, ms. */
  botThinks(seat: Seat, ply: number): number;
  /** The bot of `seat` has thought long enough about ply `ply`. */
  botMove(seat: Seat, ply: number): unknown;
}

export class TableTimers {
  private deadlineTimer: Timer | undefined;
  private botTimer: Timer | undefined;
  private readonly clock: HostClock;
  private readonly on: TimerHandlers;

  constructor(clock: HostClock, on: TimerHandlers) {
    this.clock = clock;
    this.on = on;
  }

  /** Arm the timers for `table` as it stands now (none once the game is over). */
  schedule(table: GameTable): void {
    this.stop();
    if (!table.isActive) return;
    const now = this.clock.now();
    const deadline = table.deadline();
    if (deadline !== null) this.deadlineTimer = this.clock.setTimeout(() => this.on.deadline(), Math.max(0, deadline - now));
    const seat = table.toMove();
    if (seat === null || !table.players[seat].isBot) return;
    const ply = table.ply;
    const think = this.on.botThinks(seat, ply);
    this.botTimer = this.clock.setTimeout(() => this.on.botMove(seat, ply), think);
  }

  stop(): void {
    this.deadlineTimer?.clear();
    this.botTimer?.clear();
    this.deadlineTimer = undefined;
    this.botTimer = undefined;
  }
}
