/**
 * What the live game's panel says and offers, decided from the GameModel
 * (pure: the DOM code in gameScreen.ts only copies these out): the actions
 * the viewer has, the turn line, the first-move countdown, a disconnected
 * player's countdown and the claim of a win against them, and the rematch
 * line. Every string is the "play" namespace's (i18n/locales/<lang>/play.json).
 */
import type { GameSnapshot } from "@tabula/shared/protocol";
import { opponentOf, type Seat } from "@tabula/shared/rules";
import { type ClockAnchor, secondsUntil, serverToLocal } from "./clock.ts";
import { GAME_NAMES, SEAT_NAMES, describeResult } from "./format.ts";
import type { GameModel } from "./gameModel.ts";
import { t } from "./i18n/index.ts";
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
    const text = result ? describeResult(result, { kind: m.kind, names: namesOf(m), you: seat }).title : t("play:gameOver");
    return { text, key: "over" };
  }
  const toMove = m.toMove;
  if (seat === null) {
    return { text: toMove === null ? "" : t("play:sideToMove", { side: SEAT_NAMES[m.kind][toMove] }), key: "spectator" };
  }
  // Moves cannot be sent right now: say so rather than "Your turn".
  if (opts.connection === "reconnecting") return { text: t("play:reconnecting"), key: "reconnecting" };
  if (opts.pending) return { text: t("play:sendingMove"), key: "pending" };
  return toMove === seat ? { text: t("play:yourTurn"), key: "you" } : { text: t("play:opponentsTurn"), key: "opponent" };
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
      ? t("play:firstMoveYou", { seconds })
      : seat === null
        ? t("play:firstMoveSide", { side: SEAT_NAMES[m.kind][toMove], seconds })
        : t("play:firstMoveOpponent", { seconds });
  return { text, seconds };
}

/** Seconds until a disconnected `seat` may be claimed against (0 once the window ran out), or null while it is here. */
export function awaySeconds(m: GameModel, seat: Seat, anchor: ClockAnchor, now: number): number | null {
  const p = m.info.players[seat];
  if (!m.active || p.connected || p.reconnectDeadline === null) return null;
  return Math.max(0, secondsUntil(serverToLocal(anchor, p.reconnectDeadline), now));
}

/** A player's status line: the countdown to their reconnection window's end while disconnected, else "". */
export function playerStatus(m: GameModel, seat: Seat, anchor: ClockAnchor, now: number): string {
  const seconds = awaySeconds(m, seat, anchor, now);
  if (seconds === null) return "";
  return seconds > 0 ? t("play:awayCountdown", { seconds }) : t("play:awayGone");
}

/**
 * The notice about a player who left, for everyone at once: the countdown to the win by abandonment,
 * then (`claim`) the claim for the one still here. Null while both players are here.
 */
export function awayNotice(
  m: GameModel,
  anchor: ClockAnchor,
  now: number,
): { text: string; seconds: number; claim: boolean } | null {
  const mine = m.seat;
  // A player reads about the opponent; a spectator about whoever left (the first seat away).
  const seats: Seat[] = mine === null ? [0, 1] : [opponentOf(mine)];
  for (const seat of seats) {
    const seconds = awaySeconds(m, seat, anchor, now);
    if (seconds === null) continue;
    const name = m.info.players[seat].name;
    if (mine === null) {
      const text = seconds > 0 ? t("play:awaySpectator", { name, seconds }) : t("play:awaySpectatorGone", { name });
      return { text, seconds, claim: false };
    }
    const text = seconds > 0 ? t("play:awayOpponent", { seconds }) : t("play:awayOpponentGone");
    return { text, seconds, claim: seconds === 0 };
  }
  return null;
}

/** The result dialog's line about a rematch, for the viewer. `declined`: the opponent declined ours. */
export function rematchLine(m: GameModel, declined = false): string {
  const { rematchGameId, rematchOffer, players } = m.info;
  if (m.seat === null) {
    if (rematchGameId) return t("play:rematchFollowing");
    return rematchOffer !== null ? t("play:rematchOfferedBy", { name: players[rematchOffer].name }) : "";
  }
  const c = controlsFor(m);
  if (c.rematchOfferedToMe) return t("play:rematchOfferedToYou");
  if (c.rematchOfferedByMe) return t("play:rematchWaiting");
  if (rematchGameId) return t("play:rematchStarting");
  return declined ? t("play:rematchDeclined") : "";
}

/** The spectator count line and its tooltip. */
export function spectatorLine(spectators: number, spectating: boolean): { text: string; title: string } {
  const count = spectators;
  return {
    text: spectators > 0 ? t("play:watching", { count }) : "",
    title: spectating ? t("play:spectatorsYouIncluded", { count }) : t("play:spectators", { count }),
  };
}

/** What the title says of a game's mode. */
const MODES: Record<GameSnapshot["mode"], () => string> = {
  quick: () => t("play:mode.quick"),
  invite: () => t("play:mode.invite"),
  bot: () => t("play:mode.bot"),
  rematch: () => t("play:mode.rematch"),
};

/** The game's title line: game · time control · mode (· spectating). */
export function titleLine(s: Pick<GameSnapshot, "kind" | "mode">, timeControlLabel: string, spectating: boolean): string {
  const parts = [GAME_NAMES[s.kind], timeControlLabel, MODES[s.mode]()];
  if (spectating) parts.push(t("play:spectating"));
  return parts.join(" · ");
}
