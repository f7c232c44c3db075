/** The login throttle's counting (auth/loginThrottle.ts) over express-rate-limit's memory store and a fake clock. */
import { MemoryStore } from "express-rate-limit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLoginThrottle } from "./loginThrottle.ts";

const WINDOW = 15 * 60_000;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const make = () =>
  createLoginThrottle({ byName: new MemoryStore(), byIp: new MemoryStore() }, { perName: 5, perIp: 20, windowMs: WINDOW });

describe("login throttle", () => {
  it("allows 5 failures per name, then refuses with the seconds left in the window, and allows again after it", async () => {
    const t = make();
    for (let i = 0; i < 5; i++) {
      expect(await t.check("ann", "1.1.1.1")).toEqual({ ok: true });
      await t.failed("ann", "1.1.1.1");
    }
    expect(await t.check("ann", "2.2.2.2")).toEqual({ ok: false, scope: "name", retryAfterS: 900 });
    vi.advanceTimersByTime(60_000);
    expect(await t.check("ann", "3.3.3.3")).toEqual({ ok: false, scope: "name", retryAfterS: 840 });
    // Another name from the same address is not held back by ann's count.
    expect(await t.check("bob", "1.1.1.1")).toEqual({ ok: true });
    vi.advanceTimersByTime(WINDOW - 60_000);
    expect(await t.check("ann", "1.1.1.1")).toEqual({ ok: true });
  });

  it("allows 20 failures per address across names, then refuses every name from it", async () => {
    const t = make();
    for (let i = 0; i < 20; i++) await t.failed(`user${i}`, "9.9.9.9");
    expect(await t.check("someone-new", "9.9.9.9")).toEqual({ ok: false, scope: "ip", retryAfterS: 900 });
    expect(await t.check("someone-new", "8.8.8.8")).toEqual({ ok: true });
  });

  it("a success clears the name's count but not the address's", async () => {
    const t = make();
    for (let i = 0; i < 4; i++) await t.failed("ann", "1.1.1.1");
    await t.succeeded("ann");
    for (let i = 0; i < 4; i++) await t.failed("ann", "1.1.1.1");
    expect(await t.check("ann", "1.1.1.1")).toEqual({ ok: true });
    for (let i = 0; i < 12; i++) await t.failed(`x${i}`, "1.1.1.1");
    expect((await t.check("ann", "1.1.1.1")).ok).toBe(false);
  });

  it("when both limits hold, answers the longer wait", async () => {
    const t = make();
    for (let i = 0; i < 20; i++) await t.failed(`u${i}`, "1.1.1.1");
    vi.advanceTimersByTime(5 * 60_000);
    for (let i = 0; i < 5; i++) await t.failed("ann", "2.2.2.2");
    expect(await t.check("ann", "1.1.1.1")).toEqual({ ok: false, scope: "name", retryAfterS: 900 });
  });
});
