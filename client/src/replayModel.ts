/**
 * A finished game stepped through move by move (pure): every position
 * rebuilt with the shared `replay` from the record's seed and moves, the
 * position shown, and each seat's clock after it.
 */
import type { GameKind, Seat } from "@tabula/shared/rules";
import { replay } from "@tabula/shared/rules";
import type { GameRecord } from "./api.ts";
import { definitionOf } from "./gameModel.ts";
import { timeControlsOf } from "./timeControls.ts";

/**
 * Every position of a finished game as a spectator sees it once it is over (hidden information shown):
 * index i is the view after i moves (up to the first the rules refuse).
 */
export function replayViews(kind: GameKind, seed: string, moves: readonly { move: string }[]): unknown[] {
  const def = definitionOf(kind);
  const views: unknown[] = [];
  replay(
    def,
    seed,
    moves.map((m) => m.move),
    (state) => views.push(def.view(state, null, true)),
  );
  return views;
}

export class ReplayModel {
  readonly record: GameRecord;
  /** The viewer's seat in that game, or null. */
  readonly you: Seat | null;
  /** The time control's initial clock, ms (0 if unknown). */
  readonly initialMs: number;
  private readonly views: unknown[];
  /** Number of moves applied in the shown position (0 = start). */
  private shown: number;

  constructor(record: GameRecord, viewerId: string | null) {
    const g = record.game;
    this.record = record;
    this.views = replayViews(g.kind, g.seed, record.moves);
    this.shown = this.last;
    this.you = g.players[0].id === viewerId ? 0 : g.players[1].id === viewerId ? 1 : null;
    const tc = timeControlsOf(g.kind).find((t) => t.id === g.timeControl);
    this.initialMs = tc ? tc.initialSeconds * 1000 : 0;
  }

  /** The shown position: moves applied (0 = start). */
  get index(): number {
    return this.shown;
  }

  /** The last position's index (the number of moves that replay). */
  get last(): number {
    return Math.max(0, this.views.length - 1);
  }

  get view(): unknown {
    return this.views[this.shown];
  }

  /** Show position `index` (clamped). True when the position changed. */
  go(index: number): boolean {
    const next = Math.max(0, Math.min(this.last, index));
    if (next === this.shown) return false;
    this.shown = next;
    return true;
  }

  /** A seat's clock after the shown position: its last move's recorded time, else the initial time (null if unknown). */
  clockAt(seat: Seat): number | null {
    for (let i = this.shown - 1; i >= 0; i--) {
      const m = this.record.moves[i];
      if (m && m.seat === seat) return m.clockMs;
    }
    return this.initialMs > 0 ? this.initialMs : null;
  }
}
