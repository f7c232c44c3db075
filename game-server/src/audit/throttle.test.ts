/** The audit log's per-window dedup of flood events and logins. */
import { describe, expect, it } from "vitest";
import type { AuditEventInput } from "./kinds.ts";
import { AuditThrottle } from "./throttle.ts";

const cutoff = (ip: string): AuditEventInput => ({ kind: "ratelimit.cutoff", ip, detail: { limiter: "api" } });
const login = (playerId: string): AuditEventInput => ({ kind: "login", playerId, detail: { name: "p" } });

describe("audit throttle", () => {
  it("writes a flood kind once per (kind, address) per window, then one row with the repeats when the window ends", () => {
    const t = new AuditThrottle({ floodMs: 60_000, loginMs: 3_600_000 });
    expect(t.admit(cutoff("10.0.0.1"), 0)).toMatchObject({ detail: { limiter: "api", count: 1 } });
    for (let i = 1; i <= 500; i++) expect(t.admit(cutoff("10.0.0.1"), i * 10)).toBeUndefined();
    // Another address, another kind: their own windows.
    expect(t.admit(cutoff("10.0.0.2"), 100)).toBeDefined();
    expect(t.admit({ kind: "join.refused", ip: "10.0.0.1", detail: { close: 4400, reason: "x" } }, 100)).toBeDefined();
    expect(t.sweep(59_999)).toEqual([]);
    expect(t.sweep(60_000)).toEqual([{ kind: "ratelimit.cutoff", ip: "10.0.0.1", detail: { limiter: "api", count: 500 } }]);
    // The others saw no repeats: their windows close without a row.
    expect(t.sweep(60_100)).toEqual([]);
    expect(t.open).toBe(0);
    // A new window opens with the next occurrence.
    expect(t.admit(cutoff("10.0.0.1"), 70_000)).toMatchObject({ detail: { count: 1 } });
  });

  it("logs a login once per player per login window, with no closing row", () => {
    const t = new AuditThrottle({ floodMs: 60_000, loginMs: 3_600_000 });
    const a = "00000000-0000-4000-8000-00000000000a";
    expect(t.admit(login(a), 0)).toEqual(login(a));
    expect(t.admit(login(a), 1_000)).toBeUndefined();
    expect(t.admit(login("00000000-0000-4000-8000-00000000000b"), 1_000)).toBeDefined();
    expect(t.sweep(3_600_000, true)).toEqual([]);
    expect(t.admit(login(a), 3_600_001)).toEqual(login(a));
  });

  it("passes other kinds through untouched", () => {
    const t = new AuditThrottle({ floodMs: 60_000, loginMs: 3_600_000 });
    const e: AuditEventInput = { kind: "identity.created", ip: "10.0.0.1", detail: { name: "x" } };
    expect(t.admit(e, 0)).toBe(e);
    expect(t.admit(e, 1)).toBe(e);
    expect(t.open).toBe(0);
  });

  it("past maxKeys open windows, new addresses share one window per kind (a flood from many addresses stays bounded)", () => {
    const t = new AuditThrottle({ floodMs: 60_000, loginMs: 3_600_000, maxKeys: 3 });
    const written = [];
    for (let i = 0; i < 1_000; i++) {
      const e = t.admit(cutoff(`10.0.${i >> 8}.${i & 255}`), i);
      if (e) written.push(e);
    }
    expect(written).toHaveLength(4); // three addresses of their own, then one shared window
    expect(t.open).toBe(4);
    const closing = t.sweep(120_000);
    expect(closing).toHaveLength(1);
    expect(closing[0].detail).toMatchObject({ count: 996 });
    // Logins past the bound are written, not folded into one window (each needs a valid identity).
    const full = new AuditThrottle({ floodMs: 60_000, loginMs: 3_600_000, maxKeys: 1 });
    expect(full.admit(login("00000000-0000-4000-8000-00000000000a"), 0)).toBeDefined();
    expect(full.admit(login("00000000-0000-4000-8000-00000000000b"), 0)).toBeDefined();
    expect(full.admit(login("00000000-0000-4000-8000-00000000000c"), 0)).toBeDefined();
  });
});
