/**
 * Reconnection delays (pure): 0.5 s doubling up to a cap (8 s unless told),
 * with ±25 % jitter so many clients dropped by the same node do not retry in
 * lockstep.
 */
import { CLOSE_CODES } from "@tabula/shared/protocol";

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 8000;
/** Re-joining a game after its room was lost: 0.5 s doubling to 4 s (its node may be gone; another one takes the game over within seconds). */
export const REJOIN_BACKOFF_MAX_MS = 4000;

/** Delay before retry number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random, maxMs: number = BACKOFF_MAX_MS): number {
  const base = Math.min(maxMs, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 16)));
  const jitter = 0.75 + random() * 0.5;
  return Math.round(Math.min(maxMs, base * jitter));
}

/** Spread of the first re-join after a room was lost, ms: many clients of one dead node do not arrive at once. */
export const FIRST_REJOIN_SPREAD_MS = 250;

/**
 * Delay before re-join attempt `attempt` (0-based) of a game whose room was
 * lost with WebSocket close code `closeCode`. The first attempt goes at once
 * (0–250 ms, jittered): the node receiving it takes the game over on the spot
 * when its host is dead (game-server/src/cluster/takeover.ts, `rescue`), and
 * GAME_MOVED (4100: the server handed the game to another node) means it is
 * already elsewhere (then with no delay at all). Later attempts back off.
 */
export function rejoinDelay(attempt: number, closeCode: number | null, random: () => number = Math.random): number {
  if (attempt <= 0) return closeCode === CLOSE_CODES.GAME_MOVED ? 0 : Math.round(random() * FIRST_REJOIN_SPREAD_MS);
  return backoffDelay(attempt, random, REJOIN_BACKOFF_MAX_MS);
}

/**
 * Delay before re-join attempt `attempt` (0-based) after the server went
 * silent (see heartbeat.ts). The silence is noticed (2/3 of the node
 * heartbeat's TTL) just before the node is presumed dead; a re-join that
 * reaches a surviving node waits there for that verdict and then takes the
 * game over. The first attempt goes at once, then one every 375–500 ms
 * (jittered, no doubling). Attempts that nginx sends to the stalled node hang
 * (~2 s) and run alongside (see MAX_REJOINS_IN_FLIGHT).
 */
export function silentRejoinDelay(attempt: number, random: () => number = Math.random): number {
  return attempt <= 0 ? 0 : backoffDelay(0, random, BACKOFF_BASE_MS);
}
