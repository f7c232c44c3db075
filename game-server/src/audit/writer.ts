/**
 * The audit log's writer: events recorded anywhere in the node are buffered in
 * memory and written to PostgreSQL ("AuditEvent") in batches, one multi-row
 * INSERT per batch, off every request's path.
 *
 * - `record` never waits, never throws and never touches the database: it
 *   stamps the time, applies the flood throttle (throttle.ts) and appends to
 *   the buffer. A batch is written every `flushMs` (250 ms), or at once when
 *   `batchMax` (100) events are waiting; one statement is in flight at a time,
 *   so the audit log holds at most one pool connection, briefly.
 * - PostgreSQL down: the batch goes back to the head of the buffer and is tried
 *   again with a growing pause (up to 5 s). The buffer is bounded
 *   (AUDIT_BUFFER_MAX): past it the oldest events are dropped, counted in
 *   `tabula_audit_dropped_total` and logged once per outage, never a crash and
 *   never unbounded memory. A batch PostgreSQL refuses for another reason (a bad
 *   value, no partition for its time) is written again row by row, and only the
 *   rows it refuses are dropped and counted: one bad event cannot block or take
 *   the events around it.
 * - `close` (node shutdown) writes the throttle's pending counts and whatever
 *   is buffered, waiting at most `closeTimeoutMs` (5 s) for a database that
 *   does not answer.
 */
import type { Sql } from "../db/client.ts";
import { isConnectionError } from "../db/errors.ts";
import type { Logger } from "../log.ts";
import type { AuditMetrics } from "../metrics/audit.ts";
import type { AuditEventInput, AuditSink } from "./kinds.ts";
import { AuditThrottle } from "./throttle.ts";

export type { AuditSink };

export interface AuditLog extends AuditSink {
  /** Write everything buffered now; resolves when the buffer is empty or the database failed this round. */
  flush(): Promise<void>;
  /** Stop the timers, write the pending counts and the buffer (at most `closeTimeoutMs`); later records are ignored. */
  close(): Promise<void>;
  /** Counts since start (logs and tests). */
  readonly stats: { written: number; dropped: number; buffered: number };
}

export interface AuditLogOptions {
  /** Where the rows go: the node's pg pool (db/client.ts). */
  sql: Sql;
  /** This node's id, stored with every event. */
  nodeId: string;
  log: Logger;
  metrics?: AuditMetrics;
  /** Longest time an event waits in the buffer while the database answers, ms (default 250). */
  flushMs?: number;
  /** Most events per INSERT (default 100); this many waiting are written at once. */
  batchMax?: number;
  /** Most events held while the database cannot be reached (default 10,000); the oldest are dropped past it. */
  bufferMax?: number;
  /** Window of the flood throttle, ms (default 60 s). */
  floodWindowMs?: number;
  /** Window of the login throttle, ms (default 1 h). */
  loginWindowMs?: number;
  /** Longest wait for the database at close, ms (default 5 s). */
  closeTimeoutMs?: number;
  /** Epoch ms (tests pass a fake). */
  now?: () => number;
}

/** A row as inserted: the event, stamped, its columns cut to the table's sizes. */
interface Row {
  at: number;
  kind: string;
  playerId: string | null;
  gameId: string | null;
  ip: string | null;
  detail: string;
}

/** One INSERT for a batch: a column per array, like group commit (db/groupCommit.ts). */
export const INSERT_AUDIT_SQL = `
INSERT INTO "AuditEvent" ("at", "kind", "nodeId", "playerId", "gameId", "ip", "detail")
SELECT 'epoch'::timestamptz + at_ms * interval '1 millisecond', kind, $2, player_id, game_id, ip, detail
FROM unnest($1::int8[], $3::varchar[], $4::uuid[], $5::varchar[], $6::varchar[], $7::jsonb[])
  AS e(at_ms, kind, player_id, game_id, ip, detail)`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_RETRY_MS = 5_000;

