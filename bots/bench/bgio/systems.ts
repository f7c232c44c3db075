/**
 * boardgame.io as benchmark systems (see ../types.ts): its 0.50 server
 * (server.ts, a child process) with its in-memory store, and with a
 * PostgreSQL store, bgio-postgres, on an embedded PostgreSQL of its own. Both
 * are loaded by driver.ts, boardgame.io's own client.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { exitedError } from "../../../compose/http.ts";
import { type PostgresHandle, startEmbeddedPostgresProcess } from "../../../compose/postgresProcess.ts";
import { type ManagedProcess, sleep, spawnProcess } from "../../../compose/spawn.ts";
import type { BenchSystem, DriverSpec, LoadShape, RunningSystem } from "../types.ts";

const SERVER_SCRIPT = fileURLToPath(new URL("./server.ts", import.meta.url));
const DRIVER_SCRIPT = fileURLToPath(new URL("./driver.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
/** What server.ts prints once it listens (with its port). */
const READY = /^BGIO_READY (\d+)$/;

/** The version in the labels: the one package.json pins. */
const BGIO = "boardgame.io 0.50";

/**
 * Start server.ts with `args`; resolves with the process and its URL once it
 * prints its ready line. Runs with NODE_ENV=production, as boardgame.io is deployed.
 */
async function startServer(args: string[], log: (line: string) => void): Promise<{ proc: ManagedProcess; url: string }> {
  let port: number | undefined;
  const proc = spawnProcess({
    name: "bgio",
    command: process.execPath,
    args: [SERVER_SCRIPT, ...args],
    env: { ...process.env, NODE_ENV: "production" },
    output: (line) => {
      const m = READY.exec(line);
      if (m) port = Number(m[1]);
      else log(`[bgio] ${line}`);
    },
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (port === undefined) {
    if (proc.hasExited()) throw await exitedError(proc, "during start-up");
    if (Date.now() > deadline) {
      await proc.stop(5_000);
      throw new Error(`the boardgame.io server did not start within ${START_TIMEOUT_MS} ms`);
    }
    await sleep(50);
  }
  return { proc, url: `http://127.0.0.1:${port}` };
}

function driverFor(url: string): (shape: LoadShape) => DriverSpec {
  return (shape) => ({
    script: DRIVER_SCRIPT,
    args: [
      "--server",
      url,
      "--players",
      String(shape.players),
      "--duration",
      String(shape.durationMs),
      "--warmup",
      String(shape.warmupMs),
    ],
  });
}

/**
 * The database's processes: the postmaster (first line of postmaster.pid in
 * its data folder) and its children (backends, WAL writer, checkpointer, …),
 * read from /proc at each call since backends come and go.
 */
export function postgresPids(dataDir: string): number[] {
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return [];
  }
  const pids = [postmaster];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the ")" that ends the command name: state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * Moves persisted by bgio-postgres. It keeps ONE row per match in "Games"
 * (the latest state and the match's whole log, both JSON, the log rewritten
 * on every move), not a row per move: so this counts the log entries of every
 * match that are moves (action type MAKE_MOVE), i.e. the moves it has stored.
 */
export const COUNT_PERSISTED_MOVES = `SELECT count(*)::int AS n FROM "Games", json_array_elements("Games".log) AS e WHERE e->'action'->>'type' = 'MAKE_MOVE'`;

const memory: BenchSystem = {
  id: "bgio-memory",
  label: `${BGIO}, in-memory`,
  persisted: false,
  async start(log) {
    const server = await startServer(["--store", "memory"], log);
    return {
      serverPids: () => [server.proc.pid],
      databasePids: () => [],
      driver: driverFor(server.url),
      countMoves: async () => null,
      stop: async () => void (await server.proc.stop(10_000)),
    };
  },
};

const postgres: BenchSystem = {
  id: "bgio-postgres",
  label: `${BGIO} + bgio-postgres`,
  persisted: true,
  async start(log) {
    const dir = mkdtempSync(join(tmpdir(), "bench-bgio-pg-"));
    chmodSync(dir, 0o755); // postgres (its own user when we are root) must reach the folder inside
    // Inside `dir`: the tablespaces made beside the data directory go with it.
    const dataDir = join(dir, "data");
    let db: PostgresHandle | undefined;
    let server: { proc: ManagedProcess; url: string } | undefined;
    const stop = async () => {
      await server?.proc.stop(10_000);
      await db?.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      db = await startEmbeddedPostgresProcess({ dataDir, output: (line) => log(`[bgio-pg] ${line}`) });
      server = await startServer(["--store", "postgres", "--db", db.url], log);
    } catch (err) {
      await stop();
      throw err;
    }
    const url = db.url;
    const running: RunningSystem = {
      serverPids: () => (server ? [server.proc.pid] : []),
      databasePids: () => postgresPids(dataDir),
      driver: driverFor(server.url),
      async countMoves() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query<{ n: number }>(COUNT_PERSISTED_MOVES)).rows[0].n;
        } finally {
          await client.end();
        }
      },
      stop,
    };
    return running;
  },
};

export const bgioSystems: BenchSystem[] = [memory, postgres];
