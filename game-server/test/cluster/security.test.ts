/**
 * Security hardening across a real cluster (redis-server, nginx, two nodes):
 * the HTTP rate limits are counted in Redis, so a client over the limit is
 * refused whichever node it reaches, and a Redis outage neither crashes nor
 * holds a request.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/cluster.ts";

const API_LIMIT = 30;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, env: { API_RATE_PER_MIN: String(API_LIMIT) } });
});
afterAll(async () => {
  await cluster?.stop();
});

/**
 * GET `path` on `base`, as client address `ip` when given: a node trusts X-Forwarded-For from loopback
 * (nginx's), so straight to a node it names the client; through nginx the client is 127.0.0.1.
 */
async function get(base: string, path: string, ip?: string): Promise<{ status: number; body: unknown; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(base + path, { headers: ip ? { "x-forwarded-for": ip } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - t0 };
}

const limited = { error: { code: "RATE_LIMITED", message: expect.any(String) } };

describe("shared rate limits", () => {
  it("a client over the API limit through nginx is refused 429 RATE_LIMITED by every node", async () => {
    for (let i = 0; i < API_LIMIT; i++) {
      const r = await get(cluster.url, "/api/games/meta");
      expect(r.status, `request ${i + 1} of ${API_LIMIT}`).toBe(200);
    }
    for (const base of [cluster.url, ...cluster.nodes.map((n) => n.url)]) {
      const r = await get(base, "/api/games/meta");
      expect(r.status, base).toBe(429);
      expect(r.body).toEqual(limited);
    }
  });

  it("requests spread evenly over the nodes count once: per-node counters would each have seen half the limit", async () => {
    const ip = "198.51.100.7";
    const [n1, n2] = cluster.nodes.map((n) => n.url);
    for (let i = 0; i < API_LIMIT; i++) {
      const r = await get(i % 2 ? n2 : n1, "/api/games/meta", ip);
      expect(r.status, `request ${i + 1} of ${API_LIMIT}`).toBe(200);
    }
    for (const base of [n1, n2]) {
      const r = await get(base, "/api/games/meta", ip);
      expect(r.status, base).toBe(429);
      expect(r.body).toEqual(limited);
    }
    // Another client is not affected.
    expect((await get(n1, "/api/games/meta", "198.51.100.8")).status).toBe(200);
  });

  it("while Redis is down a node still answers at once, counting on its own, and counts in Redis again when it is back", async () => {
    const ip = "198.51.100.9";
    await cluster.stopRedis();
    try {
      const r = await get(cluster.nodes[0].url, "/api/games/meta", ip);
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThan(2_000);
    } finally {
      await cluster.startRedis();
    }
    // Back in Redis (once the node has reconnected: waited for by condition), its counter is there again.
    const redis = new Redis(cluster.redis.url, { lazyConnect: true });
    try {
      await redis.connect();
      const key = "tabula:rl:api:198.51.100.10";
      const deadline = Date.now() + 30_000;
      while (!(await redis.exists(key)) && Date.now() < deadline) {
        expect((await get(cluster.nodes[0].url, "/api/games/meta", "198.51.100.10")).status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await redis.exists(key)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});
