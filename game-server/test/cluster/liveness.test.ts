/**
 * Node heartbeats and lease stealing against a real redis-server (the scripts
 * run there): a node is presumed dead when its heartbeat key expires (a stall)
 * or as soon as its process channel loses its subscriber (the process exited),
 * long before its game leases (60 s here) would expire; only then may a
 * survivor take its leases; a stalled holder that wakes finds its lease lost.
 * Each "node" is a Leases + NodeLiveness pair with a subscriber standing in for
 * Colyseus' process channel.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisHandle, silentSink, startRedis } from "../../../compose/processes.ts";
import { createRedisLeases, type Leases } from "../../src/cluster/leases.ts";
import { createNodeLiveness, type NodeLiveness, processChannel } from "../../src/cluster/liveness.ts";

const log = pino({ level: "silent" });
const GAME_LEASE_MS = 60_000;
const ALIVE_TTL_MS = 600;
let redisServer: RedisHandle;
let dir: string;
const open: Redis[] = [];
const closers: Array<() => unknown> = [];

const connect = () => {
  const r = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  open.push(r);
  return r;
};

interface FakeNode {
  processId: string;
  leases: Leases;
  liveness: NodeLiveness;
  /** Stands in for Colyseus' subscription to the process channel (closed when the process exits). */
  sub: Redis;
  lost: string[];
}

