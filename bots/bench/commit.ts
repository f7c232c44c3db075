/**
 * `npm run bench:commit` — the write path alone, side by side: the same games
 * and moves written (a) one statement per move through Prisma, as before group
 * commit, and (b) by group commit at several concurrencies. No game node, no
 * sockets: `--games` loops each commit a move as soon as their previous one
 * committed (think time 0), against one embedded PostgreSQL, for `--seconds`
 * per variant. Prints moves/s, commit latency p50/p99, the mean batch size,
 * and CPU per move of PostgreSQL (the postmaster and all its backends, from
 * /proc) and of this process (the client side of the write path).
 *
 *     npm run bench:commit -- [--games 100] [--seconds 8] [--json out.json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgresProcess } from "../../compose/processes.ts";
import { type Database, openDatabase } from "../../game-server/src/db/client.ts";
import { createGameRepository } from "../../game-server/src/db/games.ts";
import { GroupCommit } from "../../game-server/src/db/groupCommit.ts";
import { migrate } from "../../game-server/src/db/migrate.ts";
import { newGameId } from "../../game-server/src/game/gameId.ts";
import { createLogger } from "../../game-server/src/log.ts";
import { allStats, descendants } from "./procstat.ts";

const { values: opts } = parseArgs({
  options: {
    games: { type: "string", default: "100" },
    seconds: { type: "string", default: "8" },
    json: { type: "string" },
    "by-process": { type: "boolean", default: false },
  },
});
const GAMES = Number(opts.games);
const SECONDS = Number(opts.seconds);

/** CPU of `root`'s process tree, counting processes that ended meanwhile as they were last seen. */
function treeCpu(root: number, seen: Map<number, number>): number {
  const stats = allStats();
  for (const pid of descendants([root], stats)) seen.set(pid, stats.get(pid)?.cpuMs ?? seen.get(pid) ?? 0);
  let sum = 0;
  for (const v of seen.values()) sum += v;
  return sum;
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

interface Variant {
  name: string;
  /** Commit move `ply` of game `id` (fence 1); true when written. */
  commit: (id: string, ply: number) => Promise<boolean>;
  stats?: () => { batches: number; moves: number };
}

async function main() {
  const log = createLogger({ level: "warn", json: false, nodeId: "bench" });
  const dir = mkdtempSync(join(tmpdir(), "tabula-bench-commit-"));
  console.error(`starting an embedded PostgreSQL in ${dir} …`);
  const pg = await startEmbeddedPostgresProcess({ dataDir: dir, output: () => {} });
  let database: Database | undefined;
  try {
    await migrate(pg.url, resolve(import.meta.dirname, "../../prisma/migrations"), log);
    database = openDatabase(pg.url, 10);
    const { db, pool } = database;
    const pgRoot = pg.process.pid;
    const seat = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];
    for (const [i, id] of seat.entries()) await db.player.create({ data: { id, name: `bench${i}`, nameKey: `bench${i}` } });

    const variants: Variant[] = [
      {
        name: "one Prisma statement per move (before)",
        commit: async (id, ply) => {
          const n = await db.$executeRaw`
            WITH g AS (
              UPDATE "Game" SET ply = ply + 1, "clock0Ms" = ${1000}, "clock1Ms" = ${1000},
                "turnStartedAt" = ${new Date()}::timestamptz, "deadlineAt" = ${null}::timestamptz,
                status = ${"active"}, winner = ${null}::int, "resultReason" = ${null},
                "endedAt" = ${null}::timestamptz, "drawOffer" = NULL
              WHERE id = ${id} AND ply = ${ply} AND status = 'active' AND "leaseToken" = ${1n}
              RETURNING id)
            INSERT INTO "Move" ("gameId", ply, seat, move, san, "clockMs", "createdAt")
            SELECT id, ${ply}, ${ply % 2}, ${"3"}, ${"d1"}, ${1000}, ${new Date()}::timestamptz FROM g`;
          return n === 1;
        },
      },
      ...[1, 2, 4].map((concurrency): Variant => {
        const gc = new GroupCommit(pool, { concurrency });
        return {
          name: `group commit, ${concurrency} in flight`,
          commit: (id, ply) =>
            gc.commit({
              fence: 1n,
              gameId: id,
              move: { ply, seat: ply % 2 === 0 ? 0 : 1, move: "3", san: "d1", clockMs: 1000, at: Date.now() },
              clocks: { clock0Ms: 1000, clock1Ms: 1000, turnStartedAt: Date.now(), deadlineAt: null },
              ending: null,
            }),
          stats: () => gc.stats,
        };
      }),
    ];

    const games = createGameRepository(db, pool, new GroupCommit(pool));
    /** Bytes of write-ahead log written so far. */
    const walBytes = async () =>
      Number((await pool.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8 AS b")).rows[0].b);
    const results = [];
    for (const variant of variants) {
      // Time-ordered ids, as the factory makes them: the moves go to this month's partition, as live play's do.
      const ids = Array.from({ length: GAMES }, () => newGameId());
      for (const id of ids) {
        await games.insertGame({
          ...{ id, kind: "connect4", timeControl: "5+0", initialMs: 300_000, incrementMs: 0, seed: id, mode: "casual" },
          ...{ seat0Id: seat[0], seat1Id: seat[1], clock0Ms: 1000, clock1Ms: 1000, turnStartedAt: null, deadlineAt: null },
          ...{ ownerNode: "bench", rematchOfId: null, rated: false, ratingPool: null },
        });
        await games.takeOwnership(id, "bench");
      }
      const rtts: number[] = [];
      let moves = 0;
      let failed = 0;
      const seen = new Map<number, number>();
      const before = { ...(variant.stats?.() ?? { batches: 0, moves: 0 }) };
      const wal0 = await walBytes();
      const pg0 = treeCpu(pgRoot, seen);
      const perPid0 = new Map(seen);
      const self0 = process.cpuUsage();
      const end = performance.now() + SECONDS * 1000;
      await Promise.all(
        ids.map(async (id) => {
          for (let ply = 0; performance.now() < end; ply++) {
            const t = performance.now();
            if (await variant.commit(id, ply)) {
              rtts.push(performance.now() - t);
              moves++;
            } else failed++;
          }
        }),
      );
      const self = process.cpuUsage(self0);
      const pgMs = treeCpu(pgRoot, seen) - pg0;
      const wal = (await walBytes()) - wal0;
      if (opts["by-process"]) byProcess(perPid0, seen, moves);
      const after = variant.stats?.() ?? { batches: 0, moves: 0 };
      rtts.sort((a, b) => a - b);
      const row = {
        variant: variant.name,
        games: GAMES,
        movesPerS: Math.round(moves / SECONDS),
        p50Ms: Number(pct(rtts, 50).toFixed(2)),
        p99Ms: Number(pct(rtts, 99).toFixed(2)),
        failed,
        meanBatch: after.batches > before.batches ? (after.moves - before.moves) / (after.batches - before.batches) : 1,
        pgCpuMsPerMove: pgMs / moves,
        clientCpuMsPerMove: (self.user + self.system) / 1000 / moves,
        walBytesPerMove: Math.round(wal / moves),
      };
      results.push(row);
      console.error(
        `${row.variant.padEnd(40)} ${String(row.movesPerS).padStart(6)} moves/s  p50 ${row.p50Ms.toFixed(2)} p99 ${row.p99Ms.toFixed(2)} ms` +
          `  batch ${row.meanBatch.toFixed(1).padStart(5)}  PostgreSQL ${row.pgCpuMsPerMove.toFixed(3)} ms/move` +
          `  client ${row.clientCpuMsPerMove.toFixed(3)} ms/move  WAL ${row.walBytesPerMove} B/move${failed ? `  FAILED ${failed}` : ""}`,
      );
    }
    const [hot] = await db.$queryRaw<Array<{ upd: bigint; hot: bigint }>>`
      SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'Game'`;
    console.error(`"Game" updates: ${hot.upd}, of which HOT (no index touched): ${hot.hot} (${pctOf(hot.hot, hot.upd)})`);
    const stored = await db.move.count();
    const acked = results.reduce((s, r) => s + r.movesPerS * SECONDS, 0);
    console.error(`rows in "Move": ${stored} (acknowledged ≈ ${acked}, rounding per variant)`);
    if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ machine: machine(), results }, null, 2)}\n`);
    console.log(JSON.stringify(results));
  } finally {
    await database?.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-tablespaces`, { recursive: true, force: true });
  }
}

