/**
 * The operator page's live figures, without Prometheus: every node reads its
 * own prom-client metrics every FIGURES_INTERVAL_MS (moves committed, the
 * commit-latency and pairing-wait histograms, its rooms' connections) and
 * keeps the difference from the previous reading as one sample in a ring of
 * 10 minutes. In a cluster it also publishes each sample to Redis next to its
 * heartbeat — a bounded list per node (`tabula:figures:<processId>`, trimmed
 * to the window, expiring with it), a short-lived status key
 * (`tabula:nodeinfo:<processId>`) and a sorted set of publishers — so any
 * node can answer for the whole cluster (figuresMerge.ts adds them up). A
 * node without Redis answers from its own ring. docs/monitoring.md has the why.
 */
import type { Redis } from "ioredis";
import type { Counter, Histogram } from "prom-client";
import type { Logger } from "../log.ts";
import { bucketDelta, type FigureSample } from "./figuresMerge.ts";
import type { Metrics } from "./metrics.ts";

/** How much history each node keeps and publishes, ms. */
export const FIGURES_WINDOW_MS = 10 * 60_000;
/** A node's published samples (a list, oldest first). */
export const figuresKey = (processId: string) => `tabula:figures:${processId}`;
/**
 * A node's latest status (JSON NodeInfo), kept as long as its samples: a node that died still has a row
 * (its heartbeat says down) with what it last reported; one that stopped cleanly deletes it.
 */
export const nodeInfoKey = (processId: string) => `tabula:nodeinfo:${processId}`;
/** Sorted set: process id → when it last published (epoch ms). */
export const FIGURES_PROCS_KEY = "tabula:figures:procs";

/** What a node says about itself with each sample. */
export interface NodeInfo {
  nodeId: string;
  processId: string;
  /** Tabula's version (package.json). */
  version: string;
  /** When the node started, epoch ms. */
  startedAt: number;
  /** When this was written, epoch ms. */
  at: number;
  games: number;
  players: number;
  spectators: number;
}

export interface FiguresSampler {
  readonly intervalMs: number;
  /** Take a reading now and every intervalMs until stop (the first reading is the baseline: no sample). */
  start(): Promise<void>;
  /** Stop sampling and withdraw this node's status (its published samples expire with the window). */
  stop(): Promise<void>;
  /** Take one sample now (and publish it): what the timer does. */
  sample(): Promise<FigureSample>;
  /** This node's samples, oldest first. */
  local(): FigureSample[];
  /** This node's status now. */
  info(): NodeInfo;
  /** Every node's samples (Redis), or this node's alone (no Redis, or Redis failing: `source` says which). */
  everyNode(): Promise<{ byNode: FigureSample[][]; source: "cluster" | "local" }>;
  /** Every node that published in the window with its last status (null once deleted at a clean stop), or null without Redis / on failure. */
  published(): Promise<Array<{ processId: string; info: NodeInfo | null }> | null>;
}

type Reading = { at: number; moves: number; commit: number[]; pairing: number[] };

