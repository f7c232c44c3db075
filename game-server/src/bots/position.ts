/**
 * What the think time (thinkTime.ts) needs to know about a position: how many
 * moves the bot has, and whether its move is obvious — a win in one or a
 * forced block in Connect Four; in chess the only way out of check, a mate in
 * one, or taking back on the square the opponent just took on.
 */
import { Chess } from "chess.js";
import { c4WinsAt, type ChessState, type Connect4State, type GameDefinition, opponentOf, type Seat } from "@tabula/shared/rules";

export interface PositionFeatures {
  legalMoves: number;
  obvious: boolean;
}

/** The features of `seat`'s turn in `state` (a game without its own rule here: the move count only). */
export function positionFeatures(def: GameDefinition<unknown>, state: unknown, seat: Seat): PositionFeatures {
  const moves = def.legalMoves(state, seat);
  if (def.id === "connect4") {
    const board = (state as Connect4State).board;
    const columns = moves.map(Number);
    const obvious = columns.some((c) => c4WinsAt(board, c, seat) || c4WinsAt(board, c, opponentOf(seat)));
    return { legalMoves: moves.length, obvious };
  }
  if (def.id === "chess") return { legalMoves: moves.length, obvious: chessObvious(state as ChessState) };
  return { legalMoves: moves.length, obvious: false };
}

function chessObvious(state: ChessState): boolean {
  const board = new Chess(state.fen);
  const moves = board.moves({ verbose: true });
  if (board.inCheck() && moves.length <= 3) return true;
  if (moves.some((m) => m.san.endsWith("#"))) return true;
  // The last move captured (or pushed a pawn: positionKeys restarts after either) on a square we can take on.
  const last = state.moves[state.moves.length - 1];
  if (!last || state.positionKeys.length !== 1) return false;
  const target = last.slice(2, 4);
  return moves.some((m) => m.to === target && m.captured !== undefined);
}
