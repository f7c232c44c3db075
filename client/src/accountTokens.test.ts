/** The browser's account session (accountTokens.ts): renewal before expiry, single flight, tabs taking turns, loss. */
import type { SessionResponse } from "@tabula/shared/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AccountTokens, REFRESH_RETRY_MS, refreshTime, SESSION_KEY, SessionLostError } from "./accountTokens.ts";

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
}

const T0 = 1_800_000_000_000;
const TTL = 900_000;
let issued = 0;
/** What the server answers: a pair issued at the fake clock's now. */
function pair(): SessionResponse {
  issued++;
  return {
    token: `access-${issued}`,
    tokenExpiresAt: Date.now() + TTL,
    refreshToken: `refresh-${issued}`,
    refreshExpiresAt: Date.now() + 30 * 86_400_000,
    player: { id: "p1", name: "Ann", account: true },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  issued = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(storage = memoryStorage(), refresh = vi.fn(async (_rt: string) => pair())) {
  const changed = vi.fn();
  const tokens = new AccountTokens({ storage, refresh, changed, lock: (fn) => fn() });
  return { tokens, storage, refresh, changed };
}

describe("refreshTime", () => {
  it("renews a minute before a 15-minute token expires, a quarter of the life before a short one", () => {
    expect(refreshTime(T0 + 900_000, T0)).toBe(T0 + 840_000);
    expect(refreshTime(T0 + 20_000, T0)).toBe(T0 + 15_000);
  });
});

describe("AccountTokens", () => {
  it("renews the access token on a timer a minute before it expires, and again after that", async () => {
    const { tokens, refresh, changed } = setup();
    tokens.adopt(pair());
    await vi.advanceTimersByTimeAsync(839_000);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresh).toHaveBeenCalledWith("refresh-1");
    expect(tokens.session?.token).toBe("access-2");
    expect(changed).toHaveBeenLastCalledWith(expect.objectContaining({ token: "access-2", refreshToken: "refresh-2" }));
    await vi.advanceTimersByTimeAsync(840_000);
    expect(refresh).toHaveBeenLastCalledWith("refresh-2");
    expect(tokens.session?.token).toBe("access-3");
  });

  it("fresh() answers the current token until its renewal time, then renews first", async () => {
    const { tokens, refresh } = setup();
    tokens.adopt(pair());
    expect(await tokens.fresh()).toBe("access-1");
    vi.setSystemTime(T0 + 850_000); // past refreshAt, the timer not run yet (e.g. a sleeping laptop)
    expect(await tokens.fresh()).toBe("access-2");
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("never spends one refresh token twice: concurrent renewals share one request", async () => {
    const { tokens, refresh } = setup();
    tokens.adopt(pair());
    const all = await Promise.all([tokens.refreshNow(), tokens.refreshNow(), tokens.refreshNow()]);
    expect(all).toEqual(["access-2", "access-2", "access-2"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("a tab that waited for another's renewal adopts the stored session instead of spending the old token", async () => {
    const storage = memoryStorage();
    const a = setup(storage);
    a.tokens.adopt(pair());
    const b = setup(storage, a.refresh);
    b.tokens.load();
    await a.tokens.refreshNow(); // tab A renews: refresh-1 is spent, refresh-2 stored
    expect(await b.tokens.refreshNow()).toBe("access-2");
    expect(a.refresh).toHaveBeenCalledTimes(1);
    expect(b.changed).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: "refresh-2" }));
  });

  it("a refused refresh token ends the session: forgotten, announced, SessionLostError", async () => {
    const refused = vi.fn(async () => {
      throw Object.assign(new Error("this refresh token was already used"), { status: 401 });
    });
    const { tokens, storage, changed } = setup(memoryStorage(), refused);
    tokens.adopt(pair());
    await expect(tokens.refreshNow()).rejects.toBeInstanceOf(SessionLostError);
    expect(tokens.session).toBeNull();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    expect(changed).toHaveBeenCalledWith(null);
    await expect(tokens.fresh()).rejects.toBeInstanceOf(SessionLostError);
  });

  it("without a network, keeps the session and tries again in a few seconds", async () => {
    let down = true;
    const flaky = vi.fn(async () => {
      if (down) throw Object.assign(new Error("cannot reach the server"), { status: 0 });
      return pair();
    });
    const { tokens } = setup(memoryStorage(), flaky);
    tokens.adopt(pair());
    await vi.advanceTimersByTimeAsync(840_000);
    expect(flaky).toHaveBeenCalledTimes(1);
    expect(tokens.session?.token).toBe("access-1");
    down = false;
    await vi.advanceTimersByTimeAsync(REFRESH_RETRY_MS);
    expect(flaky).toHaveBeenCalledTimes(2);
    expect(tokens.session?.token).toBe("access-2");
  });

  it("a reload finds the stored session; one whose refresh token expired is dropped", () => {
    const storage = memoryStorage();
    setup(storage).tokens.adopt(pair());
    expect(setup(storage).tokens.load()?.token).toBe("access-1");
    vi.setSystemTime(T0 + 31 * 86_400_000);
    expect(setup(storage).tokens.load()).toBeNull();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });
});
