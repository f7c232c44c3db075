/**
 * The operator page's node table: every node that is announced, heartbeating
 * or publishing figures, with what it says about itself (figures.ts
 * NodeInfo), its Colyseus room counts and the age of its heartbeat in Redis.
 */
import type { AdminNode } from "@tabula/shared/protocol";
import type { Redis } from "ioredis";
import { aliveKey } from "../cluster/liveness.ts";
import type { FiguresSampler, NodeInfo } from "../metrics/figures.ts";

export interface NodeSources {
  figures: Pick<FiguresSampler, "info" | "published">;
  /** Colyseus' stats per process, with NODE_ID (the /api/nodes figures). */
  colyseus: () => Promise<Array<{ nodeId: string; processId: string; rooms: number; ccu: number }>>;
  redis?: Redis;
  /** Heartbeat key lifetime (NODE_ALIVE_TTL_MS): its age is this minus what is left. */
  aliveTtlMs: number;
  now?: () => number;
}

/** The node table, this node first, then by NODE_ID. */
export async function listAdminNodes(src: NodeSources): Promise<AdminNode[]> {
  const now = (src.now ?? Date.now)();
  const self = src.figures.info();
  const [colyseus, published] = await Promise.all([src.colyseus().catch(() => []), src.figures.published()]);
  const infos = new Map<string, NodeInfo | null>([[self.processId, self]]);
  for (const p of published ?? []) if (!infos.has(p.processId)) infos.set(p.processId, p.info);
  const stats = new Map(colyseus.map((c) => [c.processId, c]));
  const ids = [...new Set([...infos.keys(), ...stats.keys()])];
  const ttls = await heartbeatTtls(src.redis, ids);
  const rows = ids.map((processId, i): AdminNode | null => {
    const info = infos.get(processId) ?? null;
    const st = stats.get(processId);
    const ttl = ttls?.[i] ?? null;
    const isSelf = processId === self.processId;
    let status: AdminNode["status"] = "unknown";
    if (!src.redis) status = "up";
    else if (ttl !== null) status = ttl > 0 ? "up" : "down";
    // A node that stopped cleanly withdrew its status: nothing left to show once it is also off the lists.
    if (!info && !st && status !== "up") return null;
    return {
      nodeId: info?.nodeId ?? st?.nodeId ?? "?",
      processId,
      status,
      heartbeatAgeMs: ttl !== null && ttl > 0 ? Math.max(0, src.aliveTtlMs - ttl) : null,
      version: info?.version ?? null,
      startedAt: info?.startedAt ?? null,
      uptimeS: info ? Math.round((now - info.startedAt) / 1000) : null,
      games: info?.games ?? 0,
      players: info?.players ?? 0,
      spectators: info?.spectators ?? 0,
      rooms: st?.rooms ?? null,
      ccu: st?.ccu ?? null,
      reportedAt: info?.at ?? null,
      self: isSelf,
    };
  });
  return rows
    .filter((r): r is AdminNode => r !== null)
    .sort((a, b) => Number(b.self) - Number(a.self) || a.nodeId.localeCompare(b.nodeId));
}

/** Remaining life of each node's heartbeat key, ms (≤ 0: none); null when Redis is absent or failing. */
async function heartbeatTtls(redis: Redis | undefined, ids: string[]): Promise<Array<number | null> | null> {
  if (!redis || ids.length === 0) return null;
  try {
    const p = redis.pipeline();
    for (const id of ids) p.pttl(aliveKey(id));
    const res = (await p.exec()) ?? [];
    return ids.map((_, i) => {
      const [err, ttl] = res[i] ?? [new Error("no reply")];
      return err ? null : (ttl as number);
    });
  } catch {
    return null;
  }
}
