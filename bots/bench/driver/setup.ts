/**
 * Pair set-up shared by the drivers (driver/main.ts, bgio/driver.ts): make
 * `count` pairs, at most `concurrency` at a time, until `deadline` (epoch ms).
 * Each pair joins `into` as soon as it is ready (the progress line reads it);
 * a pair that fails is reported to `onError` with the failures so far and skipped.
 */
export async function setUpPairs<P>(opts: {
  count: number;
  concurrency: number;
  deadline: number;
  into: P[];
  make: (index: number) => Promise<P>;
  onError: (err: Error, failures: number) => void;
}): Promise<{ failures: number }> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency, opts.count) }, async () => {
      while (next < opts.count && Date.now() < opts.deadline) {
        const index = next++;
        try {
          opts.into.push(await opts.make(index));
        } catch (err) {
          failures++;
          opts.onError(err as Error, failures);
        }
      }
    }),
  );
  return { failures };
}

/**
 * Waits out the measured window and returns its length in ms, never less than
 * `durationMs`: libuv's timers run on a clock truncated to the millisecond, so
 * a `setTimeout(durationMs)` can wake up to a millisecond early by
 * `performance.now()`, and a rate is only comparable over the window asked for.
 */
export async function measuredWindow(durationMs: number, now: () => number = performance.now.bind(performance)): Promise<number> {
  const opened = now();
  let elapsed = 0;
  for (let left = durationMs; left > 0; left = durationMs - elapsed) {
    await new Promise<void>((r) => setTimeout(r, Math.max(1, Math.ceil(left))));
    elapsed = now() - opened;
  }
  return elapsed;
}
