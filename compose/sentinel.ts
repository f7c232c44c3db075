/**
 * Redis that survives the loss of its primary, for a local cluster: a primary
 * redis-server, one replica of it, and three redis-sentinel processes that
 * watch the primary under one name and promote the replica when it dies. The
 * nodes connect through the Sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME),
 * never to a server's port directly.
 *
 * Why three Sentinels with a quorum of two: a failover needs the votes of a
 * majority of the Sentinels, so one Sentinel alone is a single point of
 * failure (and its own view of "down" is never checked), and two cannot
 * outvote a dead one. Three on one machine are what Redis' documentation
 * shows for a demo; in production they run on three machines.
 *
 * Why these timings (the defaults are 30 s and 3 min, tuned for WAN links):
 *  - down-after-milliseconds 2000: how long the primary may fail to answer
 *    before a Sentinel calls it down. The Sentinels ping every second, so this
 *    is two missed pings, short enough for matchmaking to answer again within
 *    ~5 s of a crash, long enough that a busy machine's hiccup does not
 *    trigger a failover (one would be safe anyway: Redis holds nothing the
 *    nodes cannot rebuild, and PostgreSQL's fencing token guards every write).
 *  - failover-timeout 5000: a failover that stalled (its elected Sentinel
 *    died, or votes split) is tried again after twice this, 10 s rather than
 *    6 min; the data set is tiny, so the replica reconfiguration it also
 *    bounds takes milliseconds.
 * Neither server persists anything (like startRedis): the replica holds the
 * copy. Replication is asynchronous, so the writes of the last instant before
 * a crash may be missing on the promoted replica (docs/cluster.md says what
 * that costs: nothing acknowledged to a player).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Redis } from "ioredis";
import { exitedError } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { askRedis, type RedisHandle, redisPid, startRedis } from "./redis.ts";
import { findCommand, indent, type ManagedProcess, sleep, spawnProcess } from "./spawn.ts";

/** The name the Sentinels monitor the primary under (REDIS_SENTINEL_NAME's default). */
export const SENTINEL_NAME = "tabula";
/** See the header. */
export const DOWN_AFTER_MS = 2_000;
export const FAILOVER_TIMEOUT_MS = 5_000;
const SENTINELS = 3;
const QUORUM = 2;

export interface SentinelHandle {
  port: number;
  process: ManagedProcess;
}

