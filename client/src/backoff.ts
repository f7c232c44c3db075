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

/**
 * Delay before re-join attempt `attempt` (0-based) of a game whose room was
 * lost with WebSocket close code `closeCode`. GAME_MOVED (4100: the server
 * handed the game to another node) means the game is already elsewhere: the
 * first attempt goes at once.
 */
export function rejoinDelay(attempt: number, closeCode: number | null, random: () => number = Math.random): number {
  if (attempt <= 0 && closeCode === CLOSE_CODES.GAME_MOVED) return 0;
  return backoffDelay(attempt, random, REJOIN_BACKOFF_MAX_MS);
}

/**
 * Delay before re-join attempt `attempt` (0-based) after the server went
 * silent (see heartbeat.ts). The game's lease has not expired yet when the
 * silence is noticed (the timeout is about half the lease), and the new owner
 * appears within the rest of it: the first attempt goes at once, then one
 * every 375–500 ms (jittered, no doubling), so the new owner is found within
 * half a second of taking the game over. Attempts that reach the stalled
 * node hang (~2 s) and run alongside (see MAX_REJOINS_IN_FLIGHT).
 */
export function silentRejoinDelay(attempt: number, random: () => number = Math.random): number {
  return attempt <= 0 ? 0 : backoffDelay(0, random, BACKOFF_BASE_MS);
}
