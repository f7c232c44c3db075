/**
 * Who sits at the table: live sockets per seat, and for a seat left empty the
 * abandonment countdown (the reconnection window). A bot is always present.
 */
import type { Seat } from "@tabula/shared/rules";
import type { HostClock, Timer } from "./clock.ts";
import type { SeatPresence } from "./views.ts";

const SEATS: readonly Seat[] = [0, 1];

export class Presence {
  private readonly sockets: [number, number] = [0, 0];
  private readonly clock: HostClock;
  private readonly isBot: readonly [boolean, boolean];
  private readonly windowMs: number;
  private readonly onExpired: (seat: Seat) => unknown;
  private readonly away: [{ until: number; timer: Timer } | null, { until: number; timer: Timer } | null] = [null, null];

  /**
   * @param isBot which seats are bots (never away)
   * @param windowMs how long an empty seat is held, ms
   * @param onExpired called when a seat stayed empty for the whole window
   */
  constructor(clock: HostClock, isBot: readonly [boolean, boolean], windowMs: number, onExpired: (seat: Seat) => unknown) {
    this.clock = clock;
    this.isBot = isBot;
    this.windowMs = windowMs;
    this.onExpired = onExpired;
  }

  /** Whether a socket of `seat` (or its bot) is here now. */
  isHere(seat: Seat): boolean {
    return this.isBot[seat] || this.sockets[seat] > 0;
  }

  /** A socket of `seat` joined (+1) or left (-1). While `counting`, an empty seat's countdown is (re)armed. */
  change(seat: Seat, delta: 1 | -1, counting: boolean): void {
    this.sockets[seat] = Math.max(0, this.sockets[seat] + delta);
    this.update(counting);
  }

  /** Start countdowns for every empty seat (`counting`), or stop a returning seat's countdown. */
  update(counting: boolean): void {
    for (const seat of SEATS) {
      const away = this.away[seat];
      if (this.isHere(seat) && away) {
        away.timer.clear();
        this.away[seat] = null;
      } else if (!this.isHere(seat) && !away && counting) {
        const timer = this.clock.setTimeout(() => {
          this.away[seat] = null;
          return this.onExpired(seat);
        }, this.windowMs);
        this.away[seat] = { until: this.clock.now() + this.windowMs, timer };
      }
    }
  }

  /** Stop every countdown (the game is over, or no longer ours). */
  stop(): void {
    for (const seat of SEATS) {
      this.away[seat]?.timer.clear();
      this.away[seat] = null;
    }
  }

  /** What the snapshot says about each seat. */
  view(): [SeatPresence, SeatPresence] {
    // "Connected" means "not counting down": once the game is over nobody is held to a window.
    const one = (seat: Seat): SeatPresence => ({
      connected: this.away[seat] === null,
      reconnectDeadline: this.away[seat]?.until ?? null,
    });
    return [one(0), one(1)];
  }
}
