/**
 * Rated quick play's pairing rule: who may be paired with whom, and who first.
 *
 * A seeker accepts opponents within a rating window that widens with their
 * wait: ±WINDOW_START_POINTS at once, WINDOW_POINTS_PER_S wider every second,
 * at most ±WINDOW_MAX_POINTS (reached after 40 s). Two seekers are compatible
 * when each is within the other's window, so a newcomer is never handed to a
 * player far off just because that player has waited long. Among compatible
 * opponents the one who has waited longest is chosen (ties: the closer rating).
 * Two players where either blocked the other are never compatible.
 */

/** Window half-width when a seeker joins the queue, in rating points. */
export const WINDOW_START_POINTS = 100;
/** How much the half-width grows per second of waiting, in rating points. */
export const WINDOW_POINTS_PER_S = 10;
/** The widest the half-width gets, in rating points. */
export const WINDOW_MAX_POINTS = 500;

export interface RatedSeeker {
  playerId: string;
  rating: number;
  /** When the seeker joined the queue (epoch ms). */
  since: number;
  /** Players this seeker must never be paired with (blocked by them, or blocking them). */
  avoid?: readonly string[];
}

/** The half-width of the window of a seeker who has waited `waitedMs`, in rating points. */
export function windowPoints(waitedMs: number): number {
  return Math.min(WINDOW_MAX_POINTS, WINDOW_START_POINTS + WINDOW_POINTS_PER_S * Math.max(0, waitedMs / 1000));
}

/** Whether `a` and `b` may be paired at `now`: each within the other's window, not the same player, neither avoiding the other. */
export function compatible(a: RatedSeeker, b: RatedSeeker, now: number): boolean {
  if (a.playerId === b.playerId) return false;
  if (a.avoid?.includes(b.playerId) || b.avoid?.includes(a.playerId)) return false;
  const gap = Math.abs(a.rating - b.rating);
  return gap <= windowPoints(now - a.since) && gap <= windowPoints(now - b.since);
}

/** The opponent for `seeker` among `queue` at `now` (longest waiting compatible one, then closest), or undefined. */
export function pickOpponent(seeker: RatedSeeker, queue: Iterable<RatedSeeker>, now: number): RatedSeeker | undefined {
  let best: RatedSeeker | undefined;
  for (const other of queue) {
    if (!compatible(seeker, other, now)) continue;
    if (
      !best ||
      other.since < best.since ||
      (other.since === best.since && Math.abs(other.rating - seeker.rating) < Math.abs(best.rating - seeker.rating))
    ) {
      best = other;
    }
  }
  return best;
}

/**
 * Every pair a scan of `queue` makes at `now`: seekers in order of wait (longest first) each take their
 * opponent (pickOpponent) among those not yet paired; who finds none keeps waiting. No one is in two pairs.
 */
export function pairOff<S extends RatedSeeker>(queue: readonly S[], now: number): Array<[S, S]> {
  const left = [...queue].sort((a, b) => a.since - b.since);
  const pairs: Array<[S, S]> = [];
  while (left.length > 1) {
    const seeker = left.shift() as S;
    const other = pickOpponent(seeker, left, now) as S | undefined;
    if (!other) continue;
    left.splice(left.indexOf(other), 1);
    pairs.push([seeker, other]);
  }
  return pairs;
}
