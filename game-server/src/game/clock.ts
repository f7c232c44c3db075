/** Time as the host sees it: injected, so tests drive it by hand instead of sleeping. */

export interface Timer {
  clear(): void;
}

export interface HostClock {
  /** Current time, epoch ms. */
  now(): number;
  /** Run `fn` once after `ms` milliseconds (whatever `fn` returns is the clock's to await or ignore). */
  setTimeout(fn: () => unknown, ms: number): Timer;
}

/** The real clock (Date.now and Node timers). */
export const systemClock: HostClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { clear: () => clearTimeout(t) };
  },
};
