import { describe, expect, it } from "vitest";
import { Api, ApiError } from "./api.ts";

function memoryStorage(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    m,
  };
}

type Handler = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
) => { status: number; body: unknown };

function fakeFetch(handler: Handler): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const r = handler(
      init?.method ?? "GET",
      url.replace(/^.*\/api/, ""),
      headers,
      init?.body ? JSON.parse(String(init.body)) : undefined,
    );
    return new Response(JSON.stringify(r.body), { status: r.status, headers: { "Content-Type": "application/json" } });
  }) as typeof fetch;
}

let guests = 0;
const server: Handler = (method, path, headers, body) => {
  if (method === "POST" && path === "/guest") {
    guests++;
    const name = (body as { name?: string }).name ?? `Guest ${guests}`;
    return { status: 200, body: { token: `tok-${guests}`, player: { id: `p${guests}`, name } } };
  }
  if (path === "/me") {
    return headers.Authorization === "Bearer good"
      ? { status: 200, body: { id: "p0", name: "Stored" } }
      : { status: 401, body: { error: { code: "UNAUTHENTICATED", message: "unknown player" } } };
  }
  if (path === "/stats") return { status: 503, body: { error: { code: "UNAVAILABLE", message: "db down" } } };
  return { status: 404, body: { error: { code: "NOT_FOUND", message: "no such endpoint" } } };
};

describe("Api identity", () => {
  it("keeps a stored token the server still accepts", async () => {
    const storage = memoryStorage({ "tabula.token": "good" });
    const api = new Api("", { storage, fetchFn: fakeFetch(server) });
    expect(await api.ensureIdentity()).toEqual({ token: "good", id: "p0", name: "Stored" });
  });
  it("replaces an unknown token by a new guest, stored for the next visit", async () => {
    const storage = memoryStorage({ "tabula.token": "stale" });
    const api = new Api("", { storage, fetchFn: fakeFetch(server) });
    const id = await api.ensureIdentity();
    expect(id.token).toMatch(/^tok-/);
    expect(storage.m.get("tabula.token")).toBe(id.token);
  });
  it("lets a chosen name win over a guest being created at the same time", async () => {
    // The anonymous guest's answer arrives after the named one.
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: typeof fetch = async (input, init) => {
      const body = init?.body ? JSON.parse(String(init.body)) : {};
      if (!body.name) await gate;
      return fakeFetch(server)(input, init);
    };
    const api = new Api("", { storage: memoryStorage(), fetchFn: slow });
    const loading = api.ensureIdentity();
    const named = await api.newGuest("Alice");
    release();
    expect(await loading).toEqual(named);
    expect(api.identity?.name).toBe("Alice");
  });
  it("turns error bodies into ApiError", async () => {
    const api = new Api("", { storage: null, fetchFn: fakeFetch(server) });
    await expect(api.stats()).rejects.toMatchObject({ status: 503, code: "UNAVAILABLE", message: "db down" });
    await expect(api.stats()).rejects.toBeInstanceOf(ApiError);
  });
});

describe("request deadlines", () => {
  /** A fetch that never answers, but gives up when its signal aborts (as a browser's does). */
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
    });

  it("gives up a request nobody answers (a stalled node behind nginx) with a TIMEOUT error", async () => {
    const api = new Api("", { storage: null, fetchFn: hanging });
    const err = (await api.request("GET", "/stats", undefined, { timeoutMs: 20 }).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code]).toEqual([0, "TIMEOUT"]);
  });

  it("a caller's own abort is passed through as is, not a timeout", async () => {
    const api = new Api("", { storage: null, fetchFn: hanging });
    const ctl = new AbortController();
    const p = api.request("GET", "/live-games", undefined, { signal: ctl.signal, timeoutMs: 10_000 });
    ctl.abort();
    const err = (await p.catch((e) => e)) as Error;
    expect(err).not.toBeInstanceOf(ApiError);
    expect(err.name).toBe("AbortError");
  });

  it("a network failure is NETWORK", async () => {
    const api = new Api("", {
      storage: null,
      fetchFn: async () => {
        throw new TypeError("failed to fetch");
      },
    });
    const err = (await api.stats().catch((e) => e)) as ApiError;
    expect([err.status, err.code]).toEqual([0, "NETWORK"]);
  });
});

describe("stillHere", () => {
  it("tells the server with our token (so a lobby viewer stays counted online); nothing without an identity", async () => {
    const calls: Array<[string, string | undefined]> = [];
    const api = new Api("", {
      storage: null,
      fetchFn: fakeFetch((method, path, headers) => {
        calls.push([`${method} ${path}`, headers.Authorization]);
        return { status: 200, body: { id: "p1", name: "Ann" } };
      }),
    });
    await api.stillHere();
    expect(calls).toEqual([]);
    api.identity = { token: "tok", id: "p1", name: "Ann" };
    await api.stillHere();
    expect(calls).toEqual([["GET /me", "Bearer tok"]]);
  });
});
