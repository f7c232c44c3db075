/**
 * Chess, with chess.js doing move generation behind our interface.
 *
 * Move notation: UCI, "e2e4", castling as the king's move ("e1g1"), promotion
 * with a lower-case piece letter ("e7e8q", "a2a1n"). Seat 0 = White.
 *
 * The state is plain JSON holding a FEN, never a chess.js instance, so it can be
 * copied, stored and sent freely; each function builds one `Chess` from the FEN.
 * A `Chess` built from a FEN has no history, so threefold repetition is tracked
 * here through `positionKeys`.
 *
 * Draws are automatic, as on lichess: stalemate, insufficient material (chess.js's
 * definition: K v K, K+minor v K, bishops all on one colour), threefold repetition,
 * and the fifty-move rule (halfmove clock reaches 100 without mate).
 */
import { Chess, DEFAULT_POSITION, validateFen } from "chess.js";
import type { Move, Square } from "chess.js";
import type { ApplyResult, GameDefinition, GameResult, RuleError, Seat, TimeControl } from "./types.ts";

/** Full chess state: plain JSON, never mutated (apply returns a new object). */
export interface ChessState {
  /** The game seed (chess uses no randomness; kept for uniformity). */
  readonly seed: string;
  /** Current position as FEN (chess.js writes the en-passant square only when an en-passant capture is legal). */
  readonly fen: string;
  /** Moves played so far, in UCI. */
  readonly moves: readonly string[];
  /**
   * Repetition keys (the first four FEN fields) of every position since the last
   * capture or pawn move, current position last. Older positions can never recur.
   */
  readonly positionKeys: readonly string[];
  /** Set once the game is over by the rules. */
  readonly result: GameResult | null;
}

/** What a seat or spectator sees (the same for everyone: perfect information). */
export interface ChessView {
  kind: "chess";
  fen: string;
  toMove: Seat | null;
  ply: number;
  result: GameResult | null;
  /** Squares of the last move ("e2", "e4"); castling gives the king's squares. Null before the first move. */
  lastMove: { from: string; to: string } | null;
  /** Whether the side to move is in check (true in a checkmate position). */
  check: boolean;
  /** UCI history from the start position. */
  moves: string[];
}

const TIME_CONTROLS: readonly TimeControl[] = [
  { id: "3+2", initialSeconds: 180, incrementSeconds: 2 },
  { id: "5+3", initialSeconds: 300, incrementSeconds: 3 },
  { id: "10+0", initialSeconds: 600, incrementSeconds: 0 },
  { id: "1+0", initialSeconds: 60, incrementSeconds: 0 },
];

const UCI = /^([a-h][1-8])([a-h][1-8])([qrbn])?$/;

/**
 * Repetition key of a chess.js FEN: placement, side to move, castling rights and
 * en-passant square. Since chess.js 1.x only writes the en-passant square when a
 * legal en-passant capture exists, equal keys mean equal positions in FIDE's sense (9.2.3).
 */
function repetitionKey(fen: string): string {
  return fen.split(" ", 4).join(" ");
}

function seatOf(chess: Chess): Seat {
  return chess.turn() === "w" ? 0 : 1;
}

/** The result of the position `chess` is in, given the repetition keys ending with it. */
function resultOf(chess: Chess, positionKeys: readonly string[]): GameResult | null {
  if (chess.isCheck()) {
    if (chess.isCheckmate()) return { winner: seatOf(chess) === 0 ? 1 : 0, reason: "checkmate" };
  } else if (chess.isStalemate()) {
    return { winner: null, reason: "stalemate" };
  }
  if (chess.isInsufficientMaterial()) return { winner: null, reason: "insufficient-material" };
  const current = positionKeys[positionKeys.length - 1];
  if (positionKeys.filter((k) => k === current).length >= 3) return { winner: null, reason: "threefold-repetition" };
  if (chess.isDrawByFiftyMoves()) return { winner: null, reason: "fifty-move-rule" };
  return null;
}

function toMove(state: ChessState): Seat | null {
  if (state.result) return null;
  return state.fen.split(" ", 2)[1] === "w" ? 0 : 1;
}

function fail(code: RuleError["code"], message: string): ApplyResult<ChessState> {
  return { ok: false, error: { code, message } };
}

type Parsed = { from: Square; to: Square; promotion: string | undefined };

/**
 * Plays a parsed UCI move on `chess` (mutating it): the chess.js move, or an error
 * message when illegal. The promotion letter is required exactly when a pawn
 * reaches the last rank (chess.js alone would ignore a stray one).
 */