export interface RedisSentinelGroup {
  /** The two redis-servers, [started as primary, started as replica]; which is primary now: `primary()`. */
  servers: RedisHandle[];
  sentinels: SentinelHandle[];
  name: string;
  /** REDIS_SENTINELS for the nodes: "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3". */
  addresses: string;
  /** The server the Sentinels name as primary now (asked of the first Sentinel that answers); null if none knows. */
  primary(): Promise<RedisHandle | null>;
  /** Stop the servers and the Sentinels (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/**
 * Start a primary and a replica redis-server and three Sentinels on free
 * loopback ports (files in `dir`); resolves once the replica is in sync and
 * every Sentinel sees the replica and the two other Sentinels (a failover
 * could be authorised: SENTINEL CKQUORUM).
 */
export async function startRedisSentinelGroup(opts: {
  dir: string;
  /** Port of the first primary (default: a free one); the others always get free ones. */
  primaryPort?: number;
  output?: (name: string) => LineSink;
  onSpawn?: (p: ManagedProcess) => void;
  redisCommand?: string;
  timeoutMs?: number;
}): Promise<RedisSentinelGroup> {
  const out = opts.output ?? ((name: string) => prefixedSink(name));
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const started: { stop(): Promise<unknown> }[] = [];
  const stopAll = () => Promise.all(started.map((s) => s.stop())).then(() => {});
  try {
    const primary = await startRedis({
      name: "redis-a",
      port: opts.primaryPort,
      dir: join(opts.dir, "a"),
      output: out("redis-a"),
      onSpawn: opts.onSpawn,
      command: opts.redisCommand,
    });
    started.push(primary);
    const replica = await startRedis({
      name: "redis-b",
      dir: join(opts.dir, "b"),
      output: out("redis-b"),
      onSpawn: opts.onSpawn,
      command: opts.redisCommand,
      args: ["--replicaof", "127.0.0.1", String(primary.port)],
    });
    started.push(replica);
    await until(deadline, "the replica to sync with the primary", async () =>
      /master_link_status:up/.test((await ask(replica.port, (r) => r.info("replication"))) ?? ""),
    );

    const sentinels: SentinelHandle[] = [];
    for (let i = 0; i < SENTINELS; i++) {
      const s = await startSentinel({ ...opts, index: i, primaryPort: primary.port, output: out(`sentinel-${i + 1}`) });
      started.push({ stop: () => s.process.stop(5_000) });
      sentinels.push(s);
    }
    for (const s of sentinels) {
      await until(deadline, `sentinel on port ${s.port} to see the replica and the other Sentinels`, async () => {
        const quorum = await ask(s.port, (r) => r.call("SENTINEL", "CKQUORUM", SENTINEL_NAME) as Promise<string>);
        const replicas = (await ask(s.port, (r) => r.call("SENTINEL", "REPLICAS", SENTINEL_NAME))) as string[][] | null;
        return Boolean(quorum?.startsWith(`OK ${SENTINELS} usable`)) && (replicas?.length ?? 0) >= 1;
      });
    }
    const servers = [primary, replica];
    return {
      servers,
      sentinels,
      name: SENTINEL_NAME,
      addresses: sentinels.map((s) => `127.0.0.1:${s.port}`).join(","),
      async primary() {
        for (const s of sentinels) {
          if (s.process.hasExited()) continue;
          const addr = (await ask(s.port, (r) => r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", SENTINEL_NAME))) as
            | string[]
            | null;
          if (addr) return servers.find((srv) => srv.port === Number(addr[1])) ?? null;
        }
        return null;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** One redis-sentinel watching 127.0.0.1:`primaryPort`, its config file (which it rewrites) in `dir`. */
function startSentinel(opts: {
  dir: string;
  index: number;
  primaryPort: number;
  output: LineSink;
  onSpawn?: (p: ManagedProcess) => void;
  redisCommand?: string;
}): Promise<SentinelHandle> {
  const dir = resolve(opts.dir, `sentinel-${opts.index + 1}`);
  mkdirSync(dir, { recursive: true });
  return onFreePort(undefined, async (port) => {
    const conf = join(dir, "sentinel.conf");
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        "daemonize no",
        `dir ${dir}`,
        'logfile ""',
        "loglevel warning",
        `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${opts.primaryPort} ${QUORUM}`,
        `sentinel down-after-milliseconds ${SENTINEL_NAME} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${SENTINEL_NAME} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
        "",
      ].join("\n"),
    );
    const sentinelBin = findCommand("redis-sentinel");
    const proc = spawnProcess({
      name: `sentinel-${opts.index + 1}`,
      command: sentinelBin ?? opts.redisCommand ?? findCommand("redis-server") ?? "redis-server",
      args: sentinelBin ? [conf] : [conf, "--sentinel"],
      output: opts.output,
      onSpawn: opts.onSpawn,
    });
    const deadline = Date.now() + 10_000;
    while ((await redisPid(`redis://127.0.0.1:${port}`, 500)) !== proc.pid) {
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
      if (Date.now() > deadline) {
        await proc.stop(2_000);
        throw new Error(`redis-sentinel did not answer on port ${port}:\n${indent(proc.output())}`);
      }
      await sleep(50);
    }
    return { port, process: proc };
  });
}

/** The topology in two lines (for the cluster's banner): who started as primary, the replica, the Sentinels. */
export function describeSentinelGroup(g: RedisSentinelGroup): string[] {
  const [a, b] = g.servers;
  return [
    `primary 127.0.0.1:${a.port} (redis-a), replica 127.0.0.1:${b.port} (redis-b)`,
    `sentinels ${g.addresses}, name ${g.name}, quorum ${QUORUM}, down after ${DOWN_AFTER_MS} ms`,
  ];
}

/** One question to the server or Sentinel on 127.0.0.1:`port`; null when it does not answer. */
const ask = <T>(port: number, question: (r: Redis) => Promise<T>) => askRedis(`redis://127.0.0.1:${port}`, 1_000, question);

async function until(deadline: number, what: string, ok: () => Promise<boolean>): Promise<void> {
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
