/**
 * Ticket changes across the cluster: a node that settles tickets publishes
 * their ids (one message, separated by spaces) on one Redis channel; the node
 * holding a ticket's long-poll wakes it at once instead of at the end of its
 * wait. One subscription per node, however many polls wait on it: a message
 * wakes only the waiters of its tickets, found in a map (no herd).
 */
import type { RedisOptions } from "ioredis";
import { connectRedis, reportRedisErrors } from "../cluster/redis.ts";
import type { RedisTarget } from "../config.ts";
import type { Logger } from "../log.ts";

export interface TicketEvents {
  /** Start listening for ticket `id` (before reading it, so no change is missed); `wait` resolves on a change or after `ms`. */
  listen(id: string): { wait(ms: number): Promise<void>; stop(): void };
  /** Wake every waiter and close the subscription (shutdown). */
  close(): void;
}

export function createTicketEvents(target: RedisTarget, channel: string, options: RedisOptions, log: Logger): TicketEvents {
  // A subscribed connection can do nothing else; it queues and retries through outages.
  const sub = connectRedis(target, { ...options, maxRetriesPerRequest: null, enableOfflineQueue: true });
  reportRedisErrors(sub, log, "matchmaking events");
  const waiters = new Map<string, Set<() => void>>();
  void sub.subscribe(channel).catch((err) => log.warn({ err: err.message }, "matchmaker subscribe failed"));
  sub.on("message", (_channel, ids: string) => {
    for (const ticketId of ids.split(" ")) {
      const ws = waiters.get(ticketId);
      if (ws) for (const w of [...ws]) w();
    }
  });
  return {
    listen(id) {
      let wake: () => void = () => {};
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const set = waiters.get(id) ?? new Set();
      set.add(wake);
      waiters.set(id, set);
      let timer: NodeJS.Timeout | undefined;
      return {
        wait: (ms) => Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]),
        stop() {
          clearTimeout(timer);
          set.delete(wake);
          if (set.size === 0) waiters.delete(id);
        },
      };
    },
    close() {
      for (const set of waiters.values()) for (const w of set) w();
      sub.disconnect();
    },
  };
}
