/**
 * What the live game's panel says and offers, decided from the GameModel
 * (pure: the DOM code in gameScreen.ts only copies these out): the actions
 * the viewer has, the turn line, the first-move countdown, a disconnected
 * player's countdown, and the rematch line.
 */
import type { GameSnapshot } from "@tabula/shared/protocol";
import { opponentOf, type Seat } from "@tabula/shared/rules";
import { type ClockAnchor, secondsUntil, serverToLocal } from "./clock.ts";
import { GAME_NAMES, SEAT_NAMES, describeResult } from "./format.ts";
import type { GameModel } from "./gameModel.ts";
import type { ConnectionState } from "./session.ts";

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

const NONE: Controls = {
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

/** Which game actions the viewer has right now (a spectator has none). */
export function controlsFor(m: GameModel): Controls {
  const seat = m.seat;
  if (seat === null) return NONE;
  const { drawOffer, rematchOffer, rematchGameId } = m.info;
  const active = m.active;
  const opponent = opponentOf(seat);
  return {
    canMove: active && m.toMove === seat,
    canResign: active,
    canAbort: active && !m.hasMoved(seat),
    canOfferDraw: active && drawOffer === null,
    drawOfferedByMe: active && drawOffer === seat,
    drawOfferedToMe: active && drawOffer === opponent,
    canOfferRematch: !active && rematchGameId === null && rematchOffer === null,
    rematchOfferedByMe: !active && rematchOffer === seat,
    rematchOfferedToMe: !active && rematchOffer === opponent && rematchGameId === null,
  };
}

/** The players' names, seat 0 first. */
export function namesOf(m: GameModel): [string, string] {
  return [m.info.players[0].name, m.info.players[1].name];
}

export type TurnKey = "over" | "spectator" | "reconnecting" | "pending" | "you" | "opponent";

/** The turn indicator: its text and its key (`data-turn`, which the browser tests read). */
export function turnLine(m: GameModel, opts: { pending: boolean; connection: ConnectionState }): { text: string; key: TurnKey } {
  const seat = m.seat;
  const result = m.info.result;
  if (!m.active) {
    const text = result ? describeResult(result, { kind: m.kind, names: namesOf(m), you: seat }).title : "Game over";
    return { text, key: "over" };
  }
  const toMove = m.toMove;
  if (seat === null) return { text: toMove === null ? "" : `${SEAT_NAMES[m.kind][toMove]} to move`, key: "spectator" };
  // Moves cannot be sent right now: say so rather than "Your turn".
  if (opts.connection === "reconnecting") return { text: "Reconnecting…", key: "reconnecting" };
  if (opts.pending) return { text: "Sending move…", key: "pending" };
  return toMove === seat ? { text: "Your turn", key: "you" } : { text: "Opponent's turn", key: "opponent" };
}

/** Before both sides have moved: who must move, and within how many seconds, or null. */
export function countdownLine(m: GameModel, anchor: ClockAnchor, now: number): { text: string; seconds: number } | null {
  const deadline = m.active ? anchor.clocks.firstMoveDeadline : null;
  const toMove = m.toMove;
  if (deadline === null || toMove === null) return null;
  const seconds = secondsUntil(serverToLocal(anchor, deadline), now);
  const seat = m.seat;
  const text =
    seat === toMove
      ? `Make your first move within ${seconds} s, or the game is aborted`
      : seat === null
        ? `${SEAT_NAMES[m.kind][toMove]} must move within ${seconds} s`
        : `Opponent must move within ${seconds} s, or the game is aborted`;
  return { text, seconds };
}

/** A player's status line: the countdown to losing by abandonment while disconnected, else "". */
export function playerStatus(m: GameModel, seat: Seat, anchor: ClockAnchor, now: number): string {
  const p = m.info.players[seat];
  if (!m.active || p.connected || p.reconnectDeadline === null) return "";
  return `Disconnected · ${secondsUntil(serverToLocal(anchor, p.reconnectDeadline), now)} s to return`;
}

/** The result dialog's line about a rematch, for the viewer. */
export function rematchLine(m: GameModel): string {
  const { rematchGameId, rematchOffer, players } = m.info;
  if (m.seat === null) {
    if (rematchGameId) return "The players start a rematch — following it…";
    return rematchOffer !== null ? `${players[rematchOffer].name} offers a rematch.` : "";
  }
  const c = controlsFor(m);
  if (c.rematchOfferedToMe) return "Your opponent wants a rematch.";
  if (c.rematchOfferedByMe) return "Waiting for your opponent to accept…";
  return rematchGameId ? "Starting the rematch…" : "";
}

/** The spectator count line and its tooltip. */
export function spectatorLine(spectators: number, spectating: boolean): { text: string; title: string } {
  const noun = `${spectators} ${spectators === 1 ? "spectator" : "spectators"}`;
  return { text: spectators > 0 ? `${spectators} watching` : "", title: spectating ? `${noun}, you included` : noun };
}

/** The game's title line: game · time control · mode (· spectating). */
export function titleLine(s: Pick<GameSnapshot, "kind" | "mode">, timeControlLabel: string, spectating: boolean): string {
  return `${GAME_NAMES[s.kind]} · ${timeControlLabel} · ${s.mode === "bot" ? "vs bot" : s.mode}${spectating ? " · spectating" : ""}`;
}
