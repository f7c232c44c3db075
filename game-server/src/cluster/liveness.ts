/**
 * Node liveness: how survivors learn, well before a game lease runs out, that
 * a node is gone. Each node keeps its own short-lived heartbeat key in Redis
 * (`tabula:alive:<processId>`, TTL `NODE_ALIVE_TTL_MS`, renewed every fifth of
 * it) and lists itself in `tabula:procs`. A node is presumed dead when its
 * heartbeat key has expired (stalled, partitioned) or when Redis no longer
 * sees its Colyseus process channel `p:<processId>` subscribed — the kernel
 * closed its connections, i.e. the process exited (SIGKILL, crash), which is
 * noticed at once.
 *
 * Presuming a live node dead is safe, only wasteful: its games move, its
 * lease renewals report them lost, and PostgreSQL's fencing token refuses any
 * write it still attempts (see leases.ts). That is why the TTL may be short.
 */
import type { Redis } from "ioredis";
import type { Logger } from "../log.ts";

/**
 * Hash: Colyseus process id → NODE_ID, for /api/nodes. Written with every heartbeat, so that a Redis
 * that came back empty learns the names again within a beat.
 */
export const NODES_KEY = "tabula:nodes";
/** Set of the process ids of every node that announced itself (survivors remove dead ones once handled). */
export const PROCS_KEY = "tabula:procs";
/** A node's heartbeat key: exists while the node is alive. */
export const aliveKey = (processId: string) => `tabula:alive:${processId}`;
/** Set of the games a node holds the lease of (a hint for survivors; the leases are the truth). */
export const ownedKey = (processId: string) => `tabula:owned:${processId}`;
/** Colyseus' inter-process channel of a process (MatchMaker's getProcessChannel): subscribed while it runs. */
export const processChannel = (processId: string) => `p:${processId}`;

/**
 * Lua: whether the process ARGV[1] (heartbeat key KEYS[1]) is alive. Shared
 * by the scripts that act on a death, so the check and the act are one atomic
 * step.
 */
export const LUA_IS_ALIVE = `
local function alive(key, pid)
  if redis.call('EXISTS', key) == 0 then return false end
  return redis.call('PUBSUB', 'NUMSUB', 'p:' .. pid)[2] > 0
end
`;

/** Drop a dead process from the registry once no game of its is left to take. 1 forgotten, 0 kept. */
const FORGET = `${LUA_IS_ALIVE}
if alive(KEYS[1], ARGV[1]) then return 0 end
if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`;

export interface NodeLiveness {
  /** This process (Colyseus' process id). */
  readonly processId: string;
  /** Heartbeat key lifetime, ms. */
  readonly ttlMs: number;
  /** How often the heartbeat is renewed, ms (survivors look for dead nodes as often). */
  readonly beatMs: number;
  /**
   * Until when (performance.now() ms) nobody can presume this node dead by its
   * heartbeat: the send time of its last heartbeat that Redis took, plus the TTL.
   * 0 before the first one. (A dropped subscriber connection still makes the node
   * look dead at once; see leases.ts `surelyHeld` for why that is only a delay.)
   */
  aliveUntil(): number;
  /** Announce this node and keep its heartbeat alive until `stop`. */
  start(): Promise<void>;
  /** Whether `processId` is alive; null when Redis cannot say. */
  isAlive(processId: string): Promise<boolean | null>;
  /**
   * Whether `processId` is alive, waiting (at most one TTL) for a verdict when its
   * heartbeat looks overdue: a node that missed two renewals is either stalled (its
   * key will expire) or just slow (it will renew). Null when Redis cannot say.
   */
  verdict(processId: string): Promise<boolean | null>;
  /** Announced nodes, alive (this one included) and presumed dead. Both empty when Redis cannot say. */
  survey(): Promise<{ alive: string[]; dead: string[] }>;
  /** The games a (dead) process held leases of, as it last recorded them. */
  gamesOf(processId: string): Promise<string[]>;
  /** Forget a dead process whose games are all taken; false if it still has some or came back. */
  forget(processId: string): Promise<boolean>;
  /** Stop the heartbeat and withdraw this node (graceful shutdown). */
  stop(): Promise<void>;
}

/**
 * Heartbeat and death detection for this node, process `processId`, with
 * heartbeat keys living `ttlMs` (renewed every ttlMs/5).
 */
