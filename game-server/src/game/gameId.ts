/**
 * Game ids (also room ids), time-ordered so that the move log can be
 * partitioned by month on its game id (docs/database.md):
 *
 *     "1" + 6 chars: seconds since ID_EPOCH, base 33 + 6 random chars    (13 chars)
 *
 * The digits come from ID_ALPHABET, which is sorted in byte ("C") order, so
 * the fixed-width time part sorts as the time does: the ids of one month fall
 * between the prefixes of its first second and of the next month's
 * (gameIdTimePrefix), and a move's partition is found from its game id alone.
 * The leading "1" is not in the alphabet of the random 10-char ids made before
 * (OLD_ID_ALPHABET: all of those start with "2"-"9" or a letter, so sort after
 * every "1…" id): old games stay in the move log's legacy partition.
 */
import { randomInt } from "node:crypto";

/** Digits of the time part and of the random tail, in byte order ("2" < … < "9" < "a" < … < "z", no "l"). */
export const ID_ALPHABET = "23456789abcdefghijkmnopqrstuvwxyz";
/** The alphabet of the random ids made before time-ordered ids (none starts with ID_MARKER). */
export const OLD_ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789";
/** First character of every time-ordered id. */
export const ID_MARKER = "1";
/** Second 0 of the time part: 2026-01-01T00:00:00Z. 33^6 s later (2066-12) the time part would overflow. */
export const ID_EPOCH_MS = Date.UTC(2026, 0, 1);
const TIME_DIGITS = 6;
const RANDOM_DIGITS = 6;
const BASE = ID_ALPHABET.length;
const MAX_SECONDS = BASE ** TIME_DIGITS - 1;

/** The id prefix (marker + time part, 7 chars) of the second that holds `ms` (epoch ms). */
export function gameIdTimePrefix(ms: number): string {
  const seconds = Math.floor((ms - ID_EPOCH_MS) / 1000);
  if (!(seconds >= 0 && seconds <= MAX_SECONDS)) {
    throw new RangeError(`game ids cannot encode ${new Date(ms).toISOString()} (from 2026-01-01 for 33^6 seconds)`);
  }
  let digits = "";
  for (let n = seconds, i = 0; i < TIME_DIGITS; i++, n = Math.floor(n / BASE)) digits = ID_ALPHABET[n % BASE] + digits;
  return ID_MARKER + digits;
}

/** A new 13-character game id for a game created at `nowMs` (epoch ms; default now). */
export function newGameId(nowMs: number = Date.now()): string {
  let tail = "";
  for (let i = 0; i < RANDOM_DIGITS; i++) tail += ID_ALPHABET[randomInt(BASE)];
  return gameIdTimePrefix(nowMs) + tail;
}

/** The creation second of a time-ordered id (epoch ms), or null for an old random id. */
export function gameIdTime(id: string): number | null {
  if (id[0] !== ID_MARKER || id.length < 1 + TIME_DIGITS) return null;
  let seconds = 0;
  for (const c of id.slice(1, 1 + TIME_DIGITS)) {
    const d = ID_ALPHABET.indexOf(c);
    if (d < 0) return null;
    seconds = seconds * BASE + d;
  }
  return ID_EPOCH_MS + seconds * 1000;
}
