/**
 * HTTP metrics (route patterns as labels, 429s as rate-limit refusals) on a
 * real express app, and the metrics listener on its own port.
 */
import { createServer, type Server } from "node:http";
import express from "express";
import { rateLimit } from "express-rate-limit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpMetrics } from "./http.ts";
import { createMetrics } from "./metrics.ts";
import { serveMetrics } from "./server.ts";

const log = pino({ level: "silent" });

describe("HTTP metrics", () => {
  const m = createMetrics({ defaults: false });
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(httpMetrics(m));
    app.get("/healthz", (_req, res) => void res.json({ ok: true }));
    const api = express.Router();
    api.use("/limited", rateLimit({ windowMs: 60_000, limit: 1, handler: (_req, res) => void res.status(429).end() }));
    api.get("/limited", (_req, res) => void res.json({}));
    api.get("/games/:id", (req, res) => {
      // Answered later, as the async API routes are: the label must still be the pattern.
      setTimeout(() => res.json({ id: req.params.id }), 5);
    });
    app.use("/api", api);
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function count(labels: Record<string, string>): Promise<number> {
    const values = (await m.httpRequests.get()).values;
    const matches = (l: Record<string, unknown>) => Object.entries(labels).every(([k, x]) => l[k] === x);
    return values.filter((v) => matches(v.labels)).reduce((n, v) => n + v.value, 0);
  }

  it("labels requests by route pattern and status, never by raw path", async () => {
    for (const id of ["abc123", "def456", "ghi789"]) expect((await fetch(`${base}/api/games/${id}`)).status).toBe(200);
    await fetch(`${base}/healthz`);
    await fetch(`${base}/no/such/path`);
    expect(await count({ method: "GET", route: "/api/games/:id", status: "200" })).toBe(3);
    expect(await count({ route: "/healthz", status: "200" })).toBe(1);
    expect(await count({ route: "unmatched", status: "404" })).toBe(1);
    const text = await m.registry.metrics();
    expect(text).not.toContain("abc123");
    expect(text).toMatch(/tabula_http_request_duration_seconds_count\{route="\/api\/games\/:id"\} 3/);
  });

  it("counts 429 answers as rate-limit refusals, labelled by the limiter's mount point", async () => {
    expect((await fetch(`${base}/api/limited`)).status).toBe(200);
    expect((await fetch(`${base}/api/limited`)).status).toBe(429);
    const limited = (await m.rateLimited.get()).values;
    expect(limited).toEqual([expect.objectContaining({ value: 1, labels: { route: "/api/limited" } })]);
  });
});

describe("metrics listener", () => {
  it("serves GET /metrics on its own port (0: any free one) and nothing else", async () => {
    const m = createMetrics({ defaults: false });
    m.movesCommitted.inc(7);
    const listener = await serveMetrics(m, { host: "127.0.0.1", port: 0, log });
    if (!listener) throw new Error("not listening");
    try {
      const r = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/plain");
      expect(await r.text()).toContain("tabula_moves_committed_total 7");
      expect((await fetch(`http://127.0.0.1:${listener.port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${listener.port}/metrics`, { method: "POST" })).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it("leaves a node without metrics, not down, when the port is taken", async () => {
    const first = await serveMetrics(createMetrics({ defaults: false }), { host: "127.0.0.1", port: 0, log });
    if (!first) throw new Error("not listening");
    const warnings: string[] = [];
    const spy = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
    try {
      const second = await serveMetrics(createMetrics({ defaults: false }), { host: "127.0.0.1", port: first.port, log: spy });
      expect(second).toBeUndefined();
      expect(warnings.join("")).toContain("metrics port already in use");
    } finally {
      await first.close();
    }
  });
});
