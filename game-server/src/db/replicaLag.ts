/**
 * How far behind the read replica is, and so where a read goes: pure
 * functions over what the background check (reads.ts) samples once a second.
 *
 * Why not just `now() - pg_last_xact_replay_timestamp()` on the replica: on an
 * idle primary that grows without any real lag (nothing new to replay), and
 * WAL that carries no commit (checkpoints, running-xacts snapshots) leaves the
 * replica "behind" with an old replay timestamp for a moment. Why not only
 * LSNs: a byte distance says nothing about time. So both are used, each as an
 * upper bound on the staleness (how long ago the first change the replica
 * does not show was made on the primary):
 *  - caught up: the replica has replayed at least the primary's WAL position
 *    read just before it (same check) → lag 0;
 *  - otherwise, by position: the primary's positions of the last minutes are
 *    kept with the time they were read; the newest one the replica has
 *    replayed past was at time t, so the replica holds everything up to t:
 *    lag ≤ now − t;
 *  - and by time: its last replayed commit was made at `replayTimestamp`, and
 *    nothing the primary wrote after it can be older: lag ≤ now − replayTimestamp.
 * The smaller bound is the lag reported (metric) and compared with the bound.
 */

/** A WAL position ("16/B374D848") as a number of bytes (exact up to 2^53: petabytes of WAL). */
export function lsnToNumber(lsn: string): number {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!m) throw new Error(`not a WAL position: ${JSON.stringify(lsn)}`);
  return Number.parseInt(m[1] as string, 16) * 2 ** 32 + Number.parseInt(m[2] as string, 16);
}

/** One look at both servers. Times are the node's clock, in ms. */
export interface LagSample {
  /** When the primary's position was read. */
  at: number;
  /** The primary's `pg_current_wal_lsn()`, bytes. */
  primaryLsn: number;
  /** The replica's `pg_last_wal_replay_lsn()`, bytes. */
  replayLsn: number;
  /** The replica's `now() - pg_last_xact_replay_timestamp()` in ms; null when it has replayed no commit since it started. */
  sinceLastReplayMs: number | null;
}

/** Primary positions older than this are forgotten (the position bound then falls back on the time bound). */
const HISTORY_MS = 10 * 60_000;

/** Replica lag estimation over successive samples (one instance per replica). */
export class LagEstimator {
  /** (time, primary position) pairs, oldest first, positions non-decreasing. */
  private history: Array<{ at: number; lsn: number }> = [];

  /** Record `s` and return the replica's lag in seconds (see the file comment); Infinity when nothing bounds it. */
  observe(s: LagSample): number {
    this.history.push({ at: s.at, lsn: s.primaryLsn });
    while (this.history.length > 1 && (this.history[0] as { at: number }).at < s.at - HISTORY_MS) this.history.shift();
    if (s.replayLsn >= s.primaryLsn) return 0;
    let byPosition = Number.POSITIVE_INFINITY;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i] as { at: number; lsn: number };
      if (h.lsn <= s.replayLsn) {
        byPosition = (s.at - h.at) / 1000;
        break;
      }
    }
    const byTime = s.sinceLastReplayMs === null ? Number.POSITIVE_INFINITY : Math.max(0, s.sinceLastReplayMs) / 1000;
    return Math.min(byPosition, byTime);
  }
}

/** Why a read went where it went (the `reason` label of tabula_replica_reads_total). */
export type ReadReason =
  /** Replica up and within the lag bound. */
  | "fresh"
  /** No replica configured (REPLICA_DATABASE_URL unset). */
  | "none"
  /** The replica did not answer its last check (or a read on it failed to connect). */
  | "down"
  /** The replica lags more than REPLICA_MAX_LAG_S. */
  | "lag"
  /** The read failed on the replica and was run again on the primary. */
  | "error"
  /** The replica's answer may predate the caller's own writes (read-your-writes): read again on the primary. */
  | "stale";

/** What the background check knows about the replica. */
export interface ReplicaState {
  configured: boolean;
  /** Answered its last check (and no read has failed to connect since). */
  up: boolean;
  /** Seconds, from the last check (LagEstimator); Infinity when unknown. */
  lagS: number;
}

/** Where a read goes given `state` and the bound `maxLagS` (seconds). */
export function route(state: ReplicaState, maxLagS: number): { target: "replica" | "primary"; reason: ReadReason } {
  if (!state.configured) return { target: "primary", reason: "none" };
  if (!state.up) return { target: "primary", reason: "down" };
  if (!(state.lagS <= maxLagS)) return { target: "primary", reason: "lag" };
  return { target: "replica", reason: "fresh" };
}
