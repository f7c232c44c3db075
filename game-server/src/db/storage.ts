/**
 * A node's PostgreSQL: the embedded server (no DATABASE_URL) or the one
 * configured, migrated; the pool and Prisma client on it; the partition job
 * (months made ahead, old ones retired); and the reads the read replica may
 * serve (REPLICA_DATABASE_URL).
 */
import { resolve } from "node:path";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { replicaMetrics } from "../metrics/replica.ts";
import { type Database, openDatabase } from "./client.ts";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded.ts";
import { type LeaderboardJob, startLeaderboardJob } from "./leaderboard.ts";
import { migrate } from "./migrate.ts";
import { archiveDirOf } from "./partitions/archive.ts";
import { startPartitionJob } from "./partitions/job.ts";
import { createReads, type Reads, withPrimaryCredentials } from "./reads.ts";

export interface Storage {
  databaseUrl: string;
  database: Database;
  /** History, replay and the operator page's reads: the replica when up and fresh, else the primary. */
  reads: Reads;
  partitionJob: ReturnType<typeof startPartitionJob>;
  /** The leaderboards' refresh, every LEADERBOARD_REFRESH_S by one node at a time (db/leaderboard.ts). */
  leaderboardJob: LeaderboardJob;
  /** Close the reads and the pool, and stop the embedded PostgreSQL if this node started it (after the job). */
  close(): Promise<void>;
}

/** Open the node's database as `config` says; paths in `config` are relative to `root` (the repository). */
export async function openStorage(config: Config, log: Logger, metrics: Metrics, root: string): Promise<Storage> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: resolve(root, config.dataDir),
      port: config.embeddedPgPort,
      log,
      tablespaces: config.tablespaces,
      archive: config.walArchive
        ? { backupDir: resolve(root, config.backupDir), timeoutS: config.walArchiveTimeoutS }
        : undefined,
    });
    databaseUrl = embedded.url;
  } else {
    log.info({ database: redact(databaseUrl) }, "using DATABASE_URL");
  }

  const applied = await migrate(databaseUrl, resolve(root, "prisma/migrations"), log, config.tablespaces);
  log.info({ applied: applied.length }, applied.length ? "database migrated" : "database schema up to date");

  const database = openDatabase(databaseUrl, config.dbPoolSize, (err) => {
    metrics.dbErrors.inc({ kind: "idle" });
    log.warn({ err: err.message }, "an idle database connection failed");
  });
  // Month partitions made ahead and retired (db/partitions/): at start, then hourly, one node at a time.
  const partitionJob = startPartitionJob(
    database.pool,
    {
      aheadMonths: config.partitionsAheadMonths,
      keepMonths: { Move: config.moveKeepMonths, AuditEvent: config.auditKeepMonths },
      archiveDir: archiveDirOf(resolve(root, config.backupDir)),
    },
    log,
    metrics.registry,
  );
  // The leaderboards recomputed on the primary (db/leaderboard.ts): every node looks, one does it.
  const leaderboardJob = startLeaderboardJob(database.pool, config.leaderboardRefreshS, log);
  // The read replica (REPLICA_DATABASE_URL): history and replay only; hosting and takeover read the primary.
  const replicaStats = replicaMetrics(metrics.registry);
  const reads = createReads({
    primary: database.db,
    primaryPool: database.pool,
    replicaUrl: config.replicaDatabaseUrl && withPrimaryCredentials(config.replicaDatabaseUrl, databaseUrl),
    maxLagS: config.replicaMaxLagS,
    poolSize: Math.max(2, Math.ceil(config.dbPoolSize / 2)),
    counter: replicaStats.reads,
    log,
  });
  replicaStats.watch(reads.state, config.replicaDatabaseUrl);
  if (config.replicaDatabaseUrl) log.info({ replica: redact(config.replicaDatabaseUrl) }, "read replica configured");

  return {
    databaseUrl,
    database,
    reads,
    partitionJob,
    leaderboardJob,
    async close() {
      await leaderboardJob.stop();
      await reads.close();
      await database.close();
      if (embedded) await embedded.stop();
    },
  };
}

/** `url` with its password masked, for the logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable)";
  }
}