function play(chess: Chess, move: Parsed): Move | string {
  const piece = chess.get(move.from);
  if (!piece || piece.color !== chess.turn()) return `no ${chess.turn() === "w" ? "white" : "black"} piece on ${move.from}`;
  const promoting = piece.type === "p" && move.to[1] === (piece.color === "w" ? "8" : "1");
  if (promoting && !move.promotion) return "a promotion needs a piece letter (q, r, b or n)";
  if (!promoting && move.promotion) return "only a pawn reaching the last rank can promote";
  try {
    return chess.move({ from: move.from, to: move.to, promotion: move.promotion });
  } catch {
    return `${move.from}${move.to}${move.promotion ?? ""} is not a legal move`;
  }
}

function parseUci(move: unknown): Parsed | null {
  const m = typeof move === "string" ? UCI.exec(move) : null;
  return m ? { from: m[1] as Square, to: m[2] as Square, promotion: m[3] } : null;
}

/**
 * Builds a state from any legal FEN (for tests and analysis; games start with
 * `chess.setup`). `ply` counts from 0 here and the side to move comes from the FEN.
 * Throws on an invalid FEN.
 */
export function chessFromFen(fen: string, seed = ""): ChessState {
  const check = validateFen(fen);
  if (!check.ok) throw new Error(`invalid FEN: ${check.error}`);
  const chess = new Chess(fen);
  const normalised = chess.fen();
  const positionKeys = [repetitionKey(normalised)];
  return { seed, fen: normalised, moves: [], positionKeys, result: resultOf(chess, positionKeys) };
}

/** Chess rules. Seat 0 (White) moves first. */
export const chess: GameDefinition<ChessState, ChessView> = {
  id: "chess",
  name: "Chess",
  seatNames: ["White", "Black"],
  publicView: true, // perfect information: everyone sees the whole position
  timeControls: TIME_CONTROLS,

  setup(seed) {
    return { seed, fen: DEFAULT_POSITION, moves: [], positionKeys: [repetitionKey(DEFAULT_POSITION)], result: null };
  },

  ply(state) {
    return state.moves.length;
  },

  toMove,

  legalMoves(state, seat) {
    if (toMove(state) !== seat) return [];
    // Move.lan is exactly UCI: from + to + promotion letter.
    return new Chess(state.fen).moves({ verbose: true }).map((m) => m.lan);
  },

  apply(state, move, seat) {
    const parsed = parseUci(move);
    if (!parsed) return fail("BAD_MOVE_FORMAT", `a chess move is UCI such as "e2e4" or "e7e8q", got ${JSON.stringify(move)}`);
    if (state.result) return fail("GAME_OVER", "the game is over");
    if (toMove(state) !== seat) return fail("NOT_YOUR_TURN", "it is not your turn");
    const board = new Chess(state.fen);
    const played = play(board, parsed);
    if (typeof played === "string") return fail("ILLEGAL_MOVE", played);

    const fen = board.fen();
    const key = repetitionKey(fen);
    // Halfmove clock 0 means a capture or pawn move: no earlier position can recur.
    const positionKeys = fen.split(" ")[4] === "0" ? [key] : [...state.positionKeys, key];
    const next: ChessState = {
      seed: state.seed,
      fen,
      moves: [...state.moves, move as string],
      positionKeys,
      result: resultOf(board, positionKeys),
    };
    return { ok: true, state: next, notation: played.san };
  },

  result(state) {
    return state.result;
  },

  /**
   * False when `seat` has only its king, or king plus exactly one knight or bishop
   * (and nothing else): the timeout-vs-insufficient-material rule. Simplified on
   * purpose: FIDE would still let a lone minor piece win when the opponent's own
   * pieces make a helpmate possible (e.g. K+N v K+R); we call those draws.
   */
  canWin(state, seat) {
    const placement = state.fen.split(" ", 1)[0] ?? "";
    const own = seat === 0 ? /[PNBRQ]/g : /[pnbrq]/g;
    const pieces = placement.match(own) ?? [];
    if (pieces.length === 0) return false;
    return !(pieces.length === 1 && /[nbNB]/.test(pieces[0]!));
  },

  view(state) {
    const last = state.moves[state.moves.length - 1];
    return {
      kind: "chess",
      fen: state.fen,
      toMove: toMove(state),
      ply: state.moves.length,
      result: state.result,
      lastMove: last ? { from: last.slice(0, 2), to: last.slice(2, 4) } : null,
      check: new Chess(state.fen).isCheck(),
      moves: state.moves.slice(),
    };
  },
};
