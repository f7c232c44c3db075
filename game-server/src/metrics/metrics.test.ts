/**
 * The metrics module: every metric registered under its documented name, the
 * scrape-time gauges, and what group commit and the game host report (with
 * fakes; the real thing is compared with PostgreSQL in
 * test/cluster/monitoring.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { moveWrite } from "../../test/support/records.ts";
import type { Sql } from "../db/client.ts";
import { DbUnavailableError } from "../db/errors.ts";
import { GroupCommit } from "../db/groupCommit.ts";
import { backupGauge } from "./backups.ts";
import type { LiveRoom } from "./gauges.ts";
import { createMetrics, type Metrics } from "./metrics.ts";

/** The samples of metric `name`: labels, value and (for a histogram's parts) the sample's own name. */
async function samples(m: Metrics, name: string) {
  const metric = m.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Array<{ labels: Record<string, unknown>; value: number; metricName?: string }>;
}

async function value(m: Metrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const match = (l: Record<string, unknown>) => Object.entries(labels).every(([k, v]) => l[k] === v);
  return (await samples(m, name)).find((s) => match(s.labels))?.value;
}

const room = (kind: string, active: boolean, players: number, spectators: number): LiveRoom => ({
  gauge: () => ({ kind, active, players, spectators }),
});

describe("metrics registry", () => {
  it("registers every tabula_ metric and, unless turned off, the default process metrics", async () => {
    const text = await createMetrics().registry.metrics();
    for (const name of [
      "tabula_moves_committed_total",
      "tabula_commit_duration_seconds",
      "tabula_commit_batch_size",
      "tabula_move_handling_seconds",
      "tabula_games_live",
      "tabula_connections",
      "tabula_matchmaking_queue_length",
      "tabula_matchmaking_wait_seconds",
      "tabula_pairings_total",
      "tabula_takeovers_total",
      "tabula_lease_losses_total",
      "tabula_fenced_writes_total",
      "tabula_refused_messages_total",
      "tabula_rate_limited_total",
      "tabula_http_requests_total",
      "tabula_http_request_duration_seconds",
      "tabula_redis_errors_total",
      "tabula_db_errors_total",
      "nodejs_eventloop_lag_p99_seconds",
      "nodejs_gc_duration_seconds",
      "process_cpu_seconds_total",
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    expect(await createMetrics({ defaults: false }).registry.metrics()).not.toContain("process_cpu_seconds_total");
  });

  it("keeps each node's registry apart", async () => {
    const a = createMetrics({ defaults: false });
    const b = createMetrics({ defaults: false });
    a.movesCommitted.inc(3);
    expect(await value(a, "tabula_moves_committed_total")).toBe(3);
    expect(await value(b, "tabula_moves_committed_total")).toBe(0);
  });

  it("reads live games by kind and connections from the rooms at scrape time", async () => {
    const m = createMetrics({ defaults: false });
    const over = room("chess", false, 1, 0);
    m.rooms.add(room("connect4", true, 2, 1));
    m.rooms.add(room("connect4", true, 1, 0));
    m.rooms.add(room("chess", true, 2, 3));
    m.rooms.add(over);
    expect(await value(m, "tabula_games_live", { kind: "connect4" })).toBe(2);
    expect(await value(m, "tabula_games_live", { kind: "chess" })).toBe(1);
    expect(await value(m, "tabula_connections", { role: "player" })).toBe(6);
    expect(await value(m, "tabula_connections", { role: "spectator" })).toBe(4);
    m.rooms.clear();
    m.rooms.add(over);
    expect(await value(m, "tabula_games_live", { kind: "chess" })).toBe(0);
    expect(await value(m, "tabula_connections", { role: "player" })).toBe(1);
  });

  it("reads the queue lengths from the matchmaker, and reports none while it cannot answer", async () => {
    const m = createMetrics({ defaults: false });
    let down = false;
    m.queues = async () => {
      if (down) throw new Error("redis down");
      return [{ game: "connect4", timeControl: "3+5", waiting: 1 }];
    };
    expect(await value(m, "tabula_matchmaking_queue_length", { game: "connect4", time_control: "3+5" })).toBe(1);
    down = true;
    expect(await samples(m, "tabula_matchmaking_queue_length")).toEqual([]);
  });
});

describe("group commit's metrics", () => {
  /** A pool whose statements write only the games in `written` (default: all), or fail with `error`. */
  function pool(opts: { written?: (games: string[]) => string[]; error?: unknown } = {}): Sql {
    return {
      query: async ({ values }) => {
        if (opts.error) throw opts.error;
        const games = values[0] as string[];
        const rows = (opts.written?.(games) ?? games).map((gameId) => ({ gameId }));
        return { rows, rowCount: rows.length };
      },
    };
  }

  it("counts the rows written, not the moves handed in, and observes each statement once", async () => {
    const m = createMetrics({ defaults: false });
    // Game "b" fails its guard (another writer got there first): its move is not in the log.
    const gc = new GroupCommit(pool({ written: (g) => g.filter((id) => id !== "b") }), { metrics: m, concurrency: 1 });
    expect(await Promise.all(["a", "b", "c"].map((g) => gc.commit(moveWrite(g))))).toEqual([true, false, true]);
    expect(await value(m, "tabula_moves_committed_total")).toBe(2);
    const batch = await samples(m, "tabula_commit_batch_size");
    expect(batch.find((s) => s.metricName === "tabula_commit_batch_size_count")?.value).toBe(1);
    expect(batch.find((s) => s.metricName === "tabula_commit_batch_size_sum")?.value).toBe(3);
    const latency = await samples(m, "tabula_commit_duration_seconds");
    expect(latency.find((s) => s.metricName === "tabula_commit_duration_seconds_count")?.value).toBe(1);
  });

  it("counts a failed statement as a database error by kind, and no move as committed", async () => {
    const m = createMetrics({ defaults: false });
    const gc = new GroupCommit(pool({ error: new DbUnavailableError("connection refused") }), { metrics: m });
    await expect(gc.commit(moveWrite("a"))).rejects.toThrow(DbUnavailableError);
    expect(await value(m, "tabula_db_errors_total", { kind: "unavailable" })).toBe(1);
    expect(await value(m, "tabula_moves_committed_total")).toBe(0);
  });
});

describe("backup age", () => {
  it("reports when the newest complete base backup finished, and nothing without one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tabula-backups-"));
    try {
      const m = createMetrics({ defaults: false });
      backupGauge(m.registry, dir);
      expect(await samples(m, "tabula_backup_last_success_timestamp_seconds")).toEqual([]);
      for (const [id, finishedAt] of [
        ["20261130T030000Z", "2026-11-30T03:04:00.000Z"],
        ["20261201T030000Z", "2026-12-01T03:05:00.000Z"],
      ]) {
        mkdirSync(join(dir, "base", id), { recursive: true });
        writeFileSync(join(dir, "base", id, "backup.json"), JSON.stringify({ id, finishedAt }));
      }
      expect(await value(m, "tabula_backup_last_success_timestamp_seconds", { kind: "base" })).toBe(
        Date.parse("2026-12-01T03:05:00Z") / 1000,
      );
      // A half-written manifest spoils nothing else on /metrics.
      mkdirSync(join(dir, "base", "20261201T040000Z"));
      writeFileSync(join(dir, "base", "20261201T040000Z", "backup.json"), "{");
      expect(await samples(m, "tabula_backup_last_success_timestamp_seconds")).toEqual([]);
      expect(await m.registry.metrics()).toContain("tabula_moves_committed_total 0");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
