/**
 * The restore drill, with real processes throughout: an embedded PostgreSQL
 * archiving its WAL (as `npm start` and `npm run cluster` run it), a node,
 * players playing Connect Four through the public API; `npm run backup --
 * --base` while they play; more play; a time T; more play; the data directory
 * destroyed; `npm run restore -- --to T`; PostgreSQL started on the restored
 * directory. Every move acknowledged up to T must be there, and none sent
 * after T.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chooseBotMove, createRng, getGame, replay, type Seat as SeatIndex } from "@tabula/shared/rules";
import { afterAll, describe, expect, it } from "vitest";
import { type PostgresHandle, REPO_ROOT, silentSink, startEmbeddedPostgresProcess } from "../../../compose/processes.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { readSystemId as readSystemIdOf, walArchiveDir } from "../../src/ops/backup/archive.ts";
import { listBaseBackups, walPosition } from "../../src/ops/backup/layout.ts";

/** archive_timeout of the drill's server, s: the most the drill waits for the segment holding T to be archived. */
const ARCHIVE_TIMEOUT_S = 10;
/** Pause before each move, ms. */
const THINK_MS = 60;

interface PlayedMove {
  gameId: string;
  ply: number;
  move: string;
  sentAt: number;
  ackedAt: number;
}

const dir = mkdtempSync(join(tmpdir(), "tabula-drill-"));
chmodSync(dir, 0o755); // postgres (run as its own user when we are root) must reach the folders inside
const pgDir = join(dir, "pg");
const backupDir = join(dir, "backups");
const archive = { backupDir, timeoutS: ARCHIVE_TIMEOUT_S };
let pg: PostgresHandle | undefined;
let node: NodeProcess | undefined;

