/**
 * A playing bot after its game: accepts the opponent's rematch offer, or
 * offers one itself (after a moment, so that one of the two accepts), and
 * follows an agreed rematch to its game.
 */
import type { GameSnapshot } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";

export class Rematch {
  private readonly seat: Seat;
  private readonly send: (action: "offer" | "accept") => void;
  private pendingOffer: Seat | null = null;
  private offered = false;
  private accepted = false;

  /** `send` sends a `rematch` message with that action. */
  constructor(seat: Seat, send: (action: "offer" | "accept") => void) {
    this.seat = seat;
    this.send = send;
  }

  /** A snapshot of the finished game: accepts the opponent's offer; the rematch's game id once agreed. */
  seen(s: GameSnapshot): string | null {
    if (s.rematchGameId) return s.rematchGameId;
    this.pendingOffer = s.rematchOffer;
    if (s.rematchOffer !== null && s.rematchOffer !== this.seat && !this.accepted && !this.offered) {
      this.accepted = true;
      this.send("accept");
    }
    return null;
  }

  /** Offer a rematch, unless one is on the table or already answered. */
  offer(): void {
    if (this.offered || this.accepted || this.pendingOffer !== null) return;
    this.offered = true;
    this.send("offer");
  }
}
