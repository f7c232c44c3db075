/**
 * Accounts across the cluster: two nodes (real processes) sharing one
 * PostgreSQL and one real redis-server. The login throttle counts in Redis, so
 * failures spread over both nodes add up (a guesser cannot multiply its budget
 * by the number of nodes behind nginx); a refresh token rotated through one
 * node is known as spent by the other.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisHandle, startRedis } from "../../../compose/processes.ts";
import { createTestDatabase } from "../support/db.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

let redis: RedisHandle;
let dir: string;
const nodes: NodeProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-accounts-"));
  redis = await startRedis({ dir: join(dir, "redis") });
  const databaseUrl = await createTestDatabase();
  for (const id of ["a1", "a2"]) {
    nodes.push(await spawnNode({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, NODE_ID: id, LOGIN_FAILURES_PER_NAME: "3" }));
  }
});
afterAll(async () => {
  for (const n of nodes) n.child.kill("SIGKILL");
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function post(base: string, path: string, body: unknown, ip: string) {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { refreshToken: string } };
}

describe("accounts on two nodes", () => {
  it("failed logins spread over both nodes add up to one per-name count (in Redis)", async () => {
    const [one, two] = nodes;
    const name = `Shared${Date.now() % 100_000}`;
    expect((await post(one.url, "/api/accounts", { name, password: "the right password" }, "10.30.0.1")).status).toBe(201);
    for (const [i, node] of [one, two, one].entries()) {
      expect((await post(node.url, "/api/sessions", { name, password: `wrong ${i}` }, `10.30.1.${i}`)).status).toBe(401);
    }
    const held = await post(two.url, "/api/sessions", { name, password: "the right password" }, "10.30.2.1");
    expect(held.status).toBe(429);
    expect((held.body.error as { code: string }).code).toBe("LOGIN_THROTTLED");
  });

  it("a refresh token rotated through one node is spent for the other: presenting it there ends the session", async () => {
    const [one, two] = nodes;
    const name = `Rot${Date.now() % 100_000}`;
    const reg = await post(one.url, "/api/accounts", { name, password: "the right password" }, "10.30.3.1");
    const next = await post(two.url, "/api/sessions/refresh", { refreshToken: reg.body.refreshToken }, "10.30.3.1");
    expect(next.status).toBe(200);
    expect((await post(one.url, "/api/sessions/refresh", { refreshToken: reg.body.refreshToken }, "10.30.3.1")).status).toBe(401);
    expect((await post(two.url, "/api/sessions/refresh", { refreshToken: next.body.refreshToken }, "10.30.3.1")).status).toBe(
      401,
    );
  });
});
