/** redis-server for a local cluster: started on loopback without persistence, checked with ioredis. */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Redis } from "ioredis";
import { exitedError } from "./http.ts";
import { type LineSink, prefixedSink } from "./output.ts";
import { onFreePort } from "./ports.ts";
import { findCommand, indent, type ManagedProcess, sleep, spawnProcess } from "./spawn.ts";

export interface RedisHandle {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Whether the Redis at `url` answers PING within `timeoutMs` (default 1 s); false when it is down. */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  return (await askRedis(url, timeoutMs, async (r) => (await r.ping()) === "PONG")) === true;
}

/** The process id of the redis-server answering at `url` (INFO server), or null when none answers. */
export function redisPid(url: string, timeoutMs = 1_000): Promise<number | null> {
  return askRedis(url, timeoutMs, async (r) => Number(/^process_id:(\d+)/m.exec(await r.info("server"))?.[1]) || null);
}

/** One question to the Redis at `url` on a fresh connection that never retries; null when it does not answer. */
export async function askRedis<T>(url: string, timeoutMs: number, question: (r: Redis) => Promise<T>): Promise<T | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => {}); // a refused connection is an answer here, not a crash
  try {
    await redis.connect();
    return await question(redis);
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

/**
 * Start redis-server on 127.0.0.1:`port` (default: a free port, another one if
 * it is taken meanwhile), working dir `dir` (created), no persistence
 * (`--save "" --appendonly no`); resolves once it answers PING.
 */
export function startRedis(opts: {
  port?: number;
  dir: string;
  output?: LineSink;
  /** Called right after the spawn, before waiting (track it for clean-up). */
  onSpawn?: (p: ManagedProcess) => void;
  command?: string;
  timeoutMs?: number;
  /** Label of its output lines and errors (default "redis"). */
  name?: string;
  /** More redis-server arguments (e.g. `--replicaof 127.0.0.1 6390`). */
  args?: string[];
}): Promise<RedisHandle> {
  mkdirSync(opts.dir, { recursive: true });
  return onFreePort(opts.port, async (port) => {
    const proc = spawnProcess({
      name: opts.name ?? "redis",
      command: opts.command ?? findCommand("redis-server") ?? "redis-server",
      args: [
        ...["--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "yes", "--dir", resolve(opts.dir)],
        ...["--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "", "--loglevel", "warning"],
        ...(opts.args ?? []),
      ],
      output: opts.output ?? prefixedSink(opts.name ?? "redis"),
      onSpawn: opts.onSpawn,
    });
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    // Ours, not another redis-server that already had this port (then ours exits: "Address already in use").
    while ((await redisPid(url, 500)) !== proc.pid) {
      if (proc.hasExited()) throw await exitedError(proc, "during start-up");
      if (Date.now() > deadline) {
        await proc.stop(2_000);
        throw new Error(`redis-server did not answer PING on port ${port}:\n${indent(proc.output())}`);
      }
      await sleep(50);
    }
    return { url, port, process: proc, stop: () => proc.stop(5_000).then(() => {}) };
  });
}
