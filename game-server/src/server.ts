/**
 * Assembles one Tabula node on a Colyseus server: its database (db/storage.ts:
 * embedded or DATABASE_URL, migrated, with the replica's reads), the audit log,
 * identity, matchmaking (in memory, or through Redis in a cluster), leases,
 * liveness and takeover, the game room, and the HTTP routes (http/app.ts).
 * `startNode` is what `main.ts` and the integration tests call.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalDriver, LocalPresence, type MatchMakerDriver, matchMaker, type Presence, Server } from "@colyseus/core";
import type { Redis } from "ioredis";
import { GAME_ROOM } from "@tabula/shared/protocol";
import { createTokenService } from "./auth/tokens.ts";
import { type Config, usesDevSecret } from "./config.ts";
import type { Db } from "./db/client.ts";
import { createGameRepository } from "./db/games.ts";
import { GroupCommit } from "./db/groupCommit.ts";
import { openStorage } from "./db/storage.ts";
import type { Reads } from "./db/reads.ts";
import { findPlayer } from "./db/players.ts";
import { type HostClock, systemClock } from "./game/clock.ts";
import { createGameFactory } from "./game/factory.ts";
import { createMemoryOnlineTracker, createRedisOnlineTracker } from "./game/online.ts";
import { mountHttp } from "./http/app.ts";
import { applyOriginPolicyToMatchmaker, createOriginPolicy } from "./http/origin.ts";
import { createKeyLimit } from "./http/rateLimit.ts";
import type { Logger } from "./log.ts";
import type { Matchmaker, PairingHandler } from "./matchmaking/matchmaker.ts";
import { createMemoryMatchmaker } from "./matchmaking/memoryMatchmaker.ts";
import { createRedisMatchmaker } from "./matchmaking/redisMatchmaker.ts";
import { listLiveGames } from "./rooms/listing.ts";
import { createTransport } from "./transport.ts";
import { colyseusLogger } from "./colyseusLogger.ts";
import { createLocalLeases, createRedisLeases } from "./cluster/leases.ts";
import { createNodeLiveness, NODES_KEY } from "./cluster/liveness.ts";
import { colyseusRedis, connectRedis, describeRedis, reportRedisErrors } from "./cluster/redis.ts";
import { guardRejoins } from "./cluster/rejoin.ts";
import { createTakeover } from "./cluster/takeover.ts";
import { createChatService } from "./chat/service.ts";
import { GameRoom } from "./rooms/GameRoom.ts";
import { setRoomServices } from "./rooms/services.ts";
import { createPasswordGate } from "./privateGames/passwordGate.ts";
import { backupGauge } from "./metrics/backups.ts";
import { createFiguresSampler, type FiguresSampler } from "./metrics/figures.ts";
import { createMetrics, LATENCY_BUCKETS, WAIT_BUCKETS } from "./metrics/metrics.ts";
import { auditMetrics } from "./metrics/audit.ts";
import { type AuditLog, createAuditLog } from "./audit/writer.ts";
import { serveMetrics } from "./metrics/server.ts";
import { createBotMoves } from "./bots/botMoves.ts";
import { EnginePool } from "./bots/enginePool.ts";

/** Repository root (this file is game-server/src/server.ts). */
export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
/** Tabula's version (the root package.json), shown on the operator page. */
const TABULA_VERSION: string = JSON.parse(readFileSync(resolve(REPO_ROOT, "package.json"), "utf8")).version ?? "?";

export interface RunningNode {
  /** Base URL, e.g. http://127.0.0.1:2567 */
  url: string;
  port: number;
  databaseUrl: string;
  db: Db;
  /** History and replay reads: the read replica when it is up and fresh, else the primary (db/reads.ts). */
  reads: Reads;
  /** Port of this node's Prometheus metrics (`GET /metrics`), if served. */
  metricsPort: number | undefined;
  /** This node's audit log (audit/writer.ts): tests flush it to read its rows at once. */
  audit: AuditLog;
  /**
   * Stop accepting, close rooms, release the database (and stop an embedded PostgreSQL this node started).
   * `reason` (main.ts: the signal) is written with the audit log's node.stop.
   */
  stop(reason?: string): Promise<void>;
}

/**
 * Start a node with `config`. `clock` drives live games' time and timers
 * (default: the system clock; integration tests pass one they advance by hand).
 */
