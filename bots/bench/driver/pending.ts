/**
 * A player's one move in flight: when it was sent, and a time limit after
 * which it counts as lost. Round trip = send → the mover sees the server's
 * broadcast of that ply.
 */
import type { Recorder } from "./recorder.ts";

/** A move not acknowledged within this is an error (`timeout_move`), ms. */
export const MOVE_TIMEOUT_MS = 5_000;

export class PendingMove {
  private ply = -1;
  private sentAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly rec: Recorder;
  private readonly onTimeout: () => void;

  /** `onTimeout` runs (after the error is counted) when a move waits longer than `MOVE_TIMEOUT_MS`. */
  constructor(rec: Recorder, onTimeout: () => void) {
    this.rec = rec;
    this.onTimeout = onTimeout;
  }

  get inFlight(): boolean {
    return this.timer !== null;
  }

  /** The move for `ply` was just sent. */
  sent(ply: number): void {
    this.clear();
    this.ply = ply;
    this.sentAt = performance.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.rec.error("timeout_move");
      this.onTimeout();
    }, MOVE_TIMEOUT_MS);
  }

  /** The server broadcast the move of `ply` by us: counts the round trip if it is the one in flight. */
  acked(ply: number): boolean {
    if (this.timer === null || ply !== this.ply) return false;
    this.clear();
    this.rec.ack(performance.now() - this.sentAt);
    return true;
  }

  /** Forget the move in flight (refused, or the game ended). */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
