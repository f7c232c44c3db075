/**
 * Glicko-2 ratings (Glickman, "Example of the Glicko-2 system"), computed by
 * the `glicko2` library. As on lichess, every rated game is a rating period of
 * its own for both players: the ratings move as soon as the game ends, and a
 * player's rating deviation (RD) says how sure the rating is.
 */
/// <reference path="./glicko2.d.ts" />
// (The reference lets the client's type check, which reaches this file through the browser tests' support, find the types.)
import glicko2 from "glicko2";

export interface Rating {
  /** The rating, on the Glicko scale (1500 for a new player). */
  rating: number;
  /** Rating deviation: how uncertain `rating` is (350 for a new player; smaller is surer). */
  rd: number;
  /** Volatility: how erratic the player's results are (0.06 for a new player). */
  vol: number;
}

/** A player's rating before their first rated game of a game and speed. */
export const NEW_RATING: Readonly<Rating> = { rating: 1500, rd: 350, vol: 0.06 };

/**
 * τ, the system constant bounding how fast volatility changes: Glickman suggests 0.3–1.2; lichess runs 0.75.
 * (The paper's worked example uses 0.5.)
 */
export const TAU = 0.75;

/** A rating is provisional (shown with a "?") while its RD is above this, as on lichess. */
export const PROVISIONAL_RD = 110;

/** The score of a game for one player: 1 a win, 0.5 a draw, 0 a loss. */
export type Score = 0 | 0.5 | 1;

/**
 * `player`'s rating after one rating period in which they played `games`
 * (each against an opponent as rated at the period's start). With no game, only
 * the RD grows (the rating is less sure after a period away).
 */
export function ratePeriod(player: Rating, games: ReadonlyArray<{ opponent: Rating; score: Score }>, tau = TAU): Rating {
  const system = new glicko2.Glicko2({ tau });
  const me = system.makePlayer(player.rating, player.rd, player.vol);
  const matches = games.map(
    (g) => [me, system.makePlayer(g.opponent.rating, g.opponent.rd, g.opponent.vol), g.score] as [typeof me, typeof me, number],
  );
  system.updateRatings(matches);
  return { rating: me.getRating(), rd: Math.min(me.getRd(), NEW_RATING.rd), vol: me.getVol() };
}

/** Both players' ratings after one game between them; `scoreA` is `a`'s score. */
export function rateGame(a: Rating, b: Rating, scoreA: Score, tau = TAU): [Rating, Rating] {
  return [
    ratePeriod(a, [{ opponent: b, score: scoreA }], tau),
    ratePeriod(b, [{ opponent: a, score: (1 - scoreA) as Score }], tau),
  ];
}

/** Whether `r` is still provisional (too few games to be sure of it). */
export function isProvisional(r: Rating): boolean {
  return r.rd > PROVISIONAL_RD;
}
