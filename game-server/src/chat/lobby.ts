/**
 * The lobby channel across the cluster. Every lobby message is stored in
 * PostgreSQL first (chat/service.ts), then published on one Redis channel;
 * every node (the sender's too) keeps the recent ones in a ring in memory, fed
 * by that subscription, and answers the clients' polls (GET
 * /api/chat/lobby?after=<id>) from it: a poll with nothing new costs no query
 * at all, and a player behind nginx sees messages posted through any node.
 * PostgreSQL stays the truth: a node loads its ring from the table at start,
 * and a client's first read (no `after`) is served from the table.
 *
 * Why pub/sub and not polling the table: thousands of lobby clients polling
 * every few seconds would be thousands of queries a second for a channel that
 * changes a few times a minute. Without Redis (one node) the ring is fed by
 * the node's own posts. A message published while a node's subscription is
 * down is missing from that node's ring until it reloads (it reloads from the
 * table when the subscription comes back), never from the table.
 */
import type { ChatLine } from "@tabula/shared/protocol";
import { LOBBY_CHANNEL } from "@tabula/shared/protocol";
import type { Redis } from "ioredis";
import { connectRedis, reportRedisErrors } from "../cluster/redis.ts";
import type { RedisTarget } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../log.ts";
import { channelHistory } from "./store.ts";

/** The Redis channel lobby messages are published on (JSON ChatLine). */
export const LOBBY_PUBSUB = "tabula:chat:lobby";

export interface LobbyRelay {
  /** Load the ring from the table and start listening. */
  start(): Promise<void>;
  /** A stored lobby message: into this node's ring, and to every other node. */
  publish(line: ChatLine): void;
  /** Messages in the ring with an id above `afterId`, oldest first. */
  since(afterId: bigint): ChatLine[];
  close(): void;
}

/** The lobby relay: through Redis when `redis` (the node's target and its command connection) is given. */
export function createLobbyRelay(opts: {
  db: Db;
  /** Messages kept in memory (the ring), e.g. twice the history shown. */
  keep: number;
  log: Logger;
  redis?: { target: RedisTarget; commands: Redis };
}): LobbyRelay {
  let ring: ChatLine[] = [];
  const add = (l: ChatLine) => {
    const id = BigInt(l.id);
    if (ring.some((x) => x.id === l.id)) return;
    // Ids are in commit order only roughly (two nodes insert at once): keep the ring sorted.
    let i = ring.length;
    while (i > 0 && BigInt(ring[i - 1].id) > id) i--;
    ring.splice(i, 0, l);
    if (ring.length > opts.keep) ring = ring.slice(ring.length - opts.keep);
  };
  const reload = async () => {
    const rows = await channelHistory(opts.db, LOBBY_CHANNEL, opts.keep);
    for (const l of rows) add(l);
  };
  let sub: Redis | undefined;
  return {
    async start() {
      await reload().catch((err) => opts.log.warn({ err: (err as Error).message }, "lobby chat history not loaded"));
      if (!opts.redis) return;
      // A subscribed connection can do nothing else; it queues and retries through outages.
      sub = connectRedis(opts.redis.target, { maxRetriesPerRequest: null, enableOfflineQueue: true });
      reportRedisErrors(sub, opts.log, "lobby chat");
      let subscribedOnce = false;
      sub.on("ready", () => {
        if (subscribedOnce) void reload().catch(() => {});
        subscribedOnce = true;
      });
      sub.on("message", (_channel, body: string) => {
        try {
          add(JSON.parse(body) as ChatLine);
        } catch {
          opts.log.warn("unreadable lobby chat message on Redis");
        }
      });
      await sub.subscribe(LOBBY_PUBSUB).catch((err) => opts.log.warn({ err: err.message }, "lobby chat subscribe failed"));
    },
    publish(l) {
      add(l);
      opts.redis?.commands.publish(LOBBY_PUBSUB, JSON.stringify(l)).catch((err: Error) => {
        opts.log.warn({ err: err.message }, "lobby chat message not published (other nodes see it after their reload)");
      });
    },
    since(afterId) {
      return ring.filter((l) => BigInt(l.id) > afterId);
    },
    close() {
      sub?.disconnect();
    },
  };
}
