import type { AddressInfo } from "node:net";
import express from "express";
import { type IncrementResponse, MemoryStore, type Options, type Store } from "express-rate-limit";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { createLogger } from "../log.ts";
import { createRateLimiters, FallbackStore } from "./rateLimit.ts";

const options = { windowMs: 60_000 } as Options;
const quiet = { warn: () => {}, info: () => {} };

/** A shared store whose behaviour the test switches: answering (counting in `counts`), failing, or hanging. */
function fakeShared() {
  const counts = new Map<string, number>();
  const s = {
    mode: "ok" as "ok" | "fail" | "hang",
    inits: 0,
    counts,
    store: {
      localKeys: false,
      prefix: "x:",
      init: () => {
        s.inits++;
        if (s.mode !== "ok") return Promise.reject(new Error("down"));
      },
      increment: (key: string): Promise<IncrementResponse> => {
        if (s.mode === "fail") return Promise.reject(new Error("Connection is closed."));
        if (s.mode === "hang") return new Promise(() => {});
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        return Promise.resolve({ totalHits: n, resetTime: undefined });
      },
      decrement: () => {},
      resetKey: () => {},
    } satisfies Store,
  };
  return s;
}

describe("FallbackStore", () => {
  it("counts in the shared store while it answers", async () => {
    const shared = fakeShared();
    const store = new FallbackStore(shared.store, new MemoryStore(), quiet, 50);
    store.init(options);
    expect((await store.increment("ip")).totalHits).toBe(1);
    expect((await store.increment("ip")).totalHits).toBe(2);
    expect(shared.counts.get("ip")).toBe(2);
    store.shutdown();
  });

  it("counts in memory, without waiting, while the shared store fails, and goes back to it when it answers", async () => {
    const shared = fakeShared();
    const warnings: string[] = [];
    const log = { warn: (...a: unknown[]) => void warnings.push(String(a[1])), info: () => {} };
    const store = new FallbackStore(shared.store, new MemoryStore(), log as never, 50);
    store.init(options);
    await store.increment("ip");
    shared.mode = "fail";
    const t0 = performance.now();
    expect((await store.increment("ip")).totalHits).toBe(1); // the local count starts afresh
    expect((await store.increment("ip")).totalHits).toBe(2);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(warnings).toHaveLength(1); // one line per outage, not per request
    shared.mode = "ok";
    expect((await store.increment("ip")).totalHits).toBe(2);
    store.shutdown();
  });

  it("gives a hanging shared store timeoutMs, then counts in memory (a stalled Redis never holds a request)", async () => {
    const shared = fakeShared();
    const store = new FallbackStore(shared.store, new MemoryStore(), quiet, 50);
    store.init(options);
    shared.mode = "hang";
    const t0 = performance.now();
    expect((await store.increment("ip")).totalHits).toBe(1);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(1_000);
    store.shutdown();
  });

  it("loads the shared store's scripts again when its first load failed (Redis down when the node started)", async () => {
    const shared = fakeShared();
    shared.mode = "fail";
    const store = new FallbackStore(shared.store, new MemoryStore(), quiet, 50);
    store.init(options);
    await new Promise((r) => setImmediate(r));
    expect(shared.inits).toBe(1);
    await store.increment("ip");
    shared.mode = "ok";
    // Retried at most once a second: wait for the retry, checked by condition.
    const deadline = Date.now() + 5_000;
    while (shared.inits < 2 && Date.now() < deadline) {
      await store.increment("ip");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(shared.inits).toBe(2);
    store.shutdown();
  });
});

describe("the client address the limits count (TRUST_PROXY)", () => {
  /** Six requests with six different X-Forwarded-For values to an app limited to 5 a minute: their statuses. */
  async function spoofed(trustProxy: string): Promise<number[]> {
    const app = express();
    app.set("trust proxy", loadConfig({ TRUST_PROXY: trustProxy }).trustProxy); // as server.ts does
    const limits = createRateLimiters({
      apiPerMin: 5,
      guestPerMin: 5,
      log: createLogger({ level: "silent", json: true, nodeId: "t" }),
    });
    app.use(limits.api, (_req, res) => void res.json({ ok: true }));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const { port } = server.address() as AddressInfo;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { "x-forwarded-for": `198.51.100.${i}` } });
        statuses.push(r.status);
      }
      return statuses;
    } finally {
      server.close();
    }
  }

  it("a client that is not a trusted proxy cannot pick its address with X-Forwarded-For", async () => {
    expect(await spoofed("10.9.9.9")).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it("a trusted proxy (loopback by default: nginx on the same machine) names the client", async () => {
    expect(await spoofed("loopback")).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
