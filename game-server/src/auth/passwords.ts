/**
 * Password hashing: Argon2id through the argon2 library (libargon2 bindings).
 *
 * Parameters, OWASP's first recommended Argon2id setting: 19 MiB of memory,
 * 2 passes, 1 lane (about 25 ms on one core of our machines). They are stored
 * inside each hash (PHC string), so raising them later still verifies old
 * hashes; `needsRehash` says when a login should store a new one. Used for
 * account passwords and private games' passwords alike.
 */
import argon2 from "argon2";

/** Argon2id parameters: memory in KiB, passes, lanes. */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The Argon2id PHC string of `password` (a fresh random salt each call). */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_PARAMS);
}

/** A hash of nothing anyone knows, verified against when there is no real hash, so both paths cost the same. */
let decoy: Promise<string> | undefined;

/**
 * Whether `password` matches `hash`. With no `hash` (an unknown user, a game
 * without one) it still spends one verification, against a decoy, and answers
 * false: response time says nothing about whether the user exists.
 */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    decoy ??= hashPassword(`decoy-${Math.random()}`);
    await argon2.verify(await decoy, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    // A malformed stored hash verifies nothing.
    return false;
  }
}

/** Whether `hash` was made with other parameters than today's (rehash it at the next successful login). */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_PARAMS);
}
