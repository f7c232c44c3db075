/**
 * The read replica, with real processes throughout: an embedded PostgreSQL
 * primary (as `npm run cluster` runs it), a hot standby built from it by
 * db/replica.ts (base copy + streaming replication through a slot), and a node
 * with REPLICA_DATABASE_URL. Players play Connect Four through the public API;
 * their moves reach the replica; history and replay are served by it (seen in
 * the node's tabula_replica_reads_total and in the replica's own
 * pg_stat_activity), and so is the operator page's audit search; a game just finished is read from the primary while the
 * replica has not replayed it (read-your-writes); past REPLICA_MAX_LAG_S
 * (replay paused) reads go to the primary and the lag metric shows it; with
 * the standby's postmaster SIGKILLed the same requests still answer, from the
 * primary; and the standby never saw a write. The leaderboard (a materialized
 * view refreshed on the primary) and profiles are served by the replica too.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  type GameNodeHandle,
  type PostgresHandle,
  REPO_ROOT,
  silentSink,
  startEmbeddedPostgresProcess,
  startGameNode,
} from "../../../compose/processes.ts";
import { createTokenService } from "../../src/auth/tokens.ts";
import { type Standby, startStandby } from "../../src/db/replica.ts";
import { migrate } from "../../src/db/migrate.ts";
import { ensureDirsForPostgres } from "../../src/ops/backup/archive.ts";
import { createLogger } from "../../src/log.ts";
import type { LeaderboardResponse, ProfileResponse } from "@tabula/shared/protocol";
import { http, newPlayer, type Player, quickPlay, Seat } from "../support/clients.ts";
import { query } from "../support/db.ts";

const dir = mkdtempSync(join(tmpdir(), "tabula-replica-"));
chmodSync(dir, 0o755); // postgres (its own user when we are root) must reach the folders inside
const log = createLogger({ level: process.env.TEST_CLUSTER_LOG ? "info" : "warn", json: false, nodeId: "test" });
let pg: PostgresHandle;
let standby: Standby | undefined;
let node: GameNodeHandle | undefined;
const lines: string[] = [];

const TOKEN_SECRET = "replica-tests-secret-0123456789abcdef";
/** An operator (ADMIN_PLAYER_IDS) of the nodes below: the operator page's audit search is a replica read too. */
const operator = { playerId: randomUUID(), name: "Operator" };

/** Start a node on the primary with the replica at `replicaUrl` and lag bound `maxLagS`. */
async function startNode(replicaUrl: string, maxLagS: number): Promise<GameNodeHandle> {
  return startGameNode({
    id: `r${Math.floor(Math.random() * 1e6)}`,
    env: {
      NODE_ENV: "test",
      CLIENT_DIST: "",
      LOG_JSON: "true",
      LOG_LEVEL: "info",
      TOKEN_SECRET,
      ADMIN_PLAYER_IDS: operator.playerId,
      DATABASE_URL: pg.url,
      REPLICA_DATABASE_URL: replicaUrl,
      REPLICA_MAX_LAG_S: String(maxLagS),
      LEADERBOARD_REFRESH_S: "1",
      REDIS_URL: undefined,
    },
    output: (line) => lines.push(line),
  });
}

