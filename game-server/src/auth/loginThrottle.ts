/**
 * Login throttling: failed logins counted per account name and per client IP
 * in fixed windows (from the first failure), in stores every node shares
 * (http/rateLimit.ts' Redis store in a cluster, memory on a single node).
 *
 * A name is counted whether or not it has an account, so the throttle says
 * nothing about which names exist. A success clears its name's count but not
 * its address's (else logging into one's own account would reset the
 * attacker's budget for guessing others). A throttled attempt is not
 * verified and not counted, so waiting the window out always works.
 */
import type { Store } from "express-rate-limit";

export interface LoginThrottleLimits {
  /** Failures per name per window. */
  perName: number;
  /** Failures per client IP per window. */
  perIp: number;
  /** The window, ms. */
  windowMs: number;
}

/** Whether a login may be tried now; when not, which limit holds it back and for how many more seconds. */
export type ThrottleVerdict = { ok: true } | { ok: false; scope: "name" | "ip"; retryAfterS: number };

export interface LoginThrottle {
  /** Whether `name` may be tried from `ip` now (checked before the password is). */
  check(name: string, ip: string): Promise<ThrottleVerdict>;
  /** Count one failed attempt for `name` and `ip`. */
  failed(name: string, ip: string): Promise<void>;
  /** A success for `name`: its count starts over. */
  succeeded(name: string): Promise<void>;
}

/**
 * The throttle over two stores (`byName`, `byIp`: express-rate-limit stores,
 * initialised here with `limits.windowMs`); `name` is expected normalised
 * (db/players.ts nameKey). `now` is epoch ms.
 */
export function createLoginThrottle(
  stores: { byName: Store; byIp: Store },
  limits: LoginThrottleLimits,
  now: () => number = Date.now,
): LoginThrottle {
  for (const s of [stores.byName, stores.byIp]) void s.init?.({ windowMs: limits.windowMs } as never);
  const blocked = async (store: Store, key: string, limit: number): Promise<number | undefined> => {
    const hits = await store.get?.(key);
    if (!hits || hits.totalHits < limit) return undefined;
    const left = (hits.resetTime?.getTime() ?? now() + limits.windowMs) - now();
    return left > 0 ? Math.ceil(left / 1000) : undefined;
  };
  return {
    async check(name, ip) {
      const [byName, byIp] = await Promise.all([
        blocked(stores.byName, name, limits.perName),
        blocked(stores.byIp, ip, limits.perIp),
      ]);
      // Both at once: the longer wait is the true one.
      if (byName !== undefined && (byIp === undefined || byName >= byIp))
        return { ok: false, scope: "name", retryAfterS: byName };
      if (byIp !== undefined) return { ok: false, scope: "ip", retryAfterS: byIp };
      return { ok: true };
    },
    async failed(name, ip) {
      await Promise.all([stores.byName.increment(name), stores.byIp.increment(ip)]);
    },
    async succeeded(name) {
      await stores.byName.resetKey(name);
    },
  };
}
