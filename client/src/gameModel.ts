/**
 * The client's one picture of a live game: the rules state, built from the
 * snapshot's seed and move log with the shared `replay` and advanced with the
 * shared `apply` on each `moved`, plus what only the server knows (players,
 * clocks, offers, status). Everything the screen draws comes from here: the
 * board is `def.view(state, seat)`, legal moves and previews come from the
 * same state. The server's ply (and each move's notation) is checked against
 * ours; when they disagree, `fold` says "resync" and the caller asks for one
 * full snapshot (see GameController). Pure: no DOM, no network, no clock.
 *
 * A game with hidden information (rules with `fromView`, e.g. Battleship) is
 * not shown its whole log while it is on: its state is rebuilt from the view
 * the server sent (`def.fromView`: what this viewer knows), and each `moved`
 * replaces it; the rules still give the turn, legal moves and previews.
 */
import type { ClockState, GameSnapshot, MovedMessage, MoveRecord } from "@tabula/shared/protocol";
import { type GameDefinition, getGame, replay, type Seat } from "@tabula/shared/rules";

/** What folding a `moved` message did. */
export type Fold =
  /** The move is now part of the game. */
  | "applied"
  /** Already known (a duplicate, or older than our snapshot): nothing to do. */
  | "ignored"
  /** It does not follow from what we have (a gap, another game, a move our rules refuse or name differently): ask for a snapshot. */
  | "resync";

/** The server-only part of a snapshot (everything but the move log and the view, which the rules give). */
export type GameMeta = Omit<GameSnapshot, "moves" | "view" | "ply">;

/** A game's rules definition; throws for a kind this client does not know. */
export function definitionOf(kind: string): GameDefinition {
  const def = getGame(kind);
  if (!def) throw new Error(`unknown game ${kind}`);
  return def;
}

export class GameModel {
  readonly def: GameDefinition;
  private meta: GameMeta;
  private log: MoveRecord[];
  private state: unknown;

  private constructor(def: GameDefinition, meta: GameMeta, log: MoveRecord[], state: unknown) {
    this.def = def;
    this.meta = meta;
    this.log = log;
    this.state = state;
  }

  /**
   * The game of a snapshot: its log replayed from the seed. Throws when the
   * rules refuse a logged move or the log's length is not the server's ply
   * (the client and the server would disagree about the position).
   */
  static fromSnapshot(s: GameSnapshot): GameModel {
    const def = definitionOf(s.kind);
    if (s.moves.length !== s.ply) throw new Error(`game ${s.gameId}: ${s.moves.length} moves logged at ply ${s.ply}`);
    const { moves: _moves, view: _view, ply: _ply, ...meta } = s;
    if (def.fromView) return new GameModel(def, meta, [...s.moves], def.fromView(s.view));
    const r = replay(
      def,
      s.seed,
      s.moves.map((m) => m.move),
    );
    if (!r.ok) throw new Error(`game ${s.gameId}: move ${r.ply} (${r.move}) does not replay: ${r.error.message}`);
    return new GameModel(def, meta, [...s.moves], r.state);
  }

  get gameId(): string {
    return this.meta.gameId;
  }

  get kind(): GameSnapshot["kind"] {
    return this.meta.kind;
  }

  /** Moves played: the next move's ply. */
  get ply(): number {
    return this.log.length;
  }

  get moves(): readonly MoveRecord[] {
    return this.log;
  }

  get info(): Readonly<GameMeta> {
    return this.meta;
  }

  get clocks(): ClockState {
    return this.meta.clocks;
  }

  get active(): boolean {
    return this.meta.status === "active";
  }

  /** The viewer's seat, or null for a spectator. */
  get seat(): Seat | null {
    return this.meta.you.role === "player" ? this.meta.you.seat : null;
  }

  /** The seat to move, or null when the game is over (by the rules or by the server: resign, time…). */
  get toMove(): Seat | null {
    return this.active ? this.def.toMove(this.state) : null;
  }

  /** Whether `seat` has made a move in this game. */
  hasMoved(seat: Seat): boolean {
    return this.log.some((m) => m.seat === seat);
  }

  /** The board as the viewer sees it now (everything once the game is over). */
  view(): unknown {
    return this.def.view(this.state, this.seat, !this.active);
  }

  /** The viewer's legal moves now (none for a spectator, out of turn, or once the game is over). */
  legalMoves(): string[] {
    const seat = this.seat;
    return seat !== null && this.toMove === seat ? this.def.legalMoves(this.state, seat) : [];
  }

  /** What the viewer would see after playing `move`, with its notation; null when the rules refuse it. */
  preview(move: string): { view: unknown; notation: string } | null {
    const seat = this.seat;
    if (seat === null || !this.active) return null;
    const r = this.def.apply(this.state, move, seat);
    return r.ok ? { view: this.def.view(r.state, seat), notation: r.notation } : null;
  }

  /** Fold a `moved` message in: apply the move with the shared rules, take the server's clocks and status. */
  fold(m: MovedMessage): Fold {
    if (m.gameId !== this.meta.gameId) return "resync";
    if (m.ply <= this.ply) return "ignored";
    if (m.record.ply !== this.ply || m.ply !== this.ply + 1) return "resync";
    if (this.def.fromView) {
      // Hidden information: the move may be redacted; the view is what we know now.
      this.state = this.def.fromView(m.view);
    } else {
      const r = this.def.apply(this.state, m.record.move, m.record.seat);
      if (!r.ok || r.notation !== m.record.san) return "resync";
      this.state = r.state;
    }
    this.log = [...this.log, m.record];
    // Any move answers a pending draw offer with "no".
    this.meta = { ...this.meta, clocks: m.clocks, status: m.status, result: m.result, drawOffer: null };
    return "applied";
  }

  /** The game is over and its room gone: take the final record (status, result, every move) from the API. */
  finish(record: { status: GameSnapshot["status"]; result: GameSnapshot["result"]; moves: MoveRecord[]; seed?: string }): void {
    const r = replay(
      this.def,
      record.seed ?? this.meta.seed,
      record.moves.map((m) => m.move),
    );
    if (r.ok) {
      this.state = r.state;
      this.log = [...record.moves];
    }
    this.meta = {
      ...this.meta,
      status: record.status,
      result: record.result,
      drawOffer: null,
      clocks: { ...this.meta.clocks, running: null, firstMoveDeadline: null },
    };
  }

  /** The game as a GameSnapshot (for the test hooks): the server's fields, our log and our view. */
  toSnapshot(): GameSnapshot {
    return { ...this.meta, moves: [...this.log], ply: this.ply, view: this.view() };
  }
}
