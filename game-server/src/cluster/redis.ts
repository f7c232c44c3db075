/**
 * Every Redis connection a node makes, from one place: to one redis-server by
 * URL (REDIS_URL), or to whichever server the Sentinels (REDIS_SENTINELS) name
 * as the primary of REDIS_SENTINEL_NAME. Through Sentinel, ioredis asks a
 * Sentinel for the primary at each (re)connection, so after a failover every
 * connection ends up on the promoted replica by itself:
 *  - the old primary dies: its connections close, ioredis retries, and the
 *    first retry after the promotion is told the new address;
 *  - the old primary lives on and is demoted: Redis closes every client
 *    connection when a Sentinel turns it into a replica, and a write answered
 *    READONLY (we reached it anyway) reconnects and is sent again
 *    (`reconnectOnError`).
 * Not ioredis' `failoverDetector` (drop the connection at `+switch-master`):
 * its subscription outlives the connection it was made for, and when the
 * announcement arrives while the client is already reconnecting it aborts
 * that attempt, which ioredis treats as final (status "end", never
 * reconnects). With it on, one run of the failover test left four of a
 * node's six connections down for good; this is the likely cause.
 * Each reconnection closes and reopens the connection, which is what
 * leases.ts watches to hold takeovers back until the owners have renewed
 * (a promoted replica may lack the newest renewals).
 *
 * Colyseus' RedisPresence and RedisDriver bundle their own ioredis (5.x, ours
 * is 6.x): they get options (`colyseusRedisOptions`), never our client
 * instances, and build their clients with their own copy.
 */
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis, type RedisOptions } from "ioredis";
import type { RedisTarget } from "../config.ts";
import type { Logger } from "../log.ts";

/** The options of a Sentinel-mode connection, in the shape both ioredis 5 and 6 accept. */
export interface SentinelClientOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  role: "master";
  reconnectOnError: (err: Error) => boolean | 1 | 2;
}

/** A write refused because the server we reached is a replica now: reconnect (to the primary) and resend it (2). */
const reconnectOnReadonly = (err: Error): 2 | false => (err.message.startsWith("READONLY") ? 2 : false);

function sentinelOptions(target: Extract<RedisTarget, { kind: "sentinel" }>): SentinelClientOptions {
  return {
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: target.name,
    role: "master",
    reconnectOnError: reconnectOnReadonly,
  };
}

/** A new ioredis client to `target` (its primary, through Sentinel), with `options` on top (retries, offline queue…). */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (target.kind === "url") return new Redis(target.url, options);
  return new Redis({ ...sentinelOptions(target), ...options });
}

/**
 * What Colyseus' RedisPresence and RedisDriver take: the URL, or the Sentinel
 * options for their own ioredis (with ioredis' default retries: a command of
 * theirs still queued after ~10 s fails, and faults.ts keeps the node up when
 * Colyseus leaves that rejection unhandled).
 */
export function colyseusRedisOptions(target: RedisTarget): string | SentinelClientOptions {
  return target.kind === "url" ? target.url : sentinelOptions(target);
}

/**
 * Colyseus' presence and room listings on `target`, their connections' errors
 * reported like ours (`reportRedisErrors`): the driver leaves them unhandled
 * (ioredis then prints a stack per reconnection attempt) and the presence
 * warns once per attempt, dozens of lines in a failover.
 */
export function colyseusRedis(target: RedisTarget, log: Logger): { presence: RedisPresence; driver: RedisDriver } {
  const presence = new RedisPresence(colyseusRedisOptions(target));
  const driver = new RedisDriver(colyseusRedisOptions(target));
  // Their clients are not public (protected `pub`/`sub`, private `_client`): reached by name.
  const inside = { presence, driver } as unknown as {
    presence: { pub: ColyseusClient; sub: ColyseusClient };
    driver: { _client: ColyseusClient };
  };
  const clients: [ColyseusClient, string][] = [
    [inside.presence.pub, "presence"],
    [inside.presence.sub, "presence subscriber"],
    [inside.driver._client, "room listings"],
  ];
  for (const [client, what] of clients) {
    client.removeAllListeners("error");
    reportRedisErrors(client, log, what);
  }
  return { presence, driver };
}

/** For logs: the URL without its password, or "sentinel <name> via host:port,…". */
export function describeRedis(target: RedisTarget): string {
  if (target.kind === "sentinel")
    return `sentinel ${target.name} via ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(",")}`;
  try {
    const u = new URL(target.url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable)";
  }
}

/** A client of Colyseus' ioredis copy, as far as we touch it. */
type ColyseusClient = RedisEvents & { removeAllListeners(event: "error"): unknown };

/** An ioredis client of either copy (ours, or the one Colyseus bundles): only its events are used. */
interface RedisEvents {
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
}

/**
 * Report `client`'s connection trouble as one warning when it starts and one
 * line when the client is ready again, instead of ioredis' "Unhandled error
 * event" stack on the console, or a line per reconnection attempt (every few
 * ms during a failover). `what` names the connection in the log.
 */
export function reportRedisErrors(client: RedisEvents, log: Logger, what: string): void {
  let failingSince = 0;
  client.on("error", (err) => {
    if (failingSince) return;
    failingSince = Date.now();
    log.warn({ err: err.message, connection: what }, "Redis connection failing; reconnecting");
  });
  client.on("ready", () => {
    if (!failingSince) return;
    log.info({ connection: what, downMs: Date.now() - failingSince }, "Redis connection back");
    failingSince = 0;
  });
}
