/**
 * A player bot's copy of its game's position, kept with the shared rules: set
 * up from a snapshot's seed and move list (`replay`), then advanced by each
 * `moved` message. Picks the bot's move with the same policy as the server's
 * built-in bot.
 */
import type { GameSnapshot, MoveRecord } from "@tabula/shared/protocol";
import { chooseBotMove, createRng, type GameDefinition, replay, type Seat } from "@tabula/shared/rules";

/** What went wrong keeping up (each an error kind of the report; never expected). */
export type Desync = "desync_replay" | "desync_apply" | "desync_gap" | "protocol_moves_ply_mismatch";

export class Position {
  readonly def: GameDefinition;
  readonly seat: Seat;
  seed = "";
  /** Rules state after `ply` moves. */
  state: unknown = undefined;
  ply = -1;
  /** Moves this seat has made (none: the game can still be aborted). */
  myMoves = 0;

  constructor(def: GameDefinition, seat: Seat) {
    this.def = def;
    this.seat = seat;
  }

  /** Whether `s` is a position other than ours (then `reset` to it). */
  differs(s: GameSnapshot): boolean {
    return this.state === undefined || s.ply !== this.ply || s.seed !== this.seed;
  }

  /** Replay the game from the snapshot's seed and moves; the problem found, if any. */
  reset(s: GameSnapshot): Desync | null {
    const replayed = replay(
      this.def,
      s.seed,
      s.moves.map((rec) => rec.move),
    );
    this.seed = s.seed;
    this.state = replayed.ok ? replayed.state : this.def.setup(s.seed);
    this.ply = s.moves.length;
    this.myMoves = s.moves.filter((rec) => rec.seat === this.seat).length;
    if (!replayed.ok) return "desync_replay";
    return s.moves.length !== s.ply ? "protocol_moves_ply_mismatch" : null;
  }

  /** Apply a committed move; one we already have is ignored. A problem means: ask for a snapshot (`sync`). */
  advance(rec: MoveRecord): Desync | null {
    if (rec.ply > this.ply) return "desync_gap";
    if (rec.ply < this.ply) return null;
    const r = this.def.apply(this.state, rec.move, rec.seat);
    if (!r.ok) return "desync_apply";
    this.state = r.state;
    this.ply++;
    if (rec.seat === this.seat) this.myMoves++;
    return null;
  }

  get ourTurn(): boolean {
    return this.def.toMove(this.state) === this.seat;
  }

  /** The bot's move here (deterministic per game, ply and bot); throws when there is none. */
  choose(botName: string): string {
    return chooseBotMove(this.def, this.state, this.seat, createRng(`${this.seed}:${this.ply}:${botName}`));
  }
}
