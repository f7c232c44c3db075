/**
 * Tabula's one configuration module. The environment is parsed once, here;
 * every other module receives a `Config` object. Bad values fail fast with a
 * message naming the variable; insecure defaults are refused in production.
 */
import { z } from "zod";
import { parseTablespaces, type TablespaceSetting } from "./db/partitions/tablespaces.ts";

const bool = z.enum(["1", "0", "true", "false", "yes", "no"]).transform((v) => v === "1" || v === "true" || v === "yes");

const seconds = z.coerce.number().positive();

/** Every variable, its meaning and its default. README.md renders this table. */
export const ENV_SCHEMA = z.object({
  /** Environment name; "production" refuses insecure defaults. */
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** HTTP/WebSocket port of this node. */
  PORT: z.coerce.number().int().min(0).max(65535).default(2567),
  /** Interface to bind. */
  HOST: z.string().default("0.0.0.0"),
  /** This node's id (used in logs, in the database as the owner of its games, and later in routing). */
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/, "lower-case letters, digits and dashes, at most 32")
    .default("n1"),
  /** Redis URL. Set: cluster mode (Redis presence, room listings and matchmaking shared by every node). Unset: single node. */
  REDIS_URL: z.string().url().optional(),
  /**
   * Redis through Sentinel instead of REDIS_URL: the Sentinels' addresses, "host:port,host:port,…". Cluster mode;
   * every Redis connection of the node asks them for the current primary and follows a failover by itself.
   */
  REDIS_SENTINELS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d+(,[A-Za-z0-9.-]+:\d+)*$/, "host:port, comma-separated")
    .optional(),
  /** The name the Sentinels monitor the primary under (their `sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, dot, dash, underscore")
    .default("tabula"),
  /**
   * Host[:port] clients use to reach the cluster's nginx, e.g. "play.example.com" or "localhost:8080".
   * The node advertises `<PUBLIC_ADDRESS>/node/<NODE_ID>` as the address of its rooms. Unset: clients
   * connect to the node directly (single node).
   */
  PUBLIC_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "host or host:port, no scheme or path")
    .optional(),
  /** Lifetime of a game's ownership lease in Redis, ms: the slow path, when a node's death was not noticed sooner. */
  LEASE_TTL_MS: z.coerce.number().int().min(200).default(3000),
  /**
   * Lifetime of each node's heartbeat key in Redis, ms (renewed every fifth of it). A node silent this long is
   * presumed dead and its games are taken over at once; one whose process exited is noticed sooner (its Redis
   * connections close). Players' clients give a silent node up after about as long. Shorter: faster recovery, but a
   * pause this long moves a node's games needlessly (safely: the fencing token stops the old owner).
   */
  NODE_ALIVE_TTL_MS: z.coerce.number().int().min(250).default(1000),
  /** How often each node looks for games nobody hosts, ms. */
  TAKEOVER_INTERVAL_MS: z.coerce.number().int().min(50).default(500),
  /** WebSocket transport: "ws" (Node, works everywhere) or "uws" (uWebSockets.js, where its binary loads; falls back to ws). */
  TRANSPORT: z.enum(["ws", "uws"]).default("ws"),
  /** PostgreSQL URL. Unset: an embedded PostgreSQL is started with data in DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /**
   * A streaming-replication standby of DATABASE_URL's server for history and replay reads (docs/operations.md).
   * Without a user and password in it, DATABASE_URL's are used. Unset: every read goes to the primary.
   */
  REPLICA_DATABASE_URL: z.string().url().optional(),
  /** Reads go to the primary while the replica lags more than this many seconds behind it (or is down). */
  REPLICA_MAX_LAG_S: z.coerce.number().positive().max(3600).default(5),
  /** Connections in this node's PostgreSQL pool (shared by group commit and every other query). */
  DB_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
  /** Most moves written by one group-commit statement. */
  COMMIT_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(256),
  /** Group-commit statements in flight at once (each on its own pool connection); more moves queue for the next batch. */
  COMMIT_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  /** Where the embedded PostgreSQL keeps its data (ignored when DATABASE_URL is set). */
  DATA_DIR: z.string().default(".data/postgres"),
  /** Port of the embedded PostgreSQL. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Archive every WAL segment of the embedded PostgreSQL into BACKUP_DIR (point-in-time recovery; see docs/backups.md). */
  WAL_ARCHIVE: bool.default(true),
  /** Archive a WAL segment that has seen writes at least this often, in seconds: the most a lost data folder can take with it. */
  WAL_ARCHIVE_TIMEOUT_S: z.coerce.number().int().min(10).max(86_400).default(300),
  /** Folder of the WAL archive, base backups and logical dumps (`npm run backup`, `npm run restore`). */
  BACKUP_DIR: z.string().default(".data/backups"),
  /** Hours between scheduled base backups (`npm run backup -- --schedule`). */
  BACKUP_EVERY_H: z.coerce.number().positive().default(24),
  /** Scheduled retention: keep the newest base backup of each of this many recent days (and the WAL to replay from the oldest of them). */
  BACKUP_KEEP_DAILY: z.coerce.number().int().min(1).default(7),
  /** Scheduled retention: also keep the newest base backup of each of this many recent weeks. */
  BACKUP_KEEP_WEEKLY: z.coerce.number().int().min(0).default(4),
  /** Scheduled retention: also keep the newest base backup of each of this many recent months. */
  BACKUP_KEEP_MONTHLY: z.coerce.number().int().min(0).default(6),
  /**
   * Tablespaces moves_a, moves_b, moves_c of the partitioned move and audit logs (docs/database.md): "managed" (they
   * exist already: the operator made them; CloudNativePG's spec.tablespaces) or "moves_a=<dir>,moves_b=<dir>,moves_c=<dir>"
   * (made in those directories, on the database machine, when missing). Unset: beside DATA_DIR (<DATA_DIR>-tablespaces/)
   * for the embedded PostgreSQL, "managed" with DATABASE_URL.
   */
  TABLESPACES: z
    .string()
    .transform((s, ctx) => {
      try {
        return parseTablespaces(s);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  /** Months of partitions kept made ahead of time (besides the current one), by migrations and the hourly partition job. */
  PARTITIONS_AHEAD_MONTHS: z.coerce.number().int().min(1).max(24).default(3),
  /** Months of moves kept, by game start: older months are archived to BACKUP_DIR/archive and dropped. 0 keeps all. */
  MOVE_KEEP_MONTHS: z.coerce.number().int().min(0).default(0),
  /** Months of audit events kept: older months are archived to BACKUP_DIR/archive and dropped. 0 keeps all. */
  AUDIT_KEEP_MONTHS: z.coerce.number().int().min(0).default(12),
  /** Seconds between recomputations of the leaderboards (one node at a time; tests shrink it). */
  LEADERBOARD_REFRESH_S: z.coerce.number().min(0.1).max(86_400).default(60),
  /** Secret that signs identity tokens (HS256). Required in production, at least 32 characters. */
  TOKEN_SECRET: z.string().min(32, "at least 32 characters").optional(),
  /** Lifetime of an identity token, in days. */
  TOKEN_TTL_DAYS: z.coerce.number().positive().default(30),
  /** Lifetime of an account's access token (its Bearer token), in seconds; refreshed with the refresh token. Guests' tokens last TOKEN_TTL_DAYS. */
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(10).max(86_400).default(900),
  /** Lifetime of a refresh token, in days: a session unused this long must log in again (each refresh starts it anew). */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  /** Failed logins per account name per LOGIN_THROTTLE_WINDOW_S (names without an account count too); more get 429. */
  LOGIN_FAILURES_PER_NAME: z.coerce.number().int().min(1).default(5),
  /** Failed logins per client IP per LOGIN_THROTTLE_WINDOW_S; more get 429. */
  LOGIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  /** The login throttle's window, in seconds, counted from the first failure (shared through Redis in a cluster). */
  LOGIN_THROTTLE_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(900),
  /**
   * How long a disconnected player's seat is held, in seconds, before the opponent may claim the win by
   * abandonment (the game ends by itself one more window later if nobody claims: game/presence.ts).
   */
  RECONNECT_WINDOW_S: seconds.default(60),
  /** Time each side has to make its first move, in seconds, before the game is aborted. */
  FIRST_MOVE_TIMEOUT_S: seconds.default(30),
  /** Multiplies every time control (tests use e.g. 0.01 to make a 1+0 game last 0.6 s). Must be 1 in production. */
  CLOCK_SCALE: z.coerce.number().positive().max(1).default(1),
  /**
   * Multiplies the bots' human-like think time (bots/thinkTime.ts: by position and clock, at least ~1.2 s):
   * 1 in production, ~0 in tests (0: the bot moves as soon as its move is found).
   */
  BOT_THINK_SCALE: z.coerce.number().min(0).max(10).default(1),
  /** Worker threads thinking for the bots (Stockfish, the Connect Four search); 0: the built-in policy inline. */
  BOT_ENGINE_WORKERS: z.coerce.number().int().min(0).max(8).default(1),
  /** Largest accepted WebSocket frame, in bytes; larger frames close the socket (1009). */
  MAX_FRAME_BYTES: z.coerce.number().int().min(256).default(4096),
  /** Messages per second a client may send before it is disconnected. */
  MAX_MESSAGES_PER_SECOND: z.coerce.number().int().min(1).default(20),
  /** HTTP API requests per minute per client IP (behind nginx: the real client IP); more get 429. */
  API_RATE_PER_MIN: z.coerce.number().int().min(1).default(3000),
  /** Guest identities created per minute per client IP; more get 429. */
  GUEST_RATE_PER_MIN: z.coerce.number().int().min(1).default(300),
  /** Seat reservations (`POST /matchmake/joinById`, joining or rejoining a game) per minute per player; more get 429. */
  JOIN_RATE_PER_MIN: z.coerce.number().int().min(1).default(600),
  /** Chat messages per minute per player, lobby and games together, counted across the cluster; more are refused (CHAT_RATE_LIMITED). */
  CHAT_PER_MIN: z.coerce.number().int().min(1).default(30),
  /** Longest chat message, in characters (code points) once cleaned; longer ones are refused (CHAT_TOO_LONG). */
  CHAT_MAX_CHARS: z.coerce.number().int().min(1).max(500).default(280),
  /** Chat messages a late joiner is sent (the recent history of a game channel or the lobby). */
  CHAT_HISTORY: z.coerce.number().int().min(0).max(200).default(50),
  /**
   * Wrong passwords of one private game or invite, per client address and per player, within
   * GAME_PASSWORD_WINDOW_S; past them every attempt (the right password too) gets PASSWORD_THROTTLED.
   */
  GAME_PASSWORD_MAX_WRONG: z.coerce.number().int().min(1).default(5),
  /** The window over which wrong private-game passwords are counted, s (from the first wrong one). */
  GAME_PASSWORD_WINDOW_S: z.coerce.number().int().min(1).default(300),
  /**
   * Web pages (origins, `scheme://host[:port]`, comma-separated) allowed to use the API, matchmaking and room
   * WebSockets. Default: the node's public address (PUBLIC_ADDRESS) over http and https. A page's own origin is
   * always allowed, and outside production so is any page on localhost. Requests without Origin (bots, SDK in Node)
   * are not browser pages and pass (docs/security.md).
   */
  ALLOWED_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "each origin is scheme://host[:port], no path")))
    .optional(),
  /**
   * Proxies whose X-Forwarded-For is believed (Express' `trust proxy`): comma-separated addresses, CIDR networks,
   * or `loopback`, `linklocal`, `uniquelocal`. The client address (rate limits, logs) is the first hop not trusted.
   * Behind a proxy on another machine or container (Compose's nginx, ingress-nginx) name its network here.
   */
  TRUST_PROXY: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f.:]+(\/\d{1,3})?)$/,
              "addresses, CIDR networks or loopback/linklocal/uniquelocal",
            ),
        )
        .min(1),
    )
    .default(["loopback"]),
  /** Life of a join ticket (a seat reservation's sessionId), in seconds: the room socket must present it this soon. */
  JOIN_TICKET_TTL_S: z.coerce.number().int().min(1).max(120).default(15),
  /** Spectators allowed per game. */
  MAX_SPECTATORS: z.coerce.number().int().min(0).default(50),
  /** Folder of the built browser client to serve at "/" (empty: do not serve it). */
  CLIENT_DIST: z.string().default("client/dist"),
  /** Log level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Log as JSON lines (true) or human-readable (false). Default: JSON in production. */
  LOG_JSON: bool.optional(),
  /**
   * Port of this node's Prometheus metrics (`GET /metrics`), separate from PORT so nginx never exposes it.
   * 0: any free port (logged at start). Taken: the node runs without metrics and logs a warning.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Interface the metrics port binds (loopback by default: only Prometheus on this machine reads it). */
  METRICS_HOST: z.string().default("127.0.0.1"),
  /**
   * Operators: player ids (UUIDs, comma-separated) allowed on the operator page and /api/admin. Unset: nobody.
   * `npm run admin -- create <name>` makes such a player and prints its id and identity token (docs/operations.md).
   */
  ADMIN_PLAYER_IDS: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().uuid("each id is a player UUID (npm run admin -- create <name> prints one)")))
    .optional(),
  /** How often each node samples its figures for the operator page's charts, ms (kept 10 minutes; docs/monitoring.md). */
  FIGURES_INTERVAL_MS: z.coerce.number().int().min(200).max(60_000).default(5000),
  /** Audit events a node holds while PostgreSQL cannot be reached; past it the oldest are dropped (and counted). */
  AUDIT_BUFFER_MAX: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  /** A refused token or join, or a rate-limit cut-off, is written once per client per this many seconds (with a count). */
  AUDIT_FLOOD_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(60),
});