async function node(processId: string, withHeartbeat = true): Promise<FakeNode> {
  const redis = connect();
  const sub = connect();
  await sub.subscribe(processChannel(processId));
  // As server.ts wires them: the heartbeat bounds how long a lease is surely ours.
  const aliveUntil = () => liveness.aliveUntil();
  const leases = createRedisLeases({ redis, nodeId: "n", processId, ttlMs: GAME_LEASE_MS, log, aliveUntil });
  const liveness = createNodeLiveness({ redis, nodeId: "n", processId, ttlMs: ALIVE_TTL_MS, log });
  const lost: string[] = [];
  leases.onLost((g) => lost.push(g));
  if (withHeartbeat) await liveness.start();
  closers.push(
    () => leases.close(),
    () => liveness.stop(),
  );
  return { processId, leases, liveness, sub, lost };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-liveness-"));
  redisServer = await startRedis({ dir, output: silentSink });
});
afterAll(async () => {
  for (const c of closers) await c();
  for (const r of open) r.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("node liveness and lease stealing (real Redis)", () => {
  it("a live holder's lease cannot be stolen; acquire keeps our own and refuses another's", async () => {
    const a = await node("live-a");
    const b = await node("live-b");
    expect(await a.leases.acquire("g-live")).toBe(true);
    expect(await a.leases.acquire("g-live")).toBe(true); // ours already (a steal followed by the room's onCreate)
    expect(await b.leases.acquire("g-live")).toBe(false);
    expect(await b.leases.steal("g-live", "live-a")).toBe(false);
    expect((await b.liveness.survey()).alive).toEqual(expect.arrayContaining(["live-b", "live-a"]));
    expect((await b.liveness.survey()).dead).not.toContain("live-a");
    expect(await b.leases.holder("g-live")).toBe("live-a");
    expect(await b.liveness.gamesOf("live-a")).toEqual(["g-live"]);
  });

  it("a stalled node (heartbeat key expired) is presumed dead long before its game leases expire; waking, it finds them lost", async () => {
    // No heartbeat timer: like a SIGSTOPped process, it said it was alive once and then nothing.
    const a = await node("stalled-a", false);
    const b = await node("survivor-b");
    await connect().set(`tabula:alive:stalled-a`, "n", "PX", ALIVE_TTL_MS);
    await connect().sadd("tabula:procs", "stalled-a");
    for (const g of ["s1", "s2", "s3"]) expect(await a.leases.acquire(g)).toBe(true);
    expect((await b.liveness.survey()).dead).not.toContain("stalled-a");
    expect(await b.leases.steal("s1", "stalled-a")).toBe(false);

    // Fresh heartbeat: alive. Once overdue (two beats missed), the verdict waits on Redis: "dead" when the key goes.
    expect(await b.liveness.verdict("stalled-a")).toBe(true);
    await waitFor(
      async () => (await connect().pttl("tabula:alive:stalled-a")) < ALIVE_TTL_MS - 2.5 * b.liveness.beatMs,
      "overdue",
    );
    // (Rejoins waiting on the same node share one watch of its key.)
    const verdict = b.liveness.verdict("stalled-a");
    expect(b.liveness.verdict("stalled-a")).toBe(verdict);
    expect(await verdict).toBe(false);
    expect((await b.liveness.survey()).dead).toContain("stalled-a");
    // Its game leases are still there (60 s), and still its own: the survivor takes them now.
    expect(await b.leases.holder("s1")).toBe("stalled-a");
    expect((await b.liveness.gamesOf("stalled-a")).sort()).toEqual(["s1", "s2", "s3"]);
    expect(await Promise.all(["s1", "s2", "s3"].map((g) => b.leases.steal(g, "stalled-a")))).toEqual([true, true, true]);
    expect(await b.leases.holder("s2")).toBe("survivor-b");
    expect(await b.liveness.gamesOf("stalled-a")).toEqual([]);
    expect(await b.liveness.forget("stalled-a")).toBe(true);

    // It wakes: its heartbeat resumes, and its renewal (at once, on waking: see server.ts) finds every lease someone else's.
    await a.liveness.start();
    await a.leases.renewNow();
    await waitFor(() => a.lost.length === 3, "the woken node to see its leases lost");
    expect(a.lost.sort()).toEqual(["s1", "s2", "s3"]);
    expect(await b.leases.holder("s3")).toBe("survivor-b");
    // Alive again, so nothing more of its can be taken.
    expect(await a.leases.acquire("s4")).toBe(true);
    expect(await b.leases.steal("s4", "stalled-a")).toBe(false);
  });

  it("the heartbeat names the node for /api/nodes, again within a beat after Redis came back empty", async () => {
    const a = await node("named-a");
    const r = connect();
    expect(await r.hget("tabula:nodes", "named-a")).toBe("n");
    await r.del("tabula:nodes");
    await waitFor(async () => (await r.hget("tabula:nodes", "named-a")) === "n", "the next beat to name it again");
    await a.liveness.stop();
    expect(await r.sismember("tabula:procs", "named-a")).toBe(0);
    expect(await r.hget("tabula:nodes", "named-a")).toBeNull();
  });

  it("a lease is surely ours (no fence read needed) only while Redis confirmed both it and our heartbeat within their TTLs", async () => {
    const a = await node("sure-a");
    expect(a.leases.surelyHeld("sure1")).toBe(false); // not ours at all
    expect(await a.leases.acquire("sure1")).toBe(true);
    expect(a.leases.surelyHeld("sure1")).toBe(true);
    await a.leases.release("sure1");
    expect(a.leases.surelyHeld("sure1")).toBe(false);

    // A node whose heartbeat stopped (a stall): its 60 s lease is still in Redis, but a survivor may steal
    // it as soon as the heartbeat key lapses, so after that it is no longer "surely" ours.
    const stalled = await node("sure-stalled");
    expect(await stalled.leases.acquire("sure2")).toBe(true);
    expect(stalled.leases.surelyHeld("sure2")).toBe(true);
    await stalled.liveness.stop(); // no more beats
    await waitFor(() => !stalled.leases.surelyHeld("sure2"), "the heartbeat window to close", ALIVE_TTL_MS * 3);
    expect(await stalled.leases.holder("sure2")).toBe("sure-stalled");

    // Never a heartbeat: never sure.
    const silent = await node("sure-silent", false);
    expect(await silent.leases.acquire("sure3")).toBe(true);
    expect(silent.leases.surelyHeld("sure3")).toBe(false);

    // A lease found lost at renewal is not ours at all.
    const b = await node("sure-b");
    expect(await b.leases.acquire("sure4")).toBe(true);
    await connect().set("tabula:lease:sure4", "n:someone-else", "PX", 60_000);
    await b.leases.renewNow();
    expect(b.lost).toEqual(["sure4"]);
    expect(b.leases.surelyHeld("sure4")).toBe(false);
  });

  it("a node whose process exited (its connection closed) is dead at once, while its heartbeat key still runs", async () => {
    const a = await node("killed-a");
    const b = await node("survivor-c");
    expect(await a.leases.acquire("k1")).toBe(true);
    a.sub.disconnect(); // the kernel closes a killed process's sockets
    await waitFor(async () => (await b.liveness.isAlive("killed-a")) === false, "Redis to drop its subscriber");
    expect(await connect().pttl("tabula:alive:killed-a")).toBeGreaterThan(0);
    expect((await b.liveness.survey()).dead).toContain("killed-a");
    expect(await b.leases.steal("k1", "killed-a")).toBe(true);
    // Exactly one survivor wins a game.
    const c = await node("survivor-d");
    expect(await c.leases.steal("k1", "killed-a")).toBe(false);
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