/** The node's `tabula_replica_*` samples, e.g. `reads{target="replica",reason="fresh"}` → 3. */
async function replicaMetrics(n: GameNodeHandle): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${n.metricsPort}/metrics`)).text();
  const out = new Map<string, number>();
  // The gauges' `replica` label (host:port) is left out of the key: one replica here.
  for (const m of text.matchAll(/^tabula_replica_(\S+) (\S+)$/gm))
    out.set((m[1] as string).replace(/\{replica="[^"]*"\}$/, ""), Number(m[2]));
  return out;
}
const reads = (m: Map<string, number>, target: string, reason: string) =>
  m.get(`reads_total{target="${target}",reason="${reason}"}`) ?? 0;

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Two new players play `moves` Connect Four moves and the second resigns; resolves with the game id once it
 * is over on the primary. `beforeEnd` runs between the last move and the resignation.
 */
async function playAGame(
  base: string,
  tag: string,
  moves = 4,
  beforeEnd: (gameId: string) => Promise<void> = async () => {},
): Promise<{ gameId: string; a: Player; b: Player }> {
  const a = await newPlayer(base, `${tag}a`);
  const b = await newPlayer(base, `${tag}b`);
  const [gameId, other] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
  expect(other).toBe(gameId);
  const seats = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
  for (let i = 0; i < moves; i++) {
    const toMove = (seats[0].snapshot!.view as { toMove: number }).toMove;
    const seat = seats.find((s) => s.seat === toMove)!;
    // Columns 0..3 in turn: no four in a row within four moves.
    await seat.play(String(i % 4));
    for (const s of seats) await s.until((x) => (x.snapshot?.ply ?? 0) > i, "both seats to see the move");
  }
  await beforeEnd(gameId);
  seats[1].room.send("resign", {});
  await waitFor(
    async () => (await query(pg.url, `SELECT status FROM "Game" WHERE id = $1`, [gameId]))[0]?.status !== "active",
    "the game to end on the primary",
  );
  for (const s of seats) void s.room.leave(true).catch(() => {});
  return { gameId, a, b };
}

const onReplica = async (sql: string, params: unknown[] = []) => query(standby!.url, sql, params);
const replayPaused = async () => (await onReplica("SELECT pg_is_wal_replay_paused() AS p"))[0]?.p === true;

const tablespaceDir = join(dir, "volume-b");

beforeAll(async () => {
  pg = await startEmbeddedPostgresProcess({ dataDir: join(dir, "pg"), output: silentSink });
  // A tablespace on "another volume" with rows in it, before the standby is built: its copy must carry them.
  ensureDirsForPostgres(tablespaceDir);
  await query(pg.url, `CREATE TABLESPACE probe_space LOCATION '${tablespaceDir}'`);
  await query(pg.url, "CREATE TABLE probe (n int) TABLESPACE probe_space");
  await query(pg.url, "INSERT INTO probe SELECT generate_series(1, 100)");
  // The migrations first, as the cluster script does: one that made a tablespace while the standby ran would
  // be replayed at the primary's own folder (same machine; db/replica.ts).
  await migrate(pg.url, join(REPO_ROOT, "prisma/migrations"), log);
  standby = await startStandby({ primaryUrl: pg.url, dataDir: join(dir, "replica"), port: await freePort(), log });
});

afterAll(async () => {
  await node?.stop(10_000);
  await standby?.stop().catch(() => {});
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the read replica", () => {
  let finished: { gameId: string; a: Player };

  it("copies the primary's tablespaces into folders of its own, and keeps following them", async () => {
    // Every one of them: the move log's (moves_a, moves_b, moves_c: the embedded primary makes them) and ours.
    const spaces = await onReplica(
      "SELECT spcname AS name, pg_tablespace_location(oid) AS path FROM pg_tablespace WHERE spcname NOT LIKE 'pg\\_%' ORDER BY 1",
    );
    expect(spaces.map((t) => t.name)).toEqual(["moves_a", "moves_b", "moves_c", "probe_space"]);
    for (const t of spaces) expect(t.path, String(t.name)).toMatch(new RegExp(`^${join(dir, "replica")}\\.tablespaces/\\d+$`));
    expect((await onReplica("SELECT count(*)::int AS n FROM probe"))[0]?.n).toBe(100);
    await query(pg.url, "INSERT INTO probe VALUES (101)");
    await waitFor(
      async () => (await onReplica("SELECT count(*)::int AS n FROM probe"))[0]?.n === 101,
      "the new row on the replica",
    );
    // The primary's own tablespace folder holds only the primary's files: the standby never wrote there.
    expect(
      (await query(pg.url, "SELECT pg_tablespace_location(oid) AS path FROM pg_tablespace WHERE spcname = 'probe_space'"))[0]
        ?.path,
    ).toBe(tablespaceDir);
  });

  it("streams the primary's writes, and serves history and replay", async () => {
    node = await startNode(standby!.url, 30);
    const game = await playAGame(node.url, "rep");
    finished = game;
    // Every move reaches the standby (the node's migrations did before: the tables are there).
    await waitFor(
      async () =>
        (await onReplica(`SELECT count(*)::int AS n FROM "Move" WHERE "gameId" = $1`, [game.gameId]))[0]?.n === 4 &&
        (await onReplica(`SELECT status FROM "Game" WHERE id = $1`, [game.gameId]))[0]?.status === "finished",
      "the game's moves and end on the replica",
    );
    await waitFor(async () => (await replicaMetrics(node!)).get("up") === 1, "the node to see the replica up");

    const before = await replicaMetrics(node);
    const replay = await http<{ game: { status: string }; moves: unknown[] }>(node.url, "GET", `/api/games/${game.gameId}`);
    expect(replay.status).toBe(200);
    expect(replay.body.game.status).toBe("finished");
    expect(replay.body.moves).toHaveLength(4);
    const history = await http<{ games: { gameId: string }[] }>(node.url, "GET", "/api/games", game.a.token);
    expect(history.status).toBe(200);
    expect(history.body.games.map((g) => g.gameId)).toEqual([game.gameId]);
    const after = await replicaMetrics(node);
    expect(reads(after, "replica", "fresh") - reads(before, "replica", "fresh")).toBe(2);
    expect(after.get("lag_seconds")).toBeLessThan(30);
    // The standby itself saw the node's reads: its connections are there, under the reads' name.
    const sessions = await onReplica(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tabula-reads'`);
    expect(sessions[0]?.n).toBeGreaterThan(0);

    // The operator page's audit search is served by the replica as well.
    await query(pg.url, `INSERT INTO "Player" (id, name, "nameKey") VALUES ($1, $2, $3)`, [
      operator.playerId,
      operator.name,
      operator.name.toLowerCase(),
    ]);
    const token = await createTokenService(TOKEN_SECRET, 1).sign(operator);
    const searched = await replicaMetrics(node);
    const audit = await http<{ entries: { kind: string }[] }>(node.url, "GET", "/api/admin/audit?kind=identity.created", token);
    expect(audit.status).toBe(200);
    expect(audit.body.entries.length).toBeGreaterThan(0);
    expect(reads(await replicaMetrics(node), "replica", "fresh") - reads(searched, "replica", "fresh")).toBe(1);
  });

  it("serves the leaderboard, refreshed on the primary and streamed, and profiles", async () => {
    // What a rated ending leaves (the ratings' own tests play it): player a established in connect4, from this game.
    await query(
      pg.url,
      `INSERT INTO "Rating" ("playerId", pool, rating, rd, volatility, games, wins) VALUES ($1, 'connect4', 1650, 90, 0.06, 1, 1)`,
      [finished.a.id],
    );
    await query(
      pg.url,
      `INSERT INTO "RatingChange" ("gameId", "playerId", pool, before, after, "rdBefore", "rdAfter") VALUES ($1, $2, 'connect4', 1500, 1650, 350, 90)`,
      [finished.gameId, finished.a.id],
    );
    // The node's refresh (every second) reaches the replica by streaming: the standby cannot refresh anything.
    await waitFor(
      async () =>
        (await onReplica(`SELECT rank FROM "LeaderboardEntry" WHERE pool = 'connect4' AND "playerId" = $1`, [finished.a.id]))[0]
          ?.rank === 1,
      "the refreshed board on the replica",
    );
    const before = await replicaMetrics(node!);
    const board = await http<LeaderboardResponse>(node!.url, "GET", "/api/leaderboard/connect4", finished.a.token);
    expect(board.status).toBe(200);
    expect(board.body.entries).toMatchObject([{ rank: 1, playerId: finished.a.id, rating: 1650 }]);
    expect(board.body.you).toMatchObject({ rank: 1, rating: 1650, provisional: false });
    const profile = await http<ProfileResponse>(node!.url, "GET", `/api/players/${encodeURIComponent(finished.a.name)}`);
    expect(profile.status).toBe(200);
    expect(profile.body.ratings).toMatchObject([{ pool: "connect4", rating: 1650, rank: 1 }]);
    expect(profile.body.history).toMatchObject([{ pool: "connect4", points: [{ rating: 1650, gameId: finished.gameId }] }]);
    expect(profile.body.recentGames.map((g) => g.gameId)).toEqual([finished.gameId]);
    const after = await replicaMetrics(node!);
    expect(reads(after, "replica", "fresh") - reads(before, "replica", "fresh")).toBe(2);
    expect(reads(after, "primary", "stale")).toBe(reads(before, "primary", "stale"));
  });

  it("reads a game just finished from the primary while the replica has not replayed it (read-your-writes)", async () => {
    try {
      // The replica has the game, active with its two moves; replay pauses before the resignation.
      const game = await playAGame(node!.url, "ryw", 2, async (gameId) => {
        await waitFor(
          async () => (await onReplica(`SELECT ply FROM "Game" WHERE id = $1`, [gameId]))[0]?.ply === 2,
          "the replica to have the game's moves",
        );
        await onReplica("SELECT pg_wal_replay_pause()");
        await waitFor(replayPaused, "replay to pause");
      });
      const there = await onReplica(`SELECT status FROM "Game" WHERE id = $1`, [game.gameId]);
      expect(there[0]?.status).toBe("active");
      const state = await replicaMetrics(node!);
      expect(state.get("lag_seconds"), "still within the node's bound (30 s): not a lag fallback").toBeLessThan(30);

      const before = await replicaMetrics(node!);
      const replay = await http<{ game: { status: string }; moves: unknown[] }>(node!.url, "GET", `/api/games/${game.gameId}`);
      expect(replay.status).toBe(200);
      expect(replay.body.game.status).toBe("finished");
      expect(replay.body.moves).toHaveLength(2);
      const history = await http<{ games: { gameId: string; status: string }[] }>(node!.url, "GET", "/api/games", game.a.token);
      expect(history.body.games).toMatchObject([{ gameId: game.gameId, status: "finished" }]);
      // An old finished game is still the replica's to serve.
      const old = await http<{ moves: unknown[] }>(node!.url, "GET", `/api/games/${finished.gameId}`);
      expect(old.body.moves).toHaveLength(4);
      const after = await replicaMetrics(node!);
      expect(reads(after, "primary", "stale") - reads(before, "primary", "stale")).toBe(2);
      expect(reads(after, "replica", "fresh") - reads(before, "replica", "fresh")).toBe(1);
    } finally {
      await onReplica("SELECT pg_wal_replay_resume()");
    }
  });

  it("falls back to the primary while the replica lags past REPLICA_MAX_LAG_S, and the lag metric shows it", async () => {
    await node!.stop(10_000);
    node = await startNode(standby!.url, 1);
    await waitFor(async () => ((await replicaMetrics(node!)).get("lag_seconds") ?? 99) < 0.5, "the replica caught up");
    await onReplica("SELECT pg_wal_replay_pause()");
    try {
      await waitFor(replayPaused, "replay to pause");
      // Writes on the primary the paused replica does not replay: a new guest each 200 ms.
      await waitFor(async () => {
        await newPlayer(node!.url);
        return ((await replicaMetrics(node!)).get("lag_seconds") ?? 0) > 1;
      }, "the lag metric to pass the bound");
      const before = await replicaMetrics(node!);
      const replay = await http<{ moves: unknown[] }>(node!.url, "GET", `/api/games/${finished.gameId}`);
      expect(replay.status).toBe(200);
      expect(replay.body.moves).toHaveLength(4);
      const after = await replicaMetrics(node!);
      expect(reads(after, "primary", "lag") - reads(before, "primary", "lag")).toBe(1);
      expect(reads(after, "replica", "fresh")).toBe(reads(before, "replica", "fresh"));
    } finally {
      await onReplica("SELECT pg_wal_replay_resume()");
    }
    // Caught up again: back to the replica.
    await waitFor(async () => ((await replicaMetrics(node!)).get("lag_seconds") ?? 99) <= 1, "the replica to catch up");
    const before = await replicaMetrics(node!);
    expect((await http(node!.url, "GET", `/api/games/${finished.gameId}`)).status).toBe(200);
    expect(reads(await replicaMetrics(node!), "replica", "fresh") - reads(before, "replica", "fresh")).toBe(1);
  });

  it("never saw a write: no statement failed on the standby", async () => {
    const refused = standby!.problems().filter((l) => /read-only|cannot execute/i.test(l));
    expect(refused).toEqual([]);
    const rollbacks = await onReplica(`SELECT xact_rollback::int AS n FROM pg_stat_database WHERE datname = current_database()`);
    expect(rollbacks[0]?.n).toBe(0);
  });

  it("answers the same requests from the primary, without an error, once the standby is killed", async () => {
    const before = await replicaMetrics(node!);
    process.kill(standby!.pid, "SIGKILL");
    await standby!.exited;
    // At once (the next check has not run yet: the first read fails on the replica and is retried) and later.
    for (let i = 0; i < 5; i++) {
      const replay = await http<{ game: { status: string }; moves: unknown[] }>(
        node!.url,
        "GET",
        `/api/games/${finished.gameId}`,
      );
      expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      expect(replay.body.moves).toHaveLength(4);
      const history = await http<{ games: { gameId: string }[] }>(node!.url, "GET", "/api/games", finished.a.token);
      expect(history.status, JSON.stringify(history.body)).toBe(200);
      expect(history.body.games.map((g) => g.gameId)).toEqual([finished.gameId]);
    }
    await waitFor(async () => (await replicaMetrics(node!)).get("up") === 0, "the node to see the replica down");
    const after = await replicaMetrics(node!);
    const toPrimary = ["error", "down"].reduce((n, r) => n + reads(after, "primary", r) - reads(before, "primary", r), 0);
    expect(toPrimary).toBe(10);
    expect(reads(after, "replica", "fresh")).toBe(reads(before, "replica", "fresh"));
    expect(after.has("lag_seconds"), "no lag sample while the replica is down").toBe(false);
    // A healthy node: the dying replica was a warning, never an error.
    const errors = lines.filter((l) => /"level":(50|60)/.test(l));
    expect(errors).toEqual([]);
  });

  it("started again after the primary gained a tablespace, is rebuilt rather than replaying it into the primary's folder", async () => {
    const second = join(dir, "volume-c");
    ensureDirsForPostgres(second);
    await query(pg.url, `CREATE TABLESPACE probe_space_2 LOCATION '${second}'`);
    await query(pg.url, "CREATE TABLE probe2 (n int) TABLESPACE probe_space_2");
    await query(pg.url, "INSERT INTO probe2 VALUES (1)");
    standby = await startStandby({ primaryUrl: pg.url, dataDir: join(dir, "replica"), port: standby!.port, log });
    const [where] = await onReplica(
      "SELECT pg_tablespace_location(oid) AS path FROM pg_tablespace WHERE spcname = 'probe_space_2'",
    );
    expect(where?.path).toMatch(new RegExp(`^${join(dir, "replica")}\\.tablespaces/\\d+$`));
    expect((await onReplica("SELECT count(*)::int AS n FROM probe2"))[0]?.n).toBe(1);
    // The games played before are all there.
    expect((await onReplica(`SELECT count(*)::int AS n FROM "Game" WHERE status = 'finished'`))[0]?.n).toBeGreaterThanOrEqual(2);
  });
});
