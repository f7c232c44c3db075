/**
 * The one way to turn a game's seed and move log into a position: set up from
 * the seed, then apply every move in order, each by the seat to move. The
 * server (rebuilding a room, answering history), the browser client and the
 * bots all use this, so they cannot disagree about what a log means.
 */
import type { GameDefinition, RuleError } from "./types.ts";

export type ReplayResult<S> =
  | {
      ok: true;
      /** The position after the last move. */
      state: S;
      /** Each move's notation (chess SAN, Connect Four "d1"), by ply. */
      notations: string[];
    }
  | {
      ok: false;
      /** The ply of the first move the rules refused. */
      ply: number;
      move: string;
      error: RuleError;
    };

/**
 * Replays `moves` (in the game's move notation, ply 0 first) from `def.setup(seed)`.
 * `visit` sees every position on the way: ply 0 (the start) through `moves.length`.
 * Never throws on a bad log: the first refused move is reported instead.
 */
export function replay<S>(
  def: GameDefinition<S>,
  seed: string,
  moves: readonly string[],
  visit?: (state: S, ply: number) => void,
): ReplayResult<S> {
  let state = def.setup(seed);
  visit?.(state, 0);
  const notations: string[] = [];
  for (let ply = 0; ply < moves.length; ply++) {
    const move = moves[ply] as string;
    const seat = def.toMove(state);
    if (seat === null) return { ok: false, ply, move, error: { code: "GAME_OVER", message: "the game was already over" } };
    const r = def.apply(state, move, seat);
    if (!r.ok) return { ok: false, ply, move, error: r.error };
    state = r.state;
    notations.push(r.notation);
    visit?.(state, ply + 1);
  }
  return { ok: true, state, notations };
}