export type Env = z.input<typeof ENV_SCHEMA>;

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  nodeId: string;
  databaseUrl: string | undefined;
  /** The read replica (REPLICA_DATABASE_URL), or undefined. */
  replicaDatabaseUrl: string | undefined;
  /** Lag bound of the read replica, seconds. */
  replicaMaxLagS: number;
  redisUrl: string | undefined;
  /** How this node reaches Redis (REDIS_URL or REDIS_SENTINELS); undefined: single node, no Redis. */
  redis: RedisTarget | undefined;
  /** What this node advertises as its rooms' address (`<PUBLIC_ADDRESS>/node/<NODE_ID>`), or undefined. */
  publicAddress: string | undefined;
  transport: "ws" | "uws";
  leaseTtlMs: number;
  nodeAliveTtlMs: number;
  takeoverIntervalMs: number;
  dataDir: string;
  dbPoolSize: number;
  commitBatchMax: number;
  commitConcurrency: number;
  embeddedPgPort: number;
  /** Archive the embedded PostgreSQL's WAL into backupDir. */
  walArchive: boolean;
  walArchiveTimeoutS: number;
  backupDir: string;
  backupEveryH: number;
  /** Base backups kept by the retention policy: newest per day, week and month, for this many of each. */
  backupKeep: { daily: number; weekly: number; monthly: number };
  /** Tablespaces to make or check; undefined: the default (beside dataDir when embedded, else managed). */
  tablespaces: TablespaceSetting | undefined;
  partitionsAheadMonths: number;
  /** Months of moves / audit events kept by the partition job (0: all). */
  moveKeepMonths: number;
  auditKeepMonths: number;
  /** Seconds between recomputations of the leaderboards (LEADERBOARD_REFRESH_S). */
  leaderboardRefreshS: number;
  tokenSecret: string;
  tokenTtlDays: number;
  /** Accounts' sessions: access-token life (s), refresh-token life (days), login throttle (failures per window). */
  accounts: {
    accessTtlS: number;
    refreshTtlDays: number;
    failuresPerName: number;
    failuresPerIp: number;
    throttleWindowS: number;
  };
  /** Seat hold after a drop, ms. */
  reconnectWindowMs: number;
  /** First-move deadline, ms. */
  firstMoveTimeoutMs: number;
  clockScale: number;
  botThinkScale: number;
  botEngineWorkers: number;
  maxFrameBytes: number;
  maxMessagesPerSecond: number;
  maxSpectators: number;
  /** Origins allowed besides the page's own (ALLOWED_ORIGINS, or PUBLIC_ADDRESS over http and https). */
  allowedOrigins: string[];
  /** Pages on localhost allowed too (outside production). */
  allowLocalOrigins: boolean;
  /** Join ticket life, s. */
  joinTicketTtlS: number;
  /** Express' `trust proxy`: the proxies whose X-Forwarded-For names the client. */
  trustProxy: string[];
  apiRatePerMin: number;
  guestRatePerMin: number;
  joinRatePerMin: number;
  /** Wrong private-game passwords allowed per address or player and game/invite per window, and the window (s). */
  privatePasswords: { maxWrong: number; windowS: number };
  /** Chat: messages per minute per player, longest message (code points), history sent to a late joiner. */
  chat: { perMin: number; maxChars: number; historySize: number };
  clientDist: string;
  logLevel: string;
  logJson: boolean;
  metricsPort: number;
  metricsHost: string;
  /** Player ids allowed on the operator page (lower-case UUIDs; empty: nobody). */
  adminPlayerIds: string[];
  /** Figures sampling period for the operator page, ms. */
  figuresIntervalMs: number;
  /** Audit events held while PostgreSQL is down. */
  auditBufferMax: number;
  /** The audit log's flood window, ms. */
  auditFloodWindowMs: number;
}

