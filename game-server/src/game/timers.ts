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
  /** The bot of `seat` has thought long enough about ply `ply`. */
  botMove(seat: Seat, ply: number): unknown;
}

export class TableTimers {
  private deadlineTimer: Timer | undefined;
  private botTimer: Timer | undefined;
  private readonly clock: HostClock;
  private readonly random: () => number;
  private readonly botThinkMs: readonly [number, number];
  private readonly on: TimerHandlers;

  /**
   * @param random uniform in [0, 1): where in `botThinkMs` the bot's think time falls
   * @param botThinkMs the bot's think time range [min, max], ms
   */
  constructor(clock: HostClock, random: () => number, botThinkMs: readonly [number, number], on: TimerHandlers) {
    this.clock = clock;
    this.random = random;
    this.botThinkMs = botThinkMs;
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
    const [min, max] = this.botThinkMs;
    // Never think longer than a twentieth of the time left.
    const think = Math.min(min + this.random() * (max - min), table.remainingAt(now)[seat] / 20);
    const ply = table.ply;
    this.botTimer = this.clock.setTimeout(() => this.on.botMove(seat, ply), think);
  }

  stop(): void {
    this.deadlineTimer?.clear();
    this.botTimer?.clear();
    this.deadlineTimer = undefined;
    this.botTimer = undefined;
  }
}
