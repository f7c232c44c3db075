/**
 * Who sits at the table: live sockets per seat, and for a seat left empty the
 * abandonment countdown. A bot is always present.
 *
 * An empty seat goes through two stages. First the reconnection window
 * (`windowMs`): the seat is held, and coming back resumes the game. When it
 * runs out the seat is *abandoned*: the opponent may claim the win
 * (`claimWin`, lichess-style), and coming back still resumes the game until
 * someone claims. If nobody claims, the game still ends, so that it never
 * waits on a player who walked away too: `fallbackMs` after the window ran out
 * `onFallback` fires (the host then ends the game by abandonment).
 *
 * Nothing here is stored: after a takeover the new host starts every
 * countdown afresh (nobody is connected to it yet), so an absent player gets
 * a whole window again — a dead node cannot tell "left" from "cut off by our crash".
 */
import type { Seat } from "@tabula/shared/rules";
import type { HostClock, Timer } from "./clock.ts";
import type { SeatPresence } from "./views.ts";

const SEATS: readonly Seat[] = [0, 1];

/** An empty seat: when its window runs (or ran) out, and the timer of its next stage. */
interface Away {
  /** Epoch ms at which the reconnection window runs out (the claim opens). */
  until: number;
  /** The window's timer, then the fallback's. */
  timer: Timer;
}

export interface PresenceHandlers {
  /** `seat` stayed away for the whole window: the opponent may claim the win from now on. */
  expired(seat: Seat): unknown;
  /** `seat` is still away `fallbackMs` after its window ran out and nobody claimed: end the game. */
  fallback(seat: Seat): unknown;
}

export class Presence {
  private readonly sockets: [number, number] = [0, 0];
  private readonly clock: HostClock;
  private readonly isBot: readonly [boolean, boolean];
  private readonly windowMs: number;
  private readonly fallbackMs: number;
  private readonly on: PresenceHandlers;
  private readonly away: [Away | null, Away | null] = [null, null];

  /**
   * @param isBot which seats are bots (never away)
   * @param windowMs how long an empty seat is held before the opponent may claim the win, ms
   * @param fallbackMs how long after that the game ends by itself when nobody claimed, ms
   */
  constructor(clock: HostClock, isBot: readonly [boolean, boolean], windowMs: number, fallbackMs: number, on: PresenceHandlers) {
    this.clock = clock;
    this.isBot = isBot;
    this.windowMs = windowMs;
    this.fallbackMs = fallbackMs;
    this.on = on;
  }

  /** Whether a socket of `seat` (or its bot) is here now. */
  isHere(seat: Seat): boolean {
    return this.isBot[seat] || this.sockets[seat] > 0;
  }

  /** Whether `seat` is a bot (it claims a win at once: nobody would click for it). */
  isBotSeat(seat: Seat): boolean {
    return this.isBot[seat];
  }

  /** When `seat`'s reconnection window runs (or ran) out, while it is away; null while it is here. */
  awayUntil(seat: Seat): number | null {
    return this.away[seat]?.until ?? null;
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
        const until = this.clock.now() + this.windowMs;
        const timer = this.clock.setTimeout(() => this.expire(seat), this.windowMs);
        this.away[seat] = { until, timer };
      }
    }
  }

  private expire(seat: Seat): unknown {
    const away = this.away[seat];
    if (!away) return;
    away.timer = this.clock.setTimeout(() => {
      if (this.away[seat] === away) return this.on.fallback(seat);
    }, this.fallbackMs);
    return this.on.expired(seat);
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
