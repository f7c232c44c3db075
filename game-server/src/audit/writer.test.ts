/**
 * The audit writer's batching, bounded buffer and shutdown flush, against a
 * pool whose statements the test answers (the INSERT itself runs on real
 * PostgreSQL in test/integration/audit.test.ts).
 */
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Sql } from "../db/client.ts";
import { auditMetrics } from "../metrics/audit.ts";
import type { AuditEventInput } from "./kinds.ts";
import { createAuditLog, INSERT_AUDIT_SQL } from "./writer.ts";

const log = pino({ level: "silent" });
const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });

/** A pool that records each INSERT's kinds and fails while `down` (connection refused) or with `bad` (a data error). */
function fakePool() {
  const state = { down: false, bad: false, attempts: 0, batches: [] as string[][], values: [] as unknown[][] };
  const sql: Sql = {
    query: async ({ text, values }) => {
      expect(text).toBe(INSERT_AUDIT_SQL);
      state.attempts++;
      if (state.down) throw refused();
      if (state.bad) throw Object.assign(new Error("invalid input syntax"), { code: "22P02" });
      state.batches.push(values[2] as string[]);
      state.values.push(values);
      return { rows: [], rowCount: (values[2] as string[]).length };
    },
  };
  return { sql, state };
}

const event = (n: number): AuditEventInput => ({ kind: "identity.created", detail: { name: `p${n}` } });
const names = (values: unknown[]) => (values[6] as string[]).map((d) => JSON.parse(d).name);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("audit writer", () => {
  it("writes what was recorded within flushMs as one INSERT, never during record", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 250 });
    for (let i = 0; i < 5; i++) audit.record(event(i));
    expect(state.batches).toHaveLength(0); // nothing written synchronously
    await vi.advanceTimersByTimeAsync(249);
    expect(state.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.batches).toEqual([Array(5).fill("identity.created")]);
    expect(names(state.values[0])).toEqual(["p0", "p1", "p2", "p3", "p4"]);
    expect(state.values[0][1]).toBe("n1");
    expect(audit.stats).toMatchObject({ written: 5, dropped: 0, buffered: 0 });
  });

  it("writes at once when batchMax events wait, at most batchMax per INSERT", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 10_000, batchMax: 100 });
    for (let i = 0; i < 250; i++) audit.record(event(i));
    await vi.advanceTimersByTimeAsync(0);
    await audit.flush();
    expect(state.batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(state.values.flatMap(names)).toEqual(Array.from({ length: 250 }, (_, i) => `p${i}`));
  });

  it("holds at most bufferMax events while PostgreSQL is down, drops and counts the oldest, and writes the rest when it is back", async () => {
    const { sql, state } = fakePool();
    const registry = new Registry();
    const metrics = auditMetrics(registry);
    const audit = createAuditLog({ sql, nodeId: "n1", log, metrics, flushMs: 100, batchMax: 5, bufferMax: 10 });
    state.down = true;
    audit.record(event(0));
    await vi.advanceTimersByTimeAsync(100); // the first attempt fails: an outage
    expect(state.attempts).toBe(1);
    for (let i = 1; i < 25; i++) audit.record(event(i));
    expect(audit.stats.buffered).toBe(10); // bounded at once, not only when a write fails
    // Events keep coming for 2 s: retries follow their growing pauses (100, 200, 400, 800 ms), not the events.
    for (let i = 25; i < 65; i++) {
      audit.record(event(i));
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(state.attempts).toBeLessThanOrEqual(6);
    expect(state.batches).toHaveLength(0);
    expect(audit.stats).toMatchObject({ written: 0, dropped: 55, buffered: 10 });
    expect((await metrics.dropped.get()).values[0].value).toBe(55);
    state.down = false;
    await vi.advanceTimersByTimeAsync(5_000); // the next retry (at most 5 s away)
    expect(state.values.flatMap(names)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i + 55}`));
    expect(audit.stats).toMatchObject({ written: 10, dropped: 55, buffered: 0 });
    expect((await metrics.events.get()).values).toEqual([
      expect.objectContaining({ labels: { kind: "identity.created" }, value: 10 }),
    ]);
  });

  it("drops (and counts) a batch PostgreSQL refuses for its content, and goes on with the next", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 100 });
    state.bad = true;
    audit.record(event(1));
    await vi.advanceTimersByTimeAsync(100);
    state.bad = false;
    audit.record(event(2));
    await vi.advanceTimersByTimeAsync(100);
    expect(state.values.flatMap(names)).toEqual(["p2"]);
    expect(audit.stats).toMatchObject({ written: 1, dropped: 1 });
  });

  it("a batch refused for its content is written row by row: only the refused event is dropped", async () => {
    const { sql, state } = fakePool();
    // PostgreSQL refuses any INSERT holding the event named "bad" (a value it cannot take).
    const query = sql.query;
    sql.query = async (q) => {
      if ((q.values[6] as string[]).some((d) => JSON.parse(d).name === "bad")) {
        throw Object.assign(new Error("invalid input syntax"), { code: "22P02" });
      }
      return query(q);
    };
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 100 });
    for (const name of ["a", "bad", "c"]) audit.record({ kind: "identity.created", detail: { name } });
    await audit.flush();
    expect(state.values.flatMap(names)).toEqual(["a", "c"]);
    expect(audit.stats).toMatchObject({ written: 2, dropped: 1, buffered: 0 });
  });

  it("strips what PostgreSQL's text and jsonb cannot hold (NUL, lone surrogates) from every string", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log });
    audit.record({ kind: "join.refused", ip: "1.2.3.4\0", gameId: "ab\0cd", detail: { close: 4400, reason: "x\0y\ud800z" } });
    await audit.flush();
    const v = state.values[0];
    expect([(v[4] as string[])[0], (v[5] as string[])[0]]).toEqual(["abcd", "1.2.3.4"]);
    expect(JSON.parse((v[6] as string[])[0])).toEqual({ close: 4400, reason: "xy\ufffdz", count: 1 });
  });

  it("close writes the buffer and the throttle's pending counts; records after close are ignored", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 60_000, floodWindowMs: 60_000 });
    audit.record(event(1));
    for (let i = 0; i < 4; i++) audit.record({ kind: "ratelimit.cutoff", ip: "10.0.0.1", detail: { limiter: "api" } });
    await audit.close();
    const details = state.values.flatMap((v) => (v[6] as string[]).map((d) => JSON.parse(d)));
    expect(state.batches.flat()).toEqual(["identity.created", "ratelimit.cutoff", "ratelimit.cutoff"]);
    expect(details.slice(1)).toEqual([
      { limiter: "api", count: 1 },
      { limiter: "api", count: 3 },
    ]);
    audit.record(event(2));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(state.batches).toHaveLength(1);
  });

  it("close gives up on a database that stays down after closeTimeoutMs, counting what it drops", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log, flushMs: 100, closeTimeoutMs: 1_000 });
    state.down = true;
    audit.record(event(1));
    const closing = audit.close();
    await vi.advanceTimersByTimeAsync(1_500);
    await closing;
    expect(audit.stats).toMatchObject({ written: 0, dropped: 1, buffered: 0 });
  });

  it("cuts columns to the table's sizes and keeps a player id that is not a UUID in detail", async () => {
    const { sql, state } = fakePool();
    const audit = createAuditLog({ sql, nodeId: "n1", log });
    audit.record({
      kind: "login",
      playerId: "not-a-uuid",
      gameId: "g".repeat(40),
      ip: "1".repeat(100),
      detail: { name: "x" },
    });
    await audit.flush();
    const v = state.values[0];
    expect(v[3]).toEqual([null]);
    expect((v[4] as string[])[0]).toHaveLength(16);
    expect((v[5] as string[])[0]).toHaveLength(64);
    expect(JSON.parse((v[6] as string[])[0])).toEqual({ name: "x", player: "not-a-uuid" });
  });
});
