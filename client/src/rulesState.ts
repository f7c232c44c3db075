/**
 * The rules state behind what the client shows, rebuilt with the shared rules
 * (`setup(seed)` then `apply` of each logged move) — the only source of legal
 * moves in the client. Pure: no DOM, no network.
 */
import { getGame, replay } from "@tabula/shared/rules";
import type { GameDefinition, GameKind, Seat } from "@tabula/shared/rules";
import type { MoveRecord } from "@tabula/shared/protocol";

type LoggedMove = Pick<MoveRecord, "move" | "seat">;

export function definitionOf(kind: GameKind): GameDefinition {
  const def = getGame(kind) as GameDefinition | undefined;
  if (!def) throw new Error(`unknown game ${kind}`);
  return def;
}

/** The rules state after the first `upTo` moves of the log. Throws if a logged move is illegal. */
export function rebuild(kind: GameKind, seed: string, moves: readonly LoggedMove[], upTo: number = moves.length): unknown {
  const r = replay(
    definitionOf(kind),
    seed,
    moves.slice(0, upTo).map((m) => m.move),
  );
  if (!r.ok) throw new Error(`move ${r.ply} (${r.move}) does not replay: ${r.error.message}`);
  return r.state;
}

/** Every position of a game, as a spectator sees it: index i is the view after i moves (up to the first illegal one). */
export function replayViews(kind: GameKind, seed: string, moves: readonly LoggedMove[]): unknown[] {
  const def = definitionOf(kind);
  const views: unknown[] = [];
  replay(
    def,
    seed,
    moves.map((m) => m.move),
    (state) => views.push(def.view(state, null)),
  );
  return views;
}

/**
 * Follows one game's log incrementally: `sync` applies only the moves it has
 * not seen (or rebuilds from the seed when the log is not a continuation).
 */
export class RulesTracker {
  private key = "";
  private seen: string[] = [];
  private current: unknown = undefined;
  private def: GameDefinition | null = null;

  sync(gameId: string, kind: GameKind, seed: string, moves: readonly LoggedMove[]): void {
    const key = `${gameId}:${kind}:${seed}`;
    const continues = key === this.key && this.seen.length <= moves.length && this.seen.every((m, i) => moves[i]?.move === m);
    if (!continues) {
      this.key = key;
      this.def = definitionOf(kind);
      this.current = this.def.setup(seed);
      this.seen = [];
    }
    const def = this.def!;
    for (let i = this.seen.length; i < moves.length; i++) {
      const m = moves[i]!;
      const r = def.apply(this.current, m.move, m.seat);
      if (!r.ok) throw new Error(`move ${i} (${m.move}) does not replay: ${r.error.message}`);
      this.current = r.state;
      this.seen.push(m.move);
    }
  }

  get ply(): number {
    return this.seen.length;
  }

  get state(): unknown {
    return this.current;
  }

  get definition(): GameDefinition | null {
    return this.def;
  }

  /** Legal moves of `seat` in the current position (none for a spectator). */
  legalMoves(seat: Seat | null): string[] {
    if (seat === null || !this.def) return [];
    return this.def.legalMoves(this.current, seat);
  }

  /** The view `seat` would see after `move`, or null if the rules refuse it. */
  previewMove(move: string, seat: Seat): unknown | null {
    if (!this.def) return null;
    const r = this.def.apply(this.current, move, seat);
    return r.ok ? this.def.view(r.state, seat) : null;
  }

  /** Human notation of `move` in the current position. */
  describe(move: string): string {
    if (!this.def) return move;
    const seat = this.def.toMove(this.current);
    const r = seat === null ? null : this.def.apply(this.current, move, seat);
    return r?.ok ? r.notation : move;
  }
}
