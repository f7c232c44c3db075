/**
 * The contract every game in Tabula implements.
 *
 * A game definition is a set of pure, deterministic functions: no I/O, no clock
 * reads, no `Math.random`. Randomness (for games that need it) comes from the
 * seed stored in the state. The server, the browser client and the bots all
 * import the same definitions, so a move the client shows as legal is exactly a
 * move the server accepts.
 *
 * Moves travel as short strings in the game's own notation (Connect Four: the
 * column "0".."6"; chess: UCI such as "e2e4" or "e7e8q"). That keeps the wire
 * protocol, the move log and the bots trivially simple.
 */

/** Seat index. Seat 0 moves first (Connect Four: red; chess: white). */
export type Seat = 0 | 1;

export const SEATS: readonly Seat[] = [0, 1];

/** The other seat. */
export function opponentOf(seat: Seat): Seat {
  return seat === 0 ? 1 : 0;
}

/** Why a game ended. `timeout`, `resign`, `abandon`, `agreement`, `aborted` are decided by the room, the rest by the rules. */
export type ResultReason =
  | "connect-four"
  | "board-full"
  | "checkmate"
  | "stalemate"
  | "threefold-repetition"
  | "fifty-move-rule"
  | "insufficient-material"
  | "timeout"
  | "timeout-vs-insufficient-material"
  | "resign"
  | "abandon"
  | "agreement"
  | "aborted";

/** A finished game's outcome. `winner` is null for a draw (and for an aborted game). */
export interface GameResult {
  winner: Seat | null;
  reason: ResultReason;
}

/** Rejection of a move by the rules. `code` is stable and documented in docs/protocol.md. */
export interface RuleError {
  code: "ILLEGAL_MOVE" | "NOT_YOUR_TURN" | "GAME_OVER" | "BAD_MOVE_FORMAT";
  message: string;
}

/**
 * What `apply` answers: the next state and the move's human notation (chess SAN
 * such as "Nf3"; Connect Four column letter and landing row such as "d1"),
 * computed while applying so nothing plays a move twice; or the rules' refusal.
 */
export type ApplyResult<S> = { ok: true; state: S; notation: string } | { ok: false; error: RuleError };

/** A time control: initial time and increment, both in seconds, as "3+2". */
export interface TimeControl {
  /** Stable id used in URLs, queues and the database, e.g. "3+2". */
  id: string;
  initialSeconds: number;
  incrementSeconds: number;
}

/**
 * One game's rules.
 *
 * `S` is the full state (treated as immutable: `apply` returns a new object and
 * never mutates its input). `V` is what one seat (or a spectator, `null`) may
 * see: for perfect-information games it is the whole position.
 */
export interface GameDefinition<S = unknown, V = unknown> {
  /** Stable id used in URLs, queues and the database. */
  readonly id: GameKind;
  /** Human name, e.g. "Connect Four". */
  readonly name: string;
  /** Names of the two seats, e.g. ["Red", "Yellow"] or ["White", "Black"]. */
  readonly seatNames: readonly [string, string];
  /** Time controls offered for this game; the first is the default. */
  readonly timeControls: readonly TimeControl[];

  /** The starting state for a seed (any string; the same seed always gives the same state). */
  setup(seed: string): S;
  /** Number of moves applied so far (the next move's ply). */
  ply(state: S): number;
  /** Seat to move, or null when the game is over. */
  toMove(state: S): Seat | null;
  /** Every legal move for `seat` in the current state (empty if it is not that seat's turn or the game is over). */
  legalMoves(state: S, seat: Seat): string[];
  /** Validate and apply `move` for `seat`, with its notation. Never throws on bad input: returns a RuleError instead. */
  apply(state: S, move: string, seat: Seat): ApplyResult<S>;
  /** The result if the position is terminal by the rules, else null. */
  result(state: S): GameResult | null;
  /**
   * Whether `seat` could still possibly win (has mating material in chess).
   * Used when the opponent's flag falls: if `seat` cannot win, the game is drawn.
   */
  canWin(state: S, seat: Seat): boolean;
  /** What `seat` may see (null: a spectator). */
  view(state: S, seat: Seat | null): V;
  /**
   * True when `view` is the same for every seat and for spectators (no hidden
   * information): the server then builds and encodes one view for everyone.
   * Leave it unset for a game with hidden information.
   */
  readonly publicView?: boolean;
}

export type GameKind = "connect4" | "chess";

/** How hard a built-in bot plays (chosen when a bot game is made; stored with the game). */
export type BotLevel = "easy" | "medium" | "hard";
/** Every bot level, weakest first. */
export const BOT_LEVELS = ["easy", "medium", "hard"] as const satisfies readonly BotLevel[];
/** The level of a bot game made without one. */
export const DEFAULT_BOT_LEVEL: BotLevel = "medium";
