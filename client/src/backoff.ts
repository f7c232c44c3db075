/**
 * Reconnection delays (pure): 0.5 s doubling up to 8 s, with ±25 % jitter so
 * many clients dropped by the same node do not retry in lockstep.
 */
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 8000;

/** Delay before retry number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 16)));
  const jitter = 0.75 + random() * 0.5;
  return Math.round(Math.min(BACKOFF_MAX_MS, base * jitter));
}
