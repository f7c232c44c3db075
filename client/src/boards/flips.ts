/**
 * Which games the viewer turned the board round in (the flip button), for as
 * long as the page lives: a redraw, a move, a reconnection keep the board
 * turned; another game starts the natural way round (yours at the bottom).
 */
import { opponentOf, type Seat } from "@tabula/shared/rules";

export class BoardFlips {
  /** Ids of the games whose board the viewer flipped. */
  private readonly flipped = new Set<string>();
  /** The game on the board now, and how its screen redraws after a flip. */
  private target: { gameId: string; redraw: () => void } | null = null;

  /** `gameId` is now on the board; `redraw` redraws its screen (board and cards) after a flip. */
  attach(gameId: string, redraw: () => void): void {
    this.target = { gameId, redraw };
  }

  /** The seat drawn at the bottom of `gameId`'s board: `natural` (yours, or the first player's), or the other one once flipped. */
  bottomSeat(gameId: string, natural: Seat): Seat {
    return this.flipped.has(gameId) ? opponentOf(natural) : natural;
  }

  /** Turn the board of the game on screen round (or back), and redraw it. */
  toggle(): void {
    const target = this.target;
    if (!target) return;
    if (!this.flipped.delete(target.gameId)) this.flipped.add(target.gameId);
    target.redraw();
  }
}
