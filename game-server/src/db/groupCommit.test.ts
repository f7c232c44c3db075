/**
 * Group commit's batching rules, against a pool whose statements we hold and
 * release by hand (the SQL itself runs on real PostgreSQL in
 * test/integration/groupCommit.test.ts).
 */
import { describe, expect, it } from "vitest";
import { moveWrite } from "../../test/support/records.ts";
import { DbUnavailableError } from "./errors.ts";
import type { Sql } from "./client.ts";
import { columnsOf, GroupCommit } from "./groupCommit.ts";

interface Held {
  games: string[];
  plies: number[];
  /** Answer with the games whose row passed its guard (default: all). */
  ok(written?: string[]): void;
  fail(err: unknown): void;
}

/** A pool that records each statement and lets the test decide when and how it returns. */
function heldPool() {
  const held: Held[] = [];
  const pool: Sql = {
    query: ({ values }) =>
      new Promise((resolve, reject) => {
        const games = values[0] as string[];
        held.push({
          games,
          plies: values[1] as number[],
          ok: (written = games) => resolve({ rows: written.map((gameId) => ({ gameId })), rowCount: written.length }),
          fail: reject,
        });
      }),
  };
  return { pool, held };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("group commit", () => {
  it("writes the moves handed in during one turn of the event loop as one statement", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 1 });
    const results = ["a", "b", "c"].map((g) => gc.commit(moveWrite(g)));
    await tick();
    expect(held.map((h) => h.games)).toEqual([["a", "b", "c"]]);
    held[0].ok();
    expect(await Promise.all(results)).toEqual([true, true, true]);
    expect(gc.stats).toMatchObject({ batches: 1, moves: 3, largestBatch: 3 });
  });

  it("commits a lone move at once, and batches what arrives while a statement is in flight", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 1 });
    const lone = gc.commit(moveWrite("a"));
    await tick();
    expect(held).toHaveLength(1); // no window to wait out
    const later = ["b", "c", "d", "e"].map((g) => gc.commit(moveWrite(g)));
    await tick();
    expect(held).toHaveLength(1); // the one connection is busy: they queue
    held[0].ok();
    expect(await lone).toBe(true);
    await tick();
    expect(held.map((h) => h.games)).toEqual([["a"], ["b", "c", "d", "e"]]);
    held[1].ok();
    expect(await Promise.all(later)).toEqual([true, true, true, true]);
  });

  it("runs up to `concurrency` statements at once and caps a batch at maxBatch", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 2, maxBatch: 2 });
    const all = ["a", "b", "c", "d", "e"].map((g) => gc.commit(moveWrite(g)));
    await tick();
    expect(held.map((h) => h.games)).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    held[1].ok();
    await tick();
    expect(held.map((h) => h.games)[2]).toEqual(["e"]);
    held[0].ok();
    held[2].ok();
    expect(await Promise.all(all)).toEqual([true, true, true, true, true]);
  });

  it("keeps one game's moves in order: never two in a batch, the next only after the previous settled", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 4 });
    const first = gc.commit(moveWrite("a", 0));
    const second = gc.commit(moveWrite("a", 1));
    const other = gc.commit(moveWrite("b", 0));
    await tick();
    expect(held.map((h) => [h.games, h.plies])).toEqual([
      [
        ["a", "b"],
        [0, 0],
      ],
    ]);
    held[0].ok();
    await tick();
    expect(held.map((h) => [h.games, h.plies])[1]).toEqual([["a"], [1]]);
    held[1].ok();
    expect(await Promise.all([first, second, other])).toEqual([true, true, true]);
  });

  it("refuses only the moves whose guard failed", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool);
    const results = ["a", "stale", "c"].map((g) => gc.commit(moveWrite(g)));
    await tick();
    held[0].ok(["a", "c"]);
    expect(await Promise.all(results)).toEqual([true, false, true]);
  });

  it("fails every move of a statement that failed, and goes on with the next batch", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 1 });
    const failed = ["a", "b"].map((g) => gc.commit(moveWrite(g)).catch((e: unknown) => e));
    await tick();
    const next = gc.commit(moveWrite("c"));
    held[0].fail(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    const errors = await Promise.all(failed);
    expect(errors.every((e) => e instanceof DbUnavailableError)).toBe(true);
    await tick();
    held[1].ok();
    expect(await next).toBe(true);
  });

  it("runs a statement again after a deadlock (it had no effect), at most three times", async () => {
    let calls = 0;
    const deadlock = () => Object.assign(new Error("deadlock detected"), { code: "40P01" });
    const flaky: Sql = {
      query: async ({ values }) => {
        calls++;
        if (calls < 3) throw deadlock();
        return { rows: (values[0] as string[]).map((gameId) => ({ gameId })), rowCount: (values[0] as string[]).length };
      },
    };
    const gc = new GroupCommit(flaky);
    expect(await gc.commit(moveWrite("a"))).toBe(true);
    expect(gc.stats.retries).toBe(2);

    const always: Sql = {
      query: async () => {
        throw deadlock();
      },
    };
    const stuck = new GroupCommit(always);
    await expect(stuck.commit(moveWrite("a"))).rejects.toThrow("deadlock detected");
    expect(stuck.stats.retries).toBe(3);
  });

  it("drained() resolves once every move handed in has settled", async () => {
    const { pool, held } = heldPool();
    const gc = new GroupCommit(pool, { concurrency: 1 });
    await gc.drained(); // nothing pending
    const moves = ["a", "b"].map((g) => gc.commit(moveWrite(g)));
    let drained = false;
    const done = gc.drained().then(() => {
      drained = true;
    });
    await tick();
    expect(drained).toBe(false);
    held[0].ok();
    await done;
    expect(await Promise.all(moves)).toEqual([true, true]);
  });

  it("binds one array per column, nulls for a game that goes on", () => {
    const end = {
      ...moveWrite("b", 7),
      ending: { status: "finished" as const, result: { winner: 1 as const, reason: "connect-four" as const }, endedAt: 5 },
    };
    const cols = columnsOf([moveWrite("a", 2), end]);
    expect(cols).toHaveLength(16);
    expect(cols[0]).toEqual(["a", "b"]);
    expect(cols[1]).toEqual([2, 7]);
    expect(cols[2]).toEqual(["1", "1"]); // fences as text: int8 without BigInt serialisation
    expect(cols.slice(12)).toEqual([
      ["active", "finished"],
      [null, 1],
      [null, "connect-four"],
      [null, 5],
    ]);
  });
});