export async function startNode(config: Config, log: Logger, clock: HostClock = systemClock): Promise<RunningNode> {
  if (usesDevSecret(config)) log.warn("TOKEN_SECRET is not set: using the insecure development secret (refused in production)");

  const metrics = createMetrics();
  backupGauge(metrics.registry, resolve(REPO_ROOT, config.backupDir));
  // PostgreSQL (embedded or DATABASE_URL) migrated, its pool, the partition job and the replica's reads (db/storage.ts).
  const storage = await openStorage(config, log, metrics, REPO_ROOT);
  const { database, databaseUrl, reads } = storage;
  const { db } = database;
  // Security and operations events to the "AuditEvent" table, batched off every request's path (audit/).
  const audit = createAuditLog({
    sql: database.pool,
    nodeId: config.nodeId,
    log,
    metrics: auditMetrics(metrics.registry),
    bufferMax: config.auditBufferMax,
    floodWindowMs: config.auditFloodWindowMs,
  });
  const moveLog = new GroupCommit(database.pool, {
    maxBatch: config.commitBatchMax,
    concurrency: config.commitConcurrency,
    metrics,
  });
  const games = createGameRepository(db, database.pool, moveLog);
  const tokens = createTokenService(config.tokenSecret, config.tokenTtlDays);
  const factory = createGameFactory({
    games,
    nodeId: config.nodeId,
    firstMoveTimeoutMs: config.firstMoveTimeoutMs,
    clockScale: config.clockScale,
    log,
    now: clock.now,
  });
  const pair: PairingHandler = async (req) => {
    const gameId = await factory.create(req);
    metrics.pairings.inc({ mode: req.mode });
    return gameId;
  };
  const playerName = async (id: string) => (await findPlayer(db, id))?.name ?? "?";

  // Single node: everything in memory. Cluster (REDIS_URL): presence, room listings,
  // matchmaking and the online count shared through Redis.
  let presence: Presence;
  let driver: MatchMakerDriver;
  let matchmaker: Matchmaker;
  let redis: Redis | undefined;
  if (config.redis) {
    // Every connection through cluster/redis.ts: the same server, or the same Sentinels (failover followed).
    ({ presence, driver } = colyseusRedis(config.redis, log));
    matchmaker = createRedisMatchmaker({ redis: config.redis, pair, playerName, log, metrics });
    redis = connectRedis(config.redis, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    reportRedisErrors(redis, log, "leases and liveness");
    redis.on("error", () => metrics.redisErrors.inc({ client: "node" }));
    log.info(
      { redis: describeRedis(config.redis), publicAddress: config.publicAddress },
      "cluster mode (Redis presence, driver and matchmaking)",
    );
  } else {
    presence = new LocalPresence();
    driver = new LocalDriver();
    matchmaker = createMemoryMatchmaker({ log, pair, playerName, metrics });
  }
  metrics.queues = () => matchmaker.queued();
  // Private games' passwords: one gate for the API (invites) and the seat reservations (spectators).
  const passwords = createPasswordGate({ ...config.privatePasswords, redis, log, audit });
  const online = redis ? createRedisOnlineTracker(redis) : createMemoryOnlineTracker();
  // Chat (chat/): stored first, limited across the cluster, the lobby relayed through Redis pub/sub.
  const chat = createChatService({ config, db, redis, log, audit });

  let ready = false;
  /** Rooms and connections per node, from Colyseus' stats (/api/nodes, the operator page). */
  const nodes = async () => {
    const [stats, ids] = await Promise.all([matchMaker.stats.fetchAll(), presence.hgetall(NODES_KEY)]);
    return stats.map((st) => ({ nodeId: ids?.[st.processId] ?? "?", processId: st.processId, rooms: st.roomCount, ccu: st.ccu }));
  };
  // The operator page's figures (metrics/figures.ts): made once Colyseus has named this process (the express step).
  let figures: FiguresSampler | undefined;
  const figureBounds = { commit: LATENCY_BUCKETS, pairing: WAIT_BUCKETS };
  // Which web pages may use the API, matchmaking and room sockets (http/origin.ts).
  const origins = createOriginPolicy({ allowed: config.allowedOrigins, allowLocal: config.allowLocalOrigins });
  applyOriginPolicyToMatchmaker(origins);
  const { transport, name: transportName } = await createTransport(config.transport, {
    maxPayload: config.maxFrameBytes,
    log,
    origins,
    audit,
  });
  const gameServer = new Server({
    transport,
    presence,
    driver,
    publicAddress: config.publicAddress,
    selectProcessIdToCreateRoom: pickProcessForNewRoom,
    greet: false,
    logger: colyseusLogger(log), // Colyseus' lines as ours: one line each, a client's bad frame a warning
    gracefullyShutdown: false,
    express: (app) => {
      figures = createFiguresSampler({
        metrics,
        bounds: figureBounds,
        nodeId: config.nodeId,
        processId: matchMaker.processId,
        version: TABULA_VERSION,
        intervalMs: config.figuresIntervalMs,
        redis,
        log,
      });
      mountHttp(app, {
        config,
        metrics,
        origins,
        ready: () => ready,
        root: REPO_ROOT,
        figures,
        bounds: figureBounds,
        db,
        reads,
        games,
        tokens,
        matchmaker,
        factory,
        online,
        audit,
        redis,
        passwords,
        chat,
        liveGames: () => listLiveGames(),
        nodes,
        log,
      });
    },
  });
  // Leases and heartbeats name this process by its Colyseus id (set by the Server constructor).
  const processId = matchMaker.processId;
  if (!processId) throw new Error("Colyseus did not assign a process id");
  const ids = { nodeId: config.nodeId, processId, log };
  // The heartbeat bounds how long a lease is surely ours (leases.ts surelyHeld); liveness is made just below.
  const aliveUntil = () => liveness?.aliveUntil() ?? 0;
  const leases = redis ? createRedisLeases({ redis, ttlMs: config.leaseTtlMs, aliveUntil, ...ids }) : createLocalLeases();
  // Woken from a stall past the heartbeat: games may have moved meanwhile, so find out now, not at the next renewal.
  const onWake = () => void leases.renewNow();
  const liveness = redis ? createNodeLiveness({ redis, ttlMs: config.nodeAliveTtlMs, onWake, ...ids }) : undefined;
  leases.onLost((gameId) => {
    metrics.leaseLosses.inc();
    const room = matchMaker.getLocalRoomById(gameId);
    if (room instanceof GameRoom) room.relinquish("lease lost");
  });
  const takeover = createTakeover({
    games,
    leases,
    liveness,
    redis,
    log,
    intervalMs: config.takeoverIntervalMs,
    graceMs: 3000,
    metrics,
    audit,
  });
  const joinLimit = createKeyLimit({ name: "join", perMin: config.joinRatePerMin, redis, log });
  // The bots' engines think on worker threads (started on the first bot move), never on this event loop.
  const engines = config.botEngineWorkers > 0 ? new EnginePool({ size: config.botEngineWorkers, log }) : null;
  const bots = createBotMoves(engines, log);
  setRoomServices({
    config,
    games,
    tokens,
    factory,
    online,
    leases,
    log,
    clock,
    metrics,
    audit,
    joinLimit,
    passwords,
    chat,
    bots,
  });
  guardRejoins(takeover);
  gameServer.define(GAME_ROOM, GameRoom);
  // Clients may only join existing games by id (and resume a session). Rooms are created by the
  // server alone — the factory and the takeover sweep — never by a matchmaking request.
  matchMaker.controller.exposedMethods = ["joinById", "reconnect"];
  const metricsListener = await serveMetrics(metrics, { host: config.metricsHost, port: config.metricsPort, log });
  await gameServer.listen(config.port, config.host);
  const port = (transport.server?.address() as { port: number } | null)?.port ?? config.port;
  const url = `http://127.0.0.1:${port}`;
  await presence.hset(NODES_KEY, matchMaker.processId, config.nodeId);
  await liveness?.start();
  await figures?.start();
  await chat.lobby.start();
  log.info({ url, transport: transportName, processId: matchMaker.processId }, "Tabula node listening");
  audit.record({ kind: "node.start", detail: { transport: transportName } });

  // Live games nobody hosts (this node's own after a crash, or a dead node's): rebuild them from the log.
  const resumed = await takeover.sweep();
  if (resumed.length) log.info({ games: resumed.length }, "resumed live games from the move log");
  takeover.start();
  ready = true;

  let stopped = false;
  return {
    url,
    port,
    databaseUrl,
    db,
    reads,
    metricsPort: metricsListener?.port,
    audit,
    async stop(reason?: string) {
      if (stopped) return;
      stopped = true;
      audit.record({ kind: "node.stop", detail: reason ? { reason } : {} });
      takeover.stop();
      await figures?.stop();
      matchmaker.close();
      online.close();
      passwords.close();
      chat.lobby.close();
      await Promise.resolve(presence.hdel(NODES_KEY, matchMaker.processId)).catch(() => {});
      await gameServer.gracefullyShutdown(false).catch((err) => log.warn({ err }, "shutdown"));
      await liveness?.stop();
      leases.close();
      redis?.disconnect();
      await storage.partitionJob.stop();
      await engines?.close();
      await moveLog.drained();
      log.info(moveLog.stats, "moves written by group commit (batches, moves, largest batch, retries)");
      await audit.close(); // the games' last events (hand-overs, fenced writes) are in by now
      await storage.close();
      await metricsListener?.close();
      log.info("stopped");
    },
  };
}

/**
 * Where a new game's room goes: the less busy of two processes picked at
 * random ("power of two choices"). Colyseus' default, the least busy process,
 * reads room counts that are persisted about once a second, so a burst of
 * pairings would pile every new room onto the same node; two random choices
 * spread a burst while still favouring idle nodes (a node just added fills up).
 */
async function pickProcessForNewRoom(): Promise<string> {
  const all = await matchMaker.stats.fetchAll();
  if (all.length === 0) return matchMaker.processId;
  const a = all[Math.floor(Math.random() * all.length)];
  const b = all[Math.floor(Math.random() * all.length)];
  return (a.roomCount <= b.roomCount ? a : b).processId;
}