afterAll(async () => {
  node?.child.kill("SIGTERM");
  await node?.exited;
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Run one of our CLIs (`npm run backup` / `npm run restore`) as a real process; resolves with its exit code and output. */
function cli(script: "backupCli" | "restoreCli", args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, `game-server/src/ops/backup/${script}.ts`), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, BACKUP_DIR: backupDir, DATA_DIR: pgDir, DATABASE_URL: pg?.url ?? "", LOG_LEVEL: "warn" },
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

/**
 * Two players play Connect Four games against each other on `base`, one after another, until `stop()`; every move each sent
 * and saw acknowledged is appended to `played` with when it was sent and acknowledged.
 */
function playUntilStopped(base: string, tag: string, played: PlayedMove[]) {
  let stopped = false;
  const run = (async () => {
    const a = await newPlayer(base, `${tag}-a`);
    const b = await newPlayer(base, `${tag}-b`);
    while (!stopped) {
      const [gameId, other] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
      if (gameId !== other) throw new Error(`the two players were paired into different games (${gameId}, ${other})`);
      const seats = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
      const def = getGame("connect4")!;
      while (!stopped && seats[0].snapshot?.status === "active") {
        const s = seats[0].snapshot;
        const toMove = (s.view as { toMove: number }).toMove;
        const seat = seats.find((x) => x.seat === toMove);
        if (!seat) throw new Error(`game ${gameId}: no seat to move at ply ${s.ply}`);
        const state = replay(
          def,
          s.seed,
          s.moves.map((m) => m.move),
        );
        if (!state.ok) throw new Error(`game ${gameId} does not replay`);
        const move = chooseBotMove(def, state.state, toMove as SeatIndex, createRng(`${s.seed}:${s.ply}`));
        // A pause as a player's: clients sending more than MAX_MESSAGES_PER_SECOND are disconnected.
        await new Promise((r) => setTimeout(r, THINK_MS));
        const sentAt = Date.now();
        await seat.play(move);
        played.push({ gameId, ply: s.ply, move, sentAt, ackedAt: Date.now() });
        // Both seats see the move before the next is chosen (from seats[0]'s view).
        for (const x of seats) await x.until((y) => (y.snapshot?.ply ?? 0) > s.ply, "both seats to see the move");
      }
      for (const s of seats) void s.room.leave(true).catch(() => {});
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await run;
    },
  };
}

/** Wait until `cond()` holds, polling every 100 ms; fail with `what` after `ms`. */
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the restore drill", () => {
  it("restores every move acknowledged up to a chosen time, and none sent after it", async () => {
    pg = await startEmbeddedPostgresProcess({ dataDir: pgDir, output: silentSink, archive });
    node = await spawnNode({ DATABASE_URL: pg.url });
    const played: PlayedMove[] = [];
    // One pair at a time: two pairs quick-playing at once could be paired across.
    const players = [playUntilStopped(node.url, "drill", played)];
    await waitFor(() => played.length >= 10, "10 moves before the backup");

    // A base backup while they play, through the CLI the operator uses.
    const backup = await cli("backupCli", ["--base"]);
    expect(backup.code, backup.out).toBe(0);
    expect(backup.out).toMatch(/base backup \S+: done/);
    const afterBackup = played.length;
    await waitFor(() => played.length >= afterBackup + 10, "10 moves after the backup");

    const T = new Date();
    await waitFor(() => played.filter((m) => m.sentAt > T.getTime()).length >= 10, "10 moves sent after T");
    await Promise.all(players.map((p) => p.stop()));

    // The segment holding the moves after T reaches the archive by archive_timeout (what bounds the loss in production).
    const [{ lsn }] = await query<{ lsn: string }>(pg.url, "SELECT pg_current_wal_lsn()::text AS lsn");
    await waitFor(
      async () => {
        const [r] = await query<{ done: boolean }>(
          pg!.url,
          "SELECT last_archived_wal >= pg_walfile_name($1::pg_lsn) AS done FROM pg_stat_archiver",
          [lsn],
        );
        return r?.done === true;
      },
      "the WAL after T to be archived",
      (ARCHIVE_TIMEOUT_S + 20) * 1000,
    );

    const listed = await cli("restoreCli", ["--list"]);
    expect(listed.code, listed.out).toBe(0);
    expect(listed.out).toMatch(/base \d{8}T\d{6}Z\s+finished/);

    // Disaster: the node and PostgreSQL go, and so does the data directory.
    node.child.kill("SIGTERM");
    await node.exited;
    node = undefined;
    await pg.stop();
    rmSync(pgDir, { recursive: true, force: true });

    // Before the backup finished there is nothing to restore from: exit 4.
    const tooEarly = await cli("restoreCli", ["--to", new Date(T.getTime() - 3_600_000).toISOString()]);
    expect(tooEarly.code, tooEarly.out).toBe(4);

    const restored = await cli("restoreCli", ["--to", T.toISOString()]);
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toMatch(/recovery stopping before commit/);
    // A second restore onto the restored (non-empty) directory is refused: exit 3.
    const again = await cli("restoreCli", ["--to", T.toISOString()]);
    expect(again.code, again.out).toBe(3);

    pg = await startEmbeddedPostgresProcess({ dataDir: pgDir, output: silentSink, archive });
    // Nor may a restore overwrite a running server's directory, even with --overwrite.
    const running = await cli("restoreCli", ["--latest", "--overwrite"]);
    expect(running.code, running.out).toBe(3);
    expect(running.out).toMatch(/running PostgreSQL/);

    const rows = await query<{ gameId: string; ply: number; move: string }>(pg.url, `SELECT "gameId", ply, move FROM "Move"`);
    const inDb = new Map(rows.map((r) => [`${r.gameId}:${r.ply}`, r.move]));
    const ackedBeforeT = played.filter((m) => m.ackedAt <= T.getTime());
    const sentAfterT = played.filter((m) => m.sentAt > T.getTime());
    expect(ackedBeforeT.length).toBeGreaterThanOrEqual(20);
    const missing = ackedBeforeT.filter((m) => inDb.get(`${m.gameId}:${m.ply}`) !== m.move);
    expect(missing, "moves acknowledged before T missing after the restore").toEqual([]);
    const present = sentAfterT.filter((m) => inDb.has(`${m.gameId}:${m.ply}`));
    expect(present, "moves sent after T present after the restore").toEqual([]);
    expect(readdirSync(pgDir)).toContain("PG_VERSION");
  });

  it("takes base backups on schedule and prunes old ones and the WAL they alone needed", async () => {
    pg ??= await startEmbeddedPostgresProcess({ dataDir: pgDir, output: silentSink, archive });
    const walDir = walArchiveDir(backupDir, readSystemIdOf(pgDir));
    const oldestBefore = readdirSync(walDir)
      .filter((f) => walPosition(f) !== undefined)
      .sort()[0];
    expect(oldestBefore).toBeDefined();
    let out = "";
    const schedule = spawn(process.execPath, [join(REPO_ROOT, "game-server/src/ops/backup/backupCli.ts"), "--schedule"], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: pg.url,
        BACKUP_DIR: backupDir,
        BACKUP_EVERY_H: "0.0005", // 1.8 s
        BACKUP_KEEP_DAILY: "1",
        BACKUP_KEEP_WEEKLY: "0",
        BACKUP_KEEP_MONTHLY: "0",
        LOG_JSON: "true",
      },
    });
    const exited = new Promise<number | null>((resolve) => schedule.on("exit", resolve));
    schedule.stdout.on("data", (d) => (out += String(d)));
    schedule.stderr.on("data", (d) => (out += String(d)));
    try {
      await waitFor(() => (out.match(/base backup \S+: done/g) ?? []).length >= 2, "two scheduled base backups", 60_000);
    } finally {
      schedule.kill("SIGTERM");
    }
    expect(await exited, out).toBe(0);
    expect(out).toMatch(/backup schedule stopped/);

    // Keep one daily backup and nothing else: only the newest is left, with the WAL from its start on.
    const left = listBaseBackups(backupDir);
    expect(
      left.map((b) => b.id),
      out,
    ).toHaveLength(1);
    const kept = left[0]!;
    const segments = readdirSync(walDir).filter((f) => walPosition(f) !== undefined);
    expect(segments.length).toBeGreaterThan(0);
    expect(segments).not.toContain(oldestBefore);
    expect(segments.filter((f) => (walPosition(f) as string) < kept.startWal.slice(8))).toEqual([]);
  });
});