/** Insecure development secret: refused when NODE_ENV=production. */
const DEV_SECRET = "tabula-development-secret-do-not-use-in-production";

export class ConfigError extends Error {}

/** Where Redis is: one server by URL, or the primary that Sentinels monitor under `name` (cluster/redis.ts connects). */
export type RedisTarget =
  | { kind: "url"; url: string }
  | { kind: "sentinel"; sentinels: { host: string; port: number }[]; name: string };

function redisTarget(url: string | undefined, sentinels: string | undefined, name: string): RedisTarget | undefined {
  if (sentinels) {
    const list = sentinels.split(",").map((hp) => {
      const i = hp.lastIndexOf(":");
      return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
    });
    return { kind: "sentinel", sentinels: list, name };
  }
  return url ? { kind: "url", url } : undefined;
}

/** Parse an environment (default: process.env) into a Config, or throw ConfigError listing every problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", except CLIENT_DIST, where empty means "do not serve the client".
  const given = Object.entries(source).filter(([k, v]) => v !== undefined && (v !== "" || k === "CLIENT_DIST"));
  const parsed = ENV_SCHEMA.safeParse(Object.fromEntries(given));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === "production" && !e.TOKEN_SECRET) {
    throw new ConfigError("invalid configuration:\n  TOKEN_SECRET: required in production (at least 32 random characters)");
  }
  if (e.REDIS_URL && e.REDIS_SENTINELS) {
    throw new ConfigError("invalid configuration:\n  REDIS_SENTINELS: set REDIS_URL or REDIS_SENTINELS, not both");
  }
  if (e.NODE_ENV === "production" && e.CLOCK_SCALE !== 1) {
    throw new ConfigError("invalid configuration:\n  CLOCK_SCALE: must be 1 in production");
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    nodeId: e.NODE_ID,
    databaseUrl: e.DATABASE_URL,
    replicaDatabaseUrl: e.REPLICA_DATABASE_URL,
    replicaMaxLagS: e.REPLICA_MAX_LAG_S,
    redisUrl: e.REDIS_URL,
    redis: redisTarget(e.REDIS_URL, e.REDIS_SENTINELS, e.REDIS_SENTINEL_NAME),
    publicAddress: e.PUBLIC_ADDRESS ? `${e.PUBLIC_ADDRESS}/node/${e.NODE_ID}` : undefined,
    transport: e.TRANSPORT,
    leaseTtlMs: e.LEASE_TTL_MS,
    nodeAliveTtlMs: e.NODE_ALIVE_TTL_MS,
    takeoverIntervalMs: e.TAKEOVER_INTERVAL_MS,
    dataDir: e.DATA_DIR,
    dbPoolSize: e.DB_POOL_SIZE,
    commitBatchMax: e.COMMIT_BATCH_MAX,
    commitConcurrency: e.COMMIT_CONCURRENCY,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    walArchive: e.WAL_ARCHIVE,
    walArchiveTimeoutS: e.WAL_ARCHIVE_TIMEOUT_S,
    backupDir: e.BACKUP_DIR,
    backupEveryH: e.BACKUP_EVERY_H,
    backupKeep: { daily: e.BACKUP_KEEP_DAILY, weekly: e.BACKUP_KEEP_WEEKLY, monthly: e.BACKUP_KEEP_MONTHLY },
    tablespaces: e.TABLESPACES,
    partitionsAheadMonths: e.PARTITIONS_AHEAD_MONTHS,
    moveKeepMonths: e.MOVE_KEEP_MONTHS,
    auditKeepMonths: e.AUDIT_KEEP_MONTHS,
    leaderboardRefreshS: e.LEADERBOARD_REFRESH_S,
    tokenSecret: e.TOKEN_SECRET ?? DEV_SECRET,
    tokenTtlDays: e.TOKEN_TTL_DAYS,
    accounts: {
      accessTtlS: e.ACCESS_TOKEN_TTL_S,
      refreshTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      failuresPerName: e.LOGIN_FAILURES_PER_NAME,
      failuresPerIp: e.LOGIN_FAILURES_PER_IP,
      throttleWindowS: e.LOGIN_THROTTLE_WINDOW_S,
    },
    reconnectWindowMs: e.RECONNECT_WINDOW_S * 1000,
    firstMoveTimeoutMs: e.FIRST_MOVE_TIMEOUT_S * 1000,
    clockScale: e.CLOCK_SCALE,
    botThinkScale: e.BOT_THINK_SCALE,
    botEngineWorkers: e.BOT_ENGINE_WORKERS,
    maxFrameBytes: e.MAX_FRAME_BYTES,
    maxMessagesPerSecond: e.MAX_MESSAGES_PER_SECOND,
    maxSpectators: e.MAX_SPECTATORS,
    allowedOrigins: e.ALLOWED_ORIGINS ?? (e.PUBLIC_ADDRESS ? [`http://${e.PUBLIC_ADDRESS}`, `https://${e.PUBLIC_ADDRESS}`] : []),
    allowLocalOrigins: e.NODE_ENV !== "production",
    joinTicketTtlS: e.JOIN_TICKET_TTL_S,
    trustProxy: e.TRUST_PROXY,
    apiRatePerMin: e.API_RATE_PER_MIN,
    guestRatePerMin: e.GUEST_RATE_PER_MIN,
    joinRatePerMin: e.JOIN_RATE_PER_MIN,
    privatePasswords: { maxWrong: e.GAME_PASSWORD_MAX_WRONG, windowS: e.GAME_PASSWORD_WINDOW_S },
    chat: { perMin: e.CHAT_PER_MIN, maxChars: e.CHAT_MAX_CHARS, historySize: e.CHAT_HISTORY },
    clientDist: e.CLIENT_DIST,
    logLevel: e.LOG_LEVEL,
    logJson: e.LOG_JSON ?? e.NODE_ENV === "production",
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    adminPlayerIds: e.ADMIN_PLAYER_IDS ?? [],
    figuresIntervalMs: e.FIGURES_INTERVAL_MS,
    auditBufferMax: e.AUDIT_BUFFER_MAX,
    auditFloodWindowMs: e.AUDIT_FLOOD_WINDOW_S * 1000,
  };
}

/** True when the development signing secret is in use (logged as a warning at start). */
export function usesDevSecret(config: Config): boolean {
  return config.tokenSecret === DEV_SECRET;
}

/**
 * The liveness contract sent to clients (see Heartbeat in the protocol): ping
 * every ttl/3, give the server up after ttl of silence (at least three
 * intervals), where ttl is the node heartbeat's (NODE_ALIVE_TTL_MS). Tied to it
 * so that a client leaves a stalled node about when the node is presumed dead
 * and its games are taken over (a rejoin that comes earlier waits on Redis for
 * the verdict: cluster/takeover.ts `rescue`), at three pings a second, and
 * never so eagerly that an ordinary GC pause or a late pong sends everyone away.
 */
export function heartbeatFor(nodeAliveTtlMs: number): { intervalMs: number; timeoutMs: number } {
  const intervalMs = Math.max(200, Math.round(nodeAliveTtlMs / 3));
  return { intervalMs, timeoutMs: Math.max(3 * intervalMs, nodeAliveTtlMs) };
}