export function createNodeLiveness(opts: {
  redis: Redis;
  processId: string;
  nodeId: string;
  ttlMs: number;
  log: Logger;
  /** Called when a beat comes a whole TTL late: this process was stalled and may have been presumed dead. */
  onWake?: (stalledMs: number) => void;
}): NodeLiveness {
  const { redis, processId, ttlMs, log } = opts;
  const beatMs = Math.max(50, Math.floor(ttlMs / 5));
  let timer: NodeJS.Timeout | undefined;
  let lastBeat = 0;
  let aliveUntil = 0;
  const verdicts = new Map<string, Promise<boolean | null>>();

  async function beat(): Promise<void> {
    const now = Date.now();
    if (lastBeat && now - lastBeat > ttlMs) {
      log.warn({ stalledMs: now - lastBeat }, "this node was stalled past its heartbeat: checking which games are still ours");
      opts.onWake?.(now - lastBeat);
    }
    lastBeat = now;
    const sentAt = performance.now();
    try {
      await redis
        .multi()
        .set(aliveKey(processId), opts.nodeId, "PX", ttlMs)
        .sadd(PROCS_KEY, processId)
        .hset(NODES_KEY, processId, opts.nodeId)
        .exec();
      aliveUntil = Math.max(aliveUntil, sentAt + ttlMs);
    } catch (err) {
      // Redis unreachable: nothing to announce to. The fence keeps the log safe meanwhile.
      log.debug({ err: (err as Error).message }, "heartbeat failed");
    }
  }

  async function aliveMany(ids: string[]): Promise<Array<boolean | null>> {
    if (ids.length === 0) return [];
    try {
      const p = redis.pipeline();
      for (const id of ids) p.pttl(aliveKey(id)).pubsub("NUMSUB", processChannel(id));
      const res = (await p.exec()) ?? [];
      return ids.map((_, i) => {
        const [e1, pttl] = res[2 * i] ?? [new Error("no reply")];
        const [e2, numsub] = res[2 * i + 1] ?? [new Error("no reply")];
        if (e1 || e2) return null;
        return (pttl as number) > 0 && Number((numsub as [string, number])[1]) > 0;
      });
    } catch {
      return ids.map(() => null);
    }
  }

  async function watchVerdict(id: string): Promise<boolean | null> {
    const deadline = Date.now() + ttlMs;
    for (;;) {
      let pttl: number;
      try {
        pttl = await redis.pttl(aliveKey(id));
      } catch {
        return null;
      }
      // Renewed within the last two beats (or gone): the answer is clear now.
      if (pttl <= 0 || pttl >= ttlMs - 2 * beatMs || Date.now() >= deadline) return (await aliveMany([id]))[0];
      await new Promise((r) => setTimeout(r, Math.min(50, beatMs)));
    }
  }

  return {
    processId,
    ttlMs,
    beatMs,
    aliveUntil: () => aliveUntil,
    async start() {
      await beat();
      timer = setInterval(() => void beat(), beatMs);
      timer.unref();
    },
    async isAlive(id) {
      return (await aliveMany([id]))[0];
    },
    verdict(id) {
      // Many rejoins may wait on the same node at once: they share one watch of its key.
      let pending = verdicts.get(id);
      if (!pending) {
        pending = watchVerdict(id).finally(() => verdicts.delete(id));
        verdicts.set(id, pending);
      }
      return pending;
    },
    async survey() {
      let ids: string[];
      try {
        ids = (await redis.smembers(PROCS_KEY)).filter((id) => id !== processId);
      } catch {
        return { alive: [], dead: [] };
      }
      const alive = await aliveMany(ids);
      return {
        alive: [processId, ...ids.filter((_, i) => alive[i] === true)],
        dead: ids.filter((_, i) => alive[i] === false),
      };
    },
    async gamesOf(id) {
      try {
        return await redis.smembers(ownedKey(id));
      } catch {
        return [];
      }
    },
    async forget(id) {
      try {
        return (await redis.eval(FORGET, 3, aliveKey(id), ownedKey(id), PROCS_KEY, id)) === 1;
      } catch {
        return false;
      }
    },
    async stop() {
      clearInterval(timer);
      await redis
        .multi()
        .del(aliveKey(processId))
        .srem(PROCS_KEY, processId)
        .hdel(NODES_KEY, processId)
        .exec()
        .catch(() => {});
    },
  };
}
