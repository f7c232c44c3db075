/**
 * The client's picture of a game: the last snapshot, with each `moved`
 * message folded in (pure; no DOM, no network).
 */
import type { GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";

export type FoldResult =
  | { kind: "applied"; snapshot: GameSnapshot }
  /** A message about a move we already have (a duplicate, or older than our snapshot). */
  | { kind: "ignored" }
  /** A move is missing in between (or it is about another game): ask for a full snapshot. */
  | { kind: "gap" };

/** Fold a `moved` message into a snapshot. */
export function applyMoved(snapshot: GameSnapshot, moved: MovedMessage): FoldResult {
  if (moved.gameId !== snapshot.gameId) return { kind: "gap" };
  if (moved.ply <= snapshot.ply) return { kind: "ignored" };
  if (moved.record.ply !== snapshot.ply || moved.ply !== snapshot.ply + 1) return { kind: "gap" };
  return {
    kind: "applied",
    snapshot: {
      ...snapshot,
      moves: [...snapshot.moves, moved.record],
      ply: moved.ply,
      view: moved.view,
      clocks: moved.clocks,
      status: moved.status,
      result: moved.result,
      // Any move answers a pending draw offer with "no".
      drawOffer: null,
    },
  };
}

/** The viewer's seat, or null for a spectator. */
export function mySeat(snapshot: GameSnapshot): Seat | null {
  return snapshot.you.role === "player" ? snapshot.you.seat : null;
}

/** Seat to move according to the move count (seat 0 moves on even plies), or null when the game is not active. */
export function seatToMove(snapshot: GameSnapshot): Seat | null {
  if (snapshot.status !== "active") return null;
  const v = snapshot.view as { toMove?: unknown } | null;
  if (v && (v.toMove === 0 || v.toMove === 1)) return v.toMove;
  if (v && v.toMove === null) return null;
  return snapshot.ply % 2 === 0 ? 0 : 1;
}

/** Whether `seat` has made a move in this game. */
export function hasMoved(snapshot: GameSnapshot, seat: Seat): boolean {
  return snapshot.moves.some((m) => m.seat === seat);
}

export interface Controls {
  canMove: boolean;
  canResign: boolean;
  canAbort: boolean;
  canOfferDraw: boolean;
  /** I offered a draw and wait for an answer. */
  drawOfferedByMe: boolean;
  /** The opponent offered a draw: accept/decline. */
  drawOfferedToMe: boolean;
  canOfferRematch: boolean;
  rematchOfferedByMe: boolean;
  rematchOfferedToMe: boolean;
}

/** Which game actions the viewer has right now. */
export function controlsFor(snapshot: GameSnapshot): Controls {
  const seat = mySeat(snapshot);
  const active = snapshot.status === "active";
  const none: Controls = {
    canMove: false,
    canResign: false,
    canAbort: false,
    canOfferDraw: false,
    drawOfferedByMe: false,
    drawOfferedToMe: false,
    canOfferRematch: false,
    rematchOfferedByMe: false,
    rematchOfferedToMe: false,
  };
  if (seat === null) return none;
  const opponent: Seat = seat === 0 ? 1 : 0;
  const finished = !active;
  return {
    canMove: active && seatToMove(snapshot) === seat,
    canResign: active,
    canAbort: active && !hasMoved(snapshot, seat),
    canOfferDraw: active && snapshot.drawOffer === null,
    drawOfferedByMe: active && snapshot.drawOffer === seat,
    drawOfferedToMe: active && snapshot.drawOffer === opponent,
    canOfferRematch: finished && snapshot.rematchGameId === null && snapshot.rematchOffer === null,
    rematchOfferedByMe: finished && snapshot.rematchOffer === seat,
    rematchOfferedToMe: finished && snapshot.rematchOffer === opponent && snapshot.rematchGameId === null,
  };
}
