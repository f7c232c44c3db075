import { describe, expect, it } from "vitest";
import { gameIdTime, gameIdTimePrefix, ID_ALPHABET, ID_EPOCH_MS, newGameId, OLD_ID_ALPHABET } from "./gameId.ts";

/** Byte-order comparison, as PostgreSQL's COLLATE "C" compares. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("game ids", () => {
  it("are 13 characters of [1-9a-z], fit the VarChar(16) column and the API's id pattern", () => {
    for (let i = 0; i < 200; i++) {
      const id = newGameId();
      expect(id).toMatch(/^1[2-9a-km-z]{12}$/);
      expect(id).toMatch(/^[a-z0-9]{4,16}$/);
    }
  });

  it("the alphabet is in byte order and has no 1", () => {
    expect([...ID_ALPHABET].sort(byteOrder).join("")).toBe(ID_ALPHABET);
    expect(new Set(ID_ALPHABET).size).toBe(33);
    expect(ID_ALPHABET).not.toContain("1");
    expect([...OLD_ID_ALPHABET].sort().join("")).toBe([...ID_ALPHABET].sort().join(""));
  });

  it("sort in byte order as their creation times do, across seconds, days and years", () => {
    // One id per second (ids of the same second are ordered by their random tails).
    const times = [0, 1000, 32_000, 33_000, 86_400_000, 31 * 86_400_000, 400 * 86_400_000, 40 * 365 * 86_400_000].map(
      (d) => ID_EPOCH_MS + d,
    );
    const ids = times.map((t) => newGameId(t));
    expect([...ids].sort(byteOrder)).toEqual(ids);
    for (let i = 1; i < times.length; i++) {
      expect(byteOrder(gameIdTimePrefix(times[i - 1]), gameIdTimePrefix(times[i]))).toBeLessThan(0);
    }
    expect(gameIdTimePrefix(ID_EPOCH_MS + 999)).toBe(gameIdTimePrefix(ID_EPOCH_MS));
  });

  it("an id lies between the prefixes of its month's first second and the next month's", () => {
    const start = Date.UTC(2026, 11, 1);
    const next = Date.UTC(2027, 0, 1);
    for (const t of [start, start + 1, next - 1]) {
      const id = newGameId(t);
      expect(byteOrder(id, gameIdTimePrefix(start))).toBeGreaterThanOrEqual(0);
      expect(byteOrder(id, gameIdTimePrefix(next))).toBeLessThan(0);
    }
    expect(byteOrder(newGameId(next), gameIdTimePrefix(next))).toBeGreaterThanOrEqual(0);
  });

  it("every time-ordered id sorts before every old random id", () => {
    const last = newGameId(ID_EPOCH_MS + (33 ** 6 - 1) * 1000);
    expect(last.startsWith("1zzzzzz")).toBe(true);
    for (const first of OLD_ID_ALPHABET) expect(byteOrder(last, `${first}22222222`)).toBeLessThan(0);
    expect(byteOrder(last, "2")).toBeLessThan(0);
  });

  it("the time part reads back; out-of-range times are refused", () => {
    const t = Date.UTC(2026, 11, 1, 19, 30, 12);
    expect(gameIdTime(newGameId(t))).toBe(t);
    expect(gameIdTime(newGameId(t + 999))).toBe(t);
    expect(gameIdTime("abcdefghij")).toBeNull();
    expect(() => gameIdTimePrefix(ID_EPOCH_MS - 1000)).toThrow(RangeError);
    expect(() => gameIdTimePrefix(ID_EPOCH_MS + 33 ** 6 * 1000)).toThrow(RangeError);
  });
});
