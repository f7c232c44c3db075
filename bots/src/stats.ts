/**
 * Latency samples and percentiles.
 *
 * - `Samples`: every raw sample in a growable Float64Array (8 bytes each: a
 *   few million samples are a few tens of MB). Workers ship them to the parent,
 *   which computes exact percentiles once, at the end.
 * - `LiveHistogram`: log-scale buckets (≈1 % wide) for the progress line,
 *   where re-sorting millions of samples every 2 s would be wasteful.
 *
 * Percentiles use the nearest-rank method: p-th percentile = the smallest
 * sample such that at least p % of the samples are ≤ it.
 */

export class Samples {
  private buf: Float64Array;
  private n = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Float64Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.n;
  }

  push(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = value;
  }

  pushAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.push(values[i]!);
  }

  /** A copy of the samples from index `from` on. */
  slice(from = 0): Float64Array {
    return this.buf.slice(from, this.n);
  }
}

export interface Summary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); null when empty. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

const round = (v: number | null, digits = 2): number | null => (v === null ? null : Number(v.toFixed(digits)));

/** Exact summary of `values` (not modified: a sorted copy is made). */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  return {
    count: n,
    p50: round(percentileSorted(sorted, 50)),
    p95: round(percentileSorted(sorted, 95)),
    p99: round(percentileSorted(sorted, 99)),
    max: round(n ? sorted[n - 1]! : null),
    mean: round(n ? sum / n : null),
  };
}

/** Concatenate sample arrays (e.g. from several workers). */
export function concatSamples(parts: ReadonlyArray<ArrayLike<number>>): Float64Array {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Approximate percentiles in constant memory: bucket k holds values in
 * [MIN·G^k, MIN·G^(k+1)) with G = 1.01, so a reported percentile is within
 * 1 % of a real sample (values below MIN land in bucket 0).
 */
export class LiveHistogram {
  private static readonly MIN = 0.01; // ms
  private static readonly GROWTH = 1.01;
  private static readonly LOG_G = Math.log(LiveHistogram.GROWTH);
  private readonly counts = new Map<number, number>();
  count = 0;
  max = 0;

  record(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    const k = value <= LiveHistogram.MIN ? 0 : Math.floor(Math.log(value / LiveHistogram.MIN) / LiveHistogram.LOG_G);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.count++;
    if (value > this.max) this.max = value;
  }

  recordAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.record(values[i]!);
  }

  /** Nearest-rank percentile, as the upper edge of its bucket (capped at the max seen); null when empty. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.counts.get(k)!;
      if (seen >= rank) return Math.min(this.max, LiveHistogram.MIN * LiveHistogram.GROWTH ** (k + 1));
    }
    return this.max;
  }
}

/** `record[key]`, created with `make()` when missing. */
export function entry<T>(record: Record<string, T>, key: string, make: () => T): T {
  let v = record[key];
  if (v === undefined) {
    v = make();
    record[key] = v;
  }
  return v;
}

/** Add the counts of `from` into `into` (string → number maps). */
export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** Sum of a count map's values. */
export function totalOf(counts: Readonly<Record<string, number>>): number {
  let t = 0;
  for (const v of Object.values(counts)) t += v;
  return t;
}

/** The same counts, largest first (for stable, readable reports). */
export function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Nearest-rank percentile of `values` in any order (p in 0..100); null when empty. The one used everywhere (bots, tests). */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  return percentileSorted(Float64Array.from(values).sort(), p);
}
