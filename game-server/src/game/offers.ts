/**
 * The rules of offers: a draw during the game, a rematch after it. Pure
 * decisions on the pending offers; GameTable turns them into changes (an
 * ending, new offers to store, or a rematch to create).
 *
 * Both offers work alike: offering when the opponent already offered is
 * accepting; accepting or declining needs the opponent's pending offer
 * (NO_OFFER otherwise); offering twice changes nothing. A bot declines a draw
 * at once (nothing stays pending) and accepts a rematch at once.
 */
import type { Seat } from "@tabula/shared/rules";
import { opponentOf } from "@tabula/shared/rules";
import { type Refusal, refuse, type Unchanged } from "./changes.ts";
import type { Offers } from "./record.ts";

export type OfferAction = "offer" | "accept" | "decline";

export type OfferDecision =
  /** Both sides want it: a draw by agreement, or a rematch to create. */
  | { ok: true; kind: "agreed" }
  /** Store these offers. */
  | { ok: true; kind: "set"; offers: Partial<Offers> }
  | Unchanged
  | Refusal;

const UNCHANGED: Unchanged = { ok: true, kind: "unchanged" };
const AGREED: OfferDecision = { ok: true, kind: "agreed" };

/** A draw offer, acceptance or refusal by `seat` (the game is on). */
export function decideDraw(offers: Offers, seat: Seat, action: OfferAction, opponentIsBot: boolean): OfferDecision {
  const theirs = offers.drawOffer === opponentOf(seat);
  if (action === "offer") {
    if (theirs) return AGREED;
    if (opponentIsBot || offers.drawOffer === seat) return UNCHANGED;
    return { ok: true, kind: "set", offers: { drawOffer: seat } };
  }
  if (!theirs) return refuse("NO_OFFER", "there is no draw offer to answer");
  return action === "accept" ? AGREED : { ok: true, kind: "set", offers: { drawOffer: null } };
}

/** A rematch offer, acceptance or refusal by `seat` (the game is over). Once a rematch exists, nothing changes. */
export function decideRematch(offers: Offers, seat: Seat, action: OfferAction, opponentIsBot: boolean): OfferDecision {
  if (offers.rematchGameId) return UNCHANGED;
  const theirs = offers.rematchOffer === opponentOf(seat);
  if (action !== "offer" && !theirs) return refuse("NO_OFFER", "there is no rematch offer to answer");
  if (action === "decline") return { ok: true, kind: "set", offers: { rematchOffer: null } };
  if (theirs || opponentIsBot) return AGREED;
  if (offers.rematchOffer === seat) return UNCHANGED;
  return { ok: true, kind: "set", offers: { rematchOffer: seat } };
}
