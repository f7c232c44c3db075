/**
 * Ports without races (compose/ports.ts, compose/node.ts): a node started
 * without a port binds port 0 and the port it got is read back; a third-party
 * server whose port is taken fails with a collision, and `onFreePort` then
 * starts it on another port.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isPortCollision, onFreePort, redisAnswers, silentSink, startGameNode, startRedis } from "../../../compose/processes.ts";
import { createTestDatabase } from "../support/db.ts";

const dir = mkdtempSync(join(tmpdir(), "tabula-ports-"));
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** Occupy a loopback port (whoever connects is held, then dropped after the file); resolves with it. */
function occupy(): Promise<number> {
  return new Promise((resolve) => {
    const held: Socket[] = [];
    const s: Server = createServer((c) => void held.push(c));
    s.listen(0, "127.0.0.1", () => {
      cleanups.push(async () => {
        for (const c of held) c.destroy();
        await new Promise((r) => s.close(r));
      });
      resolve((s.address() as { port: number }).port);
    });
  });
}

describe("ports", () => {
  it("redis-server on a taken port fails with a collision; without a port it finds a free one", async () => {
    const taken = await occupy();
    const err = await startRedis({ port: taken, dir: join(dir, "r1"), output: silentSink }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPortCollision(err)).toBe(true);
    const redis = await startRedis({ dir: join(dir, "r2"), output: silentSink });
    cleanups.push(() => redis.stop());
    expect(redis.port).not.toBe(taken);
    expect(await redisAnswers(redis.url)).toBe(true);
  });

  it("onFreePort starts again on another port after a collision, and only after a collision", async () => {
    const tried: number[] = [];
    const port = await onFreePort(undefined, async (p) => {
      tried.push(p);
      if (tried.length === 1) throw new Error(`bind() to 127.0.0.1:${p} failed (98: Address already in use)`);
      return p;
    });
    expect(tried).toHaveLength(2);
    expect(port).toBe(tried[1]);
    await expect(
      onFreePort(undefined, async () => {
        throw new Error("configuration test failed");
      }),
    ).rejects.toThrow("configuration test failed");
  });

  it("a node started without a port binds port 0 and reports the port it got", async () => {
    const node = await startGameNode({
      id: "p1",
      env: {
        DATABASE_URL: await createTestDatabase("p"),
        NODE_ENV: "test",
        CLIENT_DIST: "",
        LOG_LEVEL: "warn",
        TOKEN_SECRET: "ports-tests-secret-0123456789abcdef01",
      },
      output: silentSink,
    });
    cleanups.push(() => node.stop());
    expect(node.port).toBeGreaterThan(0);
    const health = await fetch(`${node.url}/healthz`);
    expect(((await health.json()) as { node: string }).node).toBe("p1");
  });
});
