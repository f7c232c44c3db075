/**
 * Api with accounts (api.ts over accountTokens.ts): login and reload, a 401 renews the access token and retries
 * once, a refused refresh becomes a guest, room joins get a renewed token, register/claim, logout.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Api, ApiError } from "./api.ts";
import { SESSION_KEY } from "./accountTokens.ts";

function memoryStorage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
}

interface Call {
  method: string;
  path: string;
  auth: string | undefined;
  body: unknown;
}

/** A fake server: accounts, tokens that the test can expire, and a log of every call. */
function fakeServer() {
  const calls: Call[] = [];
  const valid = new Set<string>();
  const refreshable = new Set<string>();
  let n = 0;
  const session = (name = "Ann") => {
    n++;
    valid.add(`acc-${n}`);
    refreshable.add(`ref-${n}`);
    return {
      token: `acc-${n}`,
      tokenExpiresAt: Date.now() + 900_000,
      refreshToken: `ref-${n}`,
      refreshExpiresAt: Date.now() + 30 * 86_400_000,
      player: { id: "p-ann", name, account: true },
    };
  };
  const answer = (c: Call): { status: number; body: unknown } => {
    const bearer = c.auth?.replace(/^Bearer /, "");
    const unauth = { status: 401, body: { error: { code: "UNAUTHENTICATED", message: "identity token expired" } } };
    if (c.path === "/guest") {
      n++;
      valid.add(`guest-${n}`);
      return { status: 200, body: { token: `guest-${n}`, player: { id: `g${n}`, name: `Guest ${n}` } } };
    }
    if (c.path === "/sessions") {
      const b = c.body as { password: string };
      if (b.password !== "right password")
        return { status: 401, body: { error: { code: "BAD_CREDENTIALS", message: "wrong name or password" } } };
      return { status: 200, body: session() };
    }
    if (c.path === "/accounts") return { status: 201, body: session((c.body as { name: string }).name) };
    if (c.path === "/sessions/refresh") {
      const rt = (c.body as { refreshToken: string }).refreshToken;
      if (!refreshable.delete(rt))
        return { status: 401, body: { error: { code: "BAD_REFRESH_TOKEN", message: "log in again" } } };
      return { status: 200, body: session() };
    }
    if (c.path === "/sessions/logout") return { status: 200, body: { revoked: true } };
    if (!bearer || !valid.has(bearer)) return unauth;
    if (c.path === "/me")
      return {
        status: 200,
        body: { id: bearer.startsWith("acc") ? "p-ann" : "g", name: "Ann", account: bearer.startsWith("acc") },
      };
    if (c.path === "/games?mine=1") return { status: 200, body: { games: [], by: bearer } };
    return { status: 404, body: { error: { code: "NOT_FOUND", message: "no" } } };
  };
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const c: Call = {
      method: init?.method ?? "GET",
      path: String(input).replace(/^.*\/api/, ""),
      auth: headers.Authorization,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(c);
    const r = answer(c);
    return new Response(JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;
  return { calls, valid, refreshable, fetchFn };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const make = (storage = memoryStorage(), server = fakeServer()) => ({
  api: new Api("", { storage, fetchFn: server.fetchFn, tokens: { lock: (fn) => fn() } }),
  storage,
  server,
});

describe("Api with an account", () => {
  it("logs in, and a reload of the page is still logged in", async () => {
    const { api, storage, server } = make();
    await api.ensureIdentity();
    const me = await api.login("ann", "right password");
    expect(me).toEqual({ token: "acc-2", id: "p-ann", name: "Ann", account: true });
    expect(storage.getItem("tabula.token")).toBe("acc-2");
    const reloaded = make(storage, server).api;
    expect(await reloaded.ensureIdentity()).toEqual({ token: "acc-2", id: "p-ann", name: "Ann", account: true });
  });

  it("a wrong password or a throttle is an ApiError with the server's words", async () => {
    const { api } = make();
    await expect(api.login("ann", "wrong")).rejects.toEqual(new ApiError(401, "BAD_CREDENTIALS", "wrong name or password"));
  });

  it("a 401 on a request renews the access token and retries once, with the new token", async () => {
    const { api, server } = make();
    await api.login("ann", "right password");
    server.valid.clear(); // the access token was refused (e.g. the server's clock says it expired)
    const res = await api.myGames();
    expect(res).toEqual({ games: [], by: "acc-2" });
    const paths = server.calls.map((c) => `${c.path} ${c.auth ?? ""}`);
    expect(paths.slice(-3)).toEqual(["/games?mine=1 Bearer acc-1", "/sessions/refresh ", "/games?mine=1 Bearer acc-2"]);
  });

  it("retries only once: a second 401 is the caller's error", async () => {
    const { api, server } = make();
    await api.login("ann", "right password");
    server.valid.clear();
    const before = server.calls.length;
    const realAdd = server.valid.add.bind(server.valid);
    server.valid.add = () => server.valid; // renewed tokens are refused too
    await expect(api.myGames()).rejects.toMatchObject({ status: 401, code: "UNAUTHENTICATED" });
    server.valid.add = realAdd;
    expect(server.calls.slice(before).map((c) => c.path)).toEqual(["/games?mine=1", "/sessions/refresh", "/games?mine=1"]);
  });

  it("when the session was ended elsewhere (refresh refused), goes on as a new guest", async () => {
    const { api, server, storage } = make();
    await api.login("ann", "right password");
    server.valid.clear();
    server.refreshable.clear();
    const shown: Array<boolean | undefined> = [];
    api.onIdentity = (id) => shown.push(id.account);
    const res = await api.myGames();
    expect(api.identity?.account).toBeFalsy();
    expect(res).toEqual({ games: [], by: api.identity?.token });
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    // One new guest, announced (the lobby shows it), not one per caller.
    expect(shown).toEqual([undefined]);
    expect(server.calls.filter((c) => c.path === "/guest")).toHaveLength(1);
  });

  it("a session lost to the renewal timer becomes a guest at once, announced", async () => {
    const { api, server } = make();
    await api.login("ann", "right password");
    const shown: Array<boolean | undefined> = [];
    api.onIdentity = (id) => shown.push(id.account);
    server.refreshable.clear(); // e.g. the password was changed on another device
    server.valid.clear();
    await vi.advanceTimersByTimeAsync(840_000);
    expect(shown).toEqual([undefined]);
    expect(api.identity?.account).toBeFalsy();
  });

  it("a room join asks for the token at the time: renewed when about to expire", async () => {
    const { api } = make();
    await api.login("ann", "right password");
    expect(await api.freshToken()).toBe("acc-1");
    vi.setSystemTime(Date.now() + 850_000);
    expect(await api.freshToken()).toBe("acc-2");
  });

  it("a raw request (e.g. chat's) also sends a renewed access token once the old one is about to expire", async () => {
    const { api, server } = make();
    await api.login("ann", "right password");
    vi.setSystemTime(Date.now() + 850_000);
    await api.request("GET", "/games?mine=1");
    expect(server.calls.at(-1)?.auth).toBe("Bearer acc-2");
  });

  it("registers a new account without the guest's token when not claiming", async () => {
    const { api, server } = make();
    await api.ensureIdentity();
    const me = await api.register("Bob", "long password", false);
    expect(server.calls.at(-1)).toMatchObject({
      path: "/accounts",
      auth: undefined,
      body: { name: "Bob", password: "long password" },
    });
    expect(me).toMatchObject({ name: "Bob", account: true });
  });

  it("claims with the guest's Bearer token", async () => {
    const { api, server } = make();
    const guest = await api.ensureIdentity();
    await api.register("Cid", "long password", true);
    expect(server.calls.at(-1)).toMatchObject({ path: "/accounts", auth: `Bearer ${guest.token}` });
  });

  it("logs out: the server is told, the session forgotten, a new guest plays on", async () => {
    const { api, server, storage } = make();
    await api.login("ann", "right password");
    const guest = await api.logout();
    expect(server.calls.find((c) => c.path === "/sessions/logout")?.body).toEqual({ refreshToken: "ref-1" });
    expect(guest.account).toBeFalsy();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
    expect(storage.getItem("tabula.token")).toBe(guest.token);
  });
});
