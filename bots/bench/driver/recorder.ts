/**
 * What a driver counts, and only inside the measured window: acknowledged
 * moves with their round trips, and errors. Before the window opens (warm-up)
 * and after it closes, moves are played but not counted.
 */
import type { DriverResult } from "../types.ts";

export type Phase = "setup" | "warmup" | "measured" | "done";

export class Recorder {
  phase: Phase = "setup";
  private moves = 0;
  private errors = 0;
  private games = 0;
  private readonly rtt: number[] = [];
  /** Every acknowledged move, whatever the phase (progress lines). */
  allMoves = 0;
  /** Errors by kind, whatever the phase (stderr, to say what went wrong). */
  readonly errorKinds: Record<string, number> = {};

  /** A move acknowledged `rttMs` after it was sent. */
  ack(rttMs: number): void {
    this.allMoves++;
    if (this.phase !== "measured") return;
    this.moves++;
    this.rtt.push(rttMs);
  }

  /** A game ended (counted once per game, by one of its players). */
  gameOver(): void {
    if (this.phase === "measured") this.games++;
  }

  /** A refused, timed-out or lost move, or a failed connection, of kind `kind`. */
  error(kind: string): void {
    this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
    if (this.phase === "measured") this.errors++;
  }

  /** The result line, with `connected` players at the close of the window. */
  result(connected: number): DriverResult {
    const rttMs = this.rtt.map((v) => Math.round(v * 1000) / 1000);
    return { moves: this.moves, errors: this.errors, rttMs, connected, games: this.games };
  }
}