/** The counter's value, summed over its labels. */
async function total(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

/** The histogram's cumulative bucket counts over `bounds` then +Inf, summed over its other labels. */
export async function cumulativeBuckets(histogram: Histogram<string>, bounds: readonly number[]): Promise<number[]> {
  const out = new Array<number>(bounds.length + 1).fill(0);
  for (const v of (await histogram.get()).values) {
    if (!v.metricName?.endsWith("_bucket")) continue;
    const le = v.labels.le;
    const i = le === "+Inf" ? bounds.length : bounds.indexOf(Number(le));
    if (i >= 0) out[i] += v.value;
  }
  return out;
}

/**
 * The sampler of one node. `bounds`: the commit and pairing histograms'
 * bucket bounds (seconds). `redis`: publish there (cluster mode).
 */
export function createFiguresSampler(opts: {
  metrics: Pick<Metrics, "movesCommitted" | "commitSeconds" | "matchmakingWaitSeconds" | "rooms">;
  bounds: { commit: readonly number[]; pairing: readonly number[] };
  nodeId: string;
  processId: string;
  version: string;
  intervalMs: number;
  redis?: Redis;
  log: Logger;
  now?: () => number;
}): FiguresSampler {
  const { metrics, redis, processId, intervalMs } = opts;
  const now = opts.now ?? Date.now;
  const capacity = Math.ceil(FIGURES_WINDOW_MS / intervalMs) + 1;
  const startedAt = now();
  const ring: FigureSample[] = [];
  let previous: Reading | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  async function read(): Promise<Reading> {
    const [moves, commit, pairing] = await Promise.all([
      total(metrics.movesCommitted),
      cumulativeBuckets(metrics.commitSeconds, opts.bounds.commit),
      cumulativeBuckets(metrics.matchmakingWaitSeconds, opts.bounds.pairing),
    ]);
    return { at: now(), moves, commit, pairing };
  }

  function connections() {
    let games = 0;
    let players = 0;
    let spectators = 0;
    for (const r of metrics.rooms) {
      const g = r.gauge();
      if (g.active) games++;
      players += g.players;
      spectators += g.spectators;
    }
    return { games, players, spectators };
  }

  const info = (): NodeInfo => ({
    nodeId: opts.nodeId,
    processId,
    version: opts.version,
    startedAt,
    at: now(),
    ...connections(),
  });

  async function publish(sample: FigureSample): Promise<void> {
    if (!redis) return;
    try {
      await redis
        .multi()
        .rpush(figuresKey(processId), JSON.stringify(sample))
        .ltrim(figuresKey(processId), -capacity, -1)
        .pexpire(figuresKey(processId), FIGURES_WINDOW_MS)
        .set(nodeInfoKey(processId), JSON.stringify(info()), "PX", FIGURES_WINDOW_MS)
        .zadd(FIGURES_PROCS_KEY, sample.at, processId)
        .exec();
      if (failing) opts.log.info("figures published to Redis again");
      failing = false;
    } catch (err) {
      // Redis down: the operator page shows this node's own ring meanwhile; said once, not every interval.
      if (!failing)
        opts.log.warn(
          { err: (err as Error).message },
          "cannot publish figures to Redis (the operator page shows partial figures)",
        );
      failing = true;
    }
  }

  async function sample(): Promise<FigureSample> {
    const r = await read();
    const base = previous ?? { at: startedAt, moves: 0, commit: [], pairing: [] };
    previous = r;
    const s: FigureSample = {
      at: r.at,
      spanMs: Math.max(1, r.at - base.at),
      moves: Math.max(0, r.moves - base.moves),
      commit: bucketDelta(r.commit, base.commit),
      pairing: bucketDelta(r.pairing, base.pairing),
      ...connections(),
    };
    ring.push(s);
    while (ring.length > capacity || (ring.length > 0 && ring[0].at < r.at - FIGURES_WINDOW_MS)) ring.shift();
    await publish(s);
    return s;
  }

  async function publishers(): Promise<string[]> {
    if (!redis) return [];
    await redis.zremrangebyscore(FIGURES_PROCS_KEY, "-inf", String(now() - FIGURES_WINDOW_MS));
    return redis.zrange(FIGURES_PROCS_KEY, "0", "-1");
  }

  return {
    intervalMs,
    async start() {
      previous = await read();
      timer = setInterval(() => {
        sample().catch((err) => opts.log.warn({ err: (err as Error).message }, "figures sample failed"));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await redis
        ?.multi()
        .del(nodeInfoKey(processId))
        .exec()
        .catch(() => {});
    },
    sample,
    local: () => [...ring],
    info,
    async everyNode() {
      if (!redis) return { byNode: [[...ring]], source: "local" };
      try {
        const ids = await publishers();
        const p = redis.pipeline();
        for (const id of ids) p.lrange(figuresKey(id), 0, -1);
        const res = (await p.exec()) ?? [];
        const byNode = res.map(([err, list]) => (err ? [] : (list as string[]).map((j) => JSON.parse(j) as FigureSample)));
        return { byNode, source: "cluster" };
      } catch {
        return { byNode: [[...ring]], source: "local" };
      }
    },
    async published() {
      if (!redis) return null;
      try {
        const ids = await publishers();
        const p = redis.pipeline();
        for (const id of ids) p.get(nodeInfoKey(id));
        const res = (await p.exec()) ?? [];
        return ids.map((processId, i) => {
          const [err, json] = res[i] ?? [new Error("no reply")];
          return { processId, info: err || !json ? null : (JSON.parse(json as string) as NodeInfo) };
        });
      } catch {
        return null;
      }
    },
  };
}