/** The share of a process's CPU so far spent in user mode (the rest is the kernel's: syscalls, fsync). */
function userShare(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return `${Math.round((Number(f[11]) / (Number(f[11]) + Number(f[12]))) * 100)} %`;
  } catch {
    return "?";
  }
}

/** CPU per move of each PostgreSQL process that used any (the backends, the WAL writer, autovacuum …). */
function byProcess(before: Map<number, number>, after: Map<number, number>, moves: number): void {
  const rows: Array<[string, number]> = [];
  for (const [pid, ms] of after) {
    const d = ms - (before.get(pid) ?? 0);
    if (d <= 0) continue;
    let name = String(pid);
    try {
      name = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() || name;
    } catch {}
    rows.push([`${name} (user ${userShare(pid)})`, d / moves]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  for (const [name, perMove] of rows) console.error(`    ${perMove.toFixed(4)} ms/move  ${name.slice(0, 70)}`);
}

const pctOf = (a: bigint, b: bigint) => (b > 0n ? `${((Number(a) / Number(b)) * 100).toFixed(0)} %` : "-");

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
  return {
    cpu,
    cores: readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length,
    load: readFileSync("/proc/loadavg", "utf8").trim(),
  };
}

main().catch((err) => {
  console.error(`bench:commit failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
