/**
 * The operator page's figures as pure data: one node's sample of an interval,
 * and the merge of every node's samples into cluster series (sums of rates
 * and connections, quantiles from the summed histogram buckets, so a p99 is
 * the cluster's p99, not an average of nodes' p99s). No I/O here.
 */
import type { FigurePoint } from "@tabula/shared/protocol";

/** One node's figures over one sampling interval (figures.ts takes them; Redis carries them between nodes). */
export interface FigureSample {
  /** End of the interval, epoch ms. */
  at: number;
  /** Length of the interval, ms. */
  spanMs: number;
  /** Moves committed to the move log during the interval. */
  moves: number;
  /** Group-commit statement durations in the interval: cumulative counts per bucket (COMMIT_BUCKETS_S, then +Inf). */
  commit: number[];
  /** Quick-play waits paired in the interval: cumulative counts per bucket (PAIRING_BUCKETS_S, then +Inf). */
  pairing: number[];
  /** At the end of the interval: live games hosted, players and spectators connected to this node. */
  games: number;
  players: number;
  spectators: number;
}

/**
 * The `q` quantile (0…1) of a histogram given as cumulative bucket counts over
 * upper bounds `bounds` (seconds; the last count is +Inf), in ms, with
 * Prometheus' histogram_quantile interpolation: linear inside the bucket, the
 * highest finite bound when the rank falls in +Inf. Null for no observations.
 */
export function quantileMs(bounds: readonly number[], cumulative: readonly number[], q: number): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    const count = cumulative[i] ?? 0;
    if (count >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : (cumulative[i - 1] ?? 0);
      const inBucket = count - below;
      const frac = inBucket > 0 ? (rank - below) / inBucket : 1;
      return round((lower + (bounds[i] - lower) * frac) * 1000);
    }
  }
  return round(bounds[bounds.length - 1] * 1000);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** `b - a`, element by element (a histogram's growth between two readings of its cumulative counts). */
export function bucketDelta(later: readonly number[], earlier: readonly number[] | undefined): number[] {
  return later.map((v, i) => Math.max(0, v - (earlier?.[i] ?? 0)));
}

function addInto(sum: number[], add: readonly number[]): void {
  for (let i = 0; i < add.length; i++) sum[i] = (sum[i] ?? 0) + add[i];
}

/**
 * Merge per-node samples into one series with a point every `slotMs`, from
 * `now - windowMs` up to the last complete slot (the slot `now` falls in is
 * still filling up: a node may not have sampled it yet). A node's sample
 * falls in the slot its end time is in; should a node have two in one slot,
 * its moves and histograms add up and its last connection counts win.
 */
export function mergeFigures(
  byNode: ReadonlyArray<readonly FigureSample[]>,
  opts: { slotMs: number; windowMs: number; now: number; commitBounds: readonly number[]; pairingBounds: readonly number[] },
): FigurePoint[] {
  const { slotMs, windowMs, now } = opts;
  const current = Math.floor(now / slotMs) * slotMs;
  const first = current - Math.ceil(windowMs / slotMs) * slotMs;
  type Slot = {
    nodes: number;
    movesPerS: number;
    commit: number[];
    pairing: number[];
    games: number;
    players: number;
    spectators: number;
  };
  const slots = new Map<number, Slot>();
  for (const samples of byNode) {
    const mine = new Map<number, FigureSample[]>();
    for (const s of samples) {
      const slot = Math.floor(s.at / slotMs) * slotMs;
      if (slot < first || slot >= current) continue;
      mine.set(slot, [...(mine.get(slot) ?? []), s]);
    }
    for (const [slot, list] of mine) {
      const t = slots.get(slot) ?? { nodes: 0, movesPerS: 0, commit: [], pairing: [], games: 0, players: 0, spectators: 0 };
      t.nodes++;
      for (const s of list) {
        t.movesPerS += s.spanMs > 0 ? (s.moves * 1000) / s.spanMs : 0;
        addInto(t.commit, s.commit);
        addInto(t.pairing, s.pairing);
      }
      const last = list[list.length - 1];
      t.games += last.games;
      t.players += last.players;
      t.spectators += last.spectators;
      slots.set(slot, t);
    }
  }
  return [...slots.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, t]) => ({
      at,
      nodes: t.nodes,
      movesPerS: Math.round(t.movesPerS * 10) / 10,
      commitP50Ms: quantileMs(opts.commitBounds, t.commit, 0.5),
      commitP99Ms: quantileMs(opts.commitBounds, t.commit, 0.99),
      pairingP50Ms: quantileMs(opts.pairingBounds, t.pairing, 0.5),
      pairingP99Ms: quantileMs(opts.pairingBounds, t.pairing, 0.99),
      pairings: t.pairing[t.pairing.length - 1] ?? 0,
      games: t.games,
      players: t.players,
      spectators: t.spectators,
    }));
}
