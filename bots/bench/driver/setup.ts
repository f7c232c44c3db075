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