/** Start an audit log writing to `opts.sql`. Its timers do not keep the process alive. */
export function createAuditLog(opts: AuditLogOptions): AuditLog {
  const flushMs = opts.flushMs ?? 250;
  const batchMax = opts.batchMax ?? 100;
  const bufferMax = opts.bufferMax ?? 10_000;
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ component: "audit" });
  const throttle = new AuditThrottle({ floodMs: opts.floodWindowMs ?? 60_000, loginMs: opts.loginWindowMs ?? 3_600_000 });
  const nodeId = opts.nodeId.slice(0, 64);

  const buffer: Row[] = [];
  const stats = { written: 0, dropped: 0, buffered: 0 };
  let timer: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let retryMs = 0;
  let outage = false;
  /** Whether the buffer overflowed during this outage (logged once per outage, not per event). */
  let overflowed = false;
  let closed = false;

  const drop = (n: number) => {
    stats.dropped += n;
    opts.metrics?.dropped.inc(n);
  };

  /** Keep the newest `bufferMax` events. */
  const trim = () => {
    const over = buffer.length - bufferMax;
    if (over <= 0) return;
    buffer.splice(0, over);
    drop(over);
    if (!overflowed) log.warn({ bufferMax }, "audit buffer full: dropping the oldest events until PostgreSQL answers");
    overflowed = true;
  };

  const push = (e: AuditEventInput) => {
    buffer.push(rowOf(e, now()));
    trim();
    stats.buffered = buffer.length;
    schedule(buffer.length >= batchMax ? 0 : flushMs);
  };

  function schedule(ms: number): void {
    // While PostgreSQL is unreachable the retry timer (retry) alone decides when to try again.
    if (closed || writing || outage) return;
    if (timer && ms > 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, ms);
    timer.unref();
  }

  function sweepSoon(): void {
    if (sweeper || closed) return;
    sweeper = setInterval(
      () => {
        for (const e of throttle.sweep(now())) push(e);
        if (throttle.open === 0) {
          clearInterval(sweeper);
          sweeper = undefined;
        }
      },
      Math.min(1_000, opts.floodWindowMs ?? 1_000),
    );
    sweeper.unref();
  }

  /** One INSERT of `rows`; counted when it commits. */
  async function insert(rows: Row[]): Promise<void> {
    await opts.sql.query({
      name: "tabula_audit_insert",
      text: INSERT_AUDIT_SQL,
      values: [
        rows.map((r) => r.at),
        nodeId,
        rows.map((r) => r.kind),
        rows.map((r) => r.playerId),
        rows.map((r) => r.gameId),
        rows.map((r) => r.ip),
        rows.map((r) => r.detail),
      ],
    });
    stats.written += rows.length;
    for (const r of rows) opts.metrics?.events.inc({ kind: r.kind });
    if (outage) log.info({ buffered: buffer.length, dropped: stats.dropped }, "audit log written to PostgreSQL again");
    outage = false;
    overflowed = false;
    retryMs = 0;
  }

  /** `rows` (from the head of the buffer) go back to it: PostgreSQL cannot be reached; retried later. */
  function holdBack(rows: Row[], err: unknown): void {
    buffer.unshift(...rows);
    trim(); // what no longer fits is the oldest
    if (!outage)
      log.warn({ err: (err as Error).message, buffered: buffer.length }, "audit log cannot reach PostgreSQL: holding events");
    outage = true;
    retryMs = Math.min(MAX_RETRY_MS, Math.max(flushMs, retryMs * 2));
  }

  /**
   * One batch: written; or back in the buffer (outage: false is returned); or, when PostgreSQL refuses
   * it for its content, written row by row so that only the rows it refuses are dropped (and counted).
   */
  async function writeBatch(): Promise<boolean> {
    const batch = buffer.splice(0, batchMax);
    try {
      await insert(batch);
      return true;
    } catch (err) {
      if (isConnectionError(err)) {
        holdBack(batch, err);
        return false;
      }
      for (let i = 0; i < batch.length; i++) {
        try {
          if (batch.length === 1) throw err;
          await insert([batch[i]]);
        } catch (rowErr) {
          if (isConnectionError(rowErr)) {
            holdBack(batch.slice(i), rowErr);
            return false;
          }
          drop(1);
          log.warn({ err: (rowErr as Error).message, kind: batch[i].kind }, "PostgreSQL refused an audit event: dropped");
        }
      }
      return true;
    } finally {
      stats.buffered = buffer.length;
    }
  }

  async function flush(): Promise<void> {
    if (writing) return writing;
    clearTimeout(timer);
    timer = undefined;
    writing = (async () => {
      while (buffer.length > 0) {
        if (!(await writeBatch())) {
          if (outage) retry();
          break;
        }
      }
    })().finally(() => {
      writing = undefined;
      if (buffer.length > 0 && !outage) schedule(0);
    });
    return writing;
  }

  function retry(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, retryMs);
    timer.unref();
  }

  return {
    stats,
    record(event) {
      if (closed) return;
      try {
        const admitted = throttle.admit(event as AuditEventInput, now());
        if (throttle.open > 0) sweepSoon();
        if (admitted) push(admitted);
      } catch (err) {
        // Recording is never worth a failed request: a bug here is logged, the caller goes on.
        log.warn({ err: (err as Error).message, kind: event.kind }, "could not record an audit event");
      }
    },
    flush,
    async close() {
      if (closed) return;
      for (const e of throttle.sweep(now(), true)) push(e);
      closed = true;
      clearTimeout(timer);
      clearInterval(sweeper);
      const deadline = now() + (opts.closeTimeoutMs ?? 5_000);
      await writing;
      while (buffer.length > 0 && now() < deadline) {
        await flush();
        if (buffer.length > 0) await new Promise((r) => setTimeout(r, Math.min(retryMs || flushMs, deadline - now())));
      }
      if (buffer.length > 0) {
        log.warn({ dropped: buffer.length }, "audit events not written before shutdown: dropped");
        drop(buffer.length);
        buffer.length = 0;
      }
      stats.buffered = 0;
    },
  };
}

/** The event as a row: stamped `at`, columns cut to their sizes, a non-UUID player kept in detail instead. */
function rowOf(e: AuditEventInput, at: number): Row {
  const detail: Record<string, unknown> = { ...(e.detail as Record<string, unknown>) };
  let playerId = e.playerId ?? null;
  if (playerId !== null && !UUID.test(playerId)) {
    detail.player = playerId.slice(0, 64);
    playerId = null;
  }
  return {
    at,
    kind: clean(e.kind).slice(0, 40),
    playerId,
    gameId: e.gameId ? clean(e.gameId).slice(0, 16) : null,
    ip: e.ip ? clean(e.ip).slice(0, 64) : null,
    detail: JSON.stringify(detail, (_key, v) => (typeof v === "string" ? clean(v) : v)),
  };
}

/** PostgreSQL's text and jsonb take no NUL character and no lone surrogate: a client-supplied string could carry either. */
function clean(s: string): string {
  return s.replaceAll("\0", "").replace(/\p{Cs}/gu, "\uFFFD");
}
