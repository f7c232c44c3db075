/**
 * Leaderboards and profiles on a real node and PostgreSQL, with ratings,
 * rating changes and finished games seeded straight into the tables (rated
 * play itself has its own tests): the board's order, ties, who is left off
 * (provisional ratings, bots), the top 100, the caller's own standing; the
 * refresh (a change shows after the interval and not before, one node at a
 * time, no full scan per request: EXPLAIN); and a profile's ratings, history,
 * results and recent games. Served from the read replica: cluster/replica.test.ts.
 */
import type { LeaderboardResponse, ProfileResponse } from "@tabula/shared/protocol";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "../../src/auth/tokens.ts";
import { boardEntriesOf, boardRefreshedAt, refreshLeaderboards, topOfBoard } from "../../src/db/leaderboard.ts";
import { migrate } from "../../src/db/migrate.ts";
import type { ReadSql } from "../../src/db/reads.ts";
import { createLogger } from "../../src/log.ts";
import { REPO_ROOT } from "../../src/server.ts";
import { http } from "../support/clients.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";
import { seedFinishedGame, seedPlayer, seedRating, seedRatingChange, withClient } from "../support/ratings.ts";

const REFRESH_S = 1.5;
const SECRET = "integration-tests-secret-0123456789abcdef";
const tokens = createTokenService(SECRET, 1);
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ LEADERBOARD_REFRESH_S: String(REFRESH_S) });
});
afterAll(async () => {
  await node?.stop();
});

const seed = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(node.databaseUrl, fn);
const board = (pool: string, token?: string) => http<LeaderboardResponse>(node.url, "GET", `/api/leaderboard/${pool}`, token);

/** The database's clock now, epoch ms (refreshedAt is on that clock). */
async function dbNow(): Promise<number> {
  return (
    await query<{ ms: number }>(node.databaseUrl, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms")
  )[0]!.ms;
}

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The board of `pool` once it was computed after everything written so far. */
async function boardAfterNow(pool: string, token?: string): Promise<LeaderboardResponse> {
  const since = await dbNow();
  const r = await waitFor(
    () => board(pool, token),
    (r) => r.status === 200 && r.body.refreshedAt > since + 1,
    `a refresh of ${pool}`,
  );
  return r.body;
}

describe("GET /api/leaderboard/<pool>", () => {
  let cleo: string;
  let prov: string;
  let nobody: string;

  it("ranks established ratings best first, equal ratings sharing a rank (1, 2, 2, 4) in name order; provisional ratings and bots are not on it", async () => {
    await seed(async (c) => {
      const [alice, bob, cleoP, dan, provP, bot, eve, nob] = [
        await seedPlayer(c, "Alice"),
        await seedPlayer(c, "Bob"),
        await seedPlayer(c, "Cleo"),
        await seedPlayer(c, "Dan"),
        await seedPlayer(c, "Provo"),
        await seedPlayer(c, "Botty", true),
        await seedPlayer(c, "Eve"),
        await seedPlayer(c, "Nobody"),
      ];
      cleo = await tokens.sign({ playerId: cleoP.id, name: cleoP.name });
      prov = await tokens.sign({ playerId: provP.id, name: provP.name });
      nobody = await tokens.sign({ playerId: nob.id, name: nob.name });
      await seedRating(c, dan.id, "chess-blitz", 1700);
      await seedRating(c, cleoP.id, "chess-blitz", 1800, { games: 30, wins: 15, losses: 10, draws: 5 });
      await seedRating(c, bob.id, "chess-blitz", 1800);
      await seedRating(c, alice.id, "chess-blitz", 1900, { rd: 110 }); // exactly at the bound: established
      await seedRating(c, provP.id, "chess-blitz", 2500, { rd: 110.5, games: 3 });
      await seedRating(c, bot.id, "chess-blitz", 2400);
      await seedRating(c, eve.id, "chess-rapid", 2000);
    });
    const b = await boardAfterNow("chess-blitz");
    expect(b.pool).toBe("chess-blitz");
    expect(b.entries.map((e) => [e.rank, e.name, e.rating])).toEqual([
      [1, "Alice", 1900],
      [2, "Bob", 1800],
      [2, "Cleo", 1800],
      [4, "Dan", 1700],
    ]);
    expect(b.entries[2]).toMatchObject({ rd: 60, games: 30, wins: 15, losses: 10, draws: 5 });
    expect(b.you).toBeNull();
    expect((await board("chess-rapid")).body.entries.map((e) => e.name)).toEqual(["Eve"]);
  });

  it("gives the caller their own rank, or their rating and why they are not ranked", async () => {
    expect((await board("chess-blitz", cleo)).body.you).toEqual({ rank: 2, rating: 1800, rd: 60, games: 30, provisional: false });
    expect((await board("chess-blitz", prov)).body.you).toEqual({
      rank: null,
      rating: 2500,
      rd: 110.5,
      games: 3,
      provisional: true,
    });
    expect((await board("chess-blitz", nobody)).body.you).toEqual({
      rank: null,
      rating: null,
      rd: null,
      games: 0,
      provisional: true,
    });
    // Cleo has no rapid rating.
    expect((await board("chess-rapid", cleo)).body.you).toMatchObject({ rank: null, rating: null });
    const bad = await board("chess-blitz", "not-a-token");
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("refuses a pool that does not exist (400)", async () => {
    const r = await board("checkers");
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect((r.body as unknown as { error: { message: string } }).error.message).toContain("chess-blitz");
  });

  it("answers the top 100 of a large pool, and reads it by index: no request scans Rating or the whole board (EXPLAIN)", async () => {
    await query(
      node.databaseUrl,
      `WITH p AS (INSERT INTO "Player" (id, name, "nameKey")
                  SELECT gen_random_uuid(), 'c4 ' || i, 'c4 ' || i FROM generate_series(1, 3000) i RETURNING id, name)
       INSERT INTO "Rating" ("playerId", pool, rating, rd, volatility, games)
       SELECT id, 'connect4', 1000 + substr(name, 4)::int, 50, 0.06, 40 FROM p`,
    );
    const b = await boardAfterNow("connect4");
    expect(b.entries).toHaveLength(100);
    expect(b.entries[0]).toMatchObject({ rank: 1, name: "c4 3000", rating: 4000 });
    expect(b.entries[99]).toMatchObject({ rank: 100, name: "c4 2901", rating: 3901 });
    // Every statement a request runs on the board, recorded and explained as the planner runs it.
    await query(node.databaseUrl, `ANALYZE "LeaderboardEntry"; ANALYZE "Rating"`);
    const pool = new pg.Pool({ connectionString: node.databaseUrl, max: 1 });
    try {
      const seen: [string, unknown[]][] = [];
      const sql: ReadSql = {
        async select<R extends object>(text: string, values: unknown[] = []) {
          seen.push([text, values]);
          return (await pool.query(text, values)).rows as R[];
        },
      };
      const someone = b.entries[42]!.playerId;
      await topOfBoard(sql, "connect4");
      expect(await boardEntriesOf(sql, someone, ["connect4", "chess-blitz"])).toMatchObject([{ rank: 43, pool: "connect4" }]);
      await boardRefreshedAt(sql);
      expect(seen).toHaveLength(3);
      for (const [text, values] of seen) {
        const [{ "QUERY PLAN": plan }] = (await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows as [
          { "QUERY PLAN": [{ Plan: PlanNode }] },
        ];
        const nodes = flatten(plan[0].Plan);
        const on = (rel: string) => nodes.filter((n) => n["Relation Name"] === rel);
        expect(on("Rating"), text).toEqual([]);
        expect(
          on("LeaderboardEntry").map((n) => n["Node Type"]),
          text,
        ).not.toContain("Seq Scan");
      }
    } finally {
      await pool.end();
    }
  });

  it("shows a change once the board is recomputed after it, and the board is recomputed every LEADERBOARD_REFRESH_S, not sooner", async () => {
    const [x, y] = await seed(async (c) => {
      const players = [await seedPlayer(c, "Xavier"), await seedPlayer(c, "Yann")];
      await seedRating(c, players[0]!.id, "chess-bullet", 1500);
      await seedRating(c, players[1]!.id, "chess-bullet", 1600);
      return players;
    });
    const before = await boardAfterNow("chess-bullet");
    expect(before.entries.map((e) => e.name)).toEqual(["Yann", "Xavier"]);
    const changedAt = await dbNow();
    await seed((c) => seedRating(c, x!.id, "chess-bullet", 1700));
    const changeCommitted = await dbNow();
    // Ask many times while waiting: answers come from the board, which only the refresh changes.
    const answers: LeaderboardResponse[] = [];
    const after = await waitFor(
      async () => {
        const r = (await board("chess-bullet")).body;
        answers.push(r);
        return r;
      },
      (r) => r.entries[0]?.name === "Xavier",
      "the change on the board",
    );
    expect(after.entries.map((e) => [e.rank, e.name])).toEqual([
      [1, "Xavier"],
      [2, "Yann"],
    ]);
    expect(after.refreshedAt).toBeGreaterThanOrEqual(changedAt);
    for (const a of answers) {
      // Computed before the change was committed: the old order, whatever the request.
      if (a.refreshedAt < changeCommitted - 1) expect(a.entries.map((e) => e.name)).toEqual(["Yann", "Xavier"]);
    }
    expect(answers.length).toBeGreaterThan(3);
    // Successive boards are at least the interval apart: requests never cause a refresh.
    const times = [...new Set([before.refreshedAt, ...answers.map((a) => a.refreshedAt)])].sort((a, b) => a - b);
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(REFRESH_S * 1000 - 1);
    expect(y).toBeDefined();
  });

  it("is recomputed by one node at a time: of passes that look at once, one refreshes", async () => {
    // A database of its own, with no node refreshing it.
    const url = await createTestDatabase("lb");
    await migrate(url, `${REPO_ROOT}/prisma/migrations`, createLogger({ level: "silent", json: true, nodeId: "t" }));
    await query(url, `UPDATE "LeaderboardRefresh" SET "refreshedAt" = now() - interval '1 hour'`);
    const pool = new pg.Pool({ connectionString: url, max: 6 });
    try {
      const passes = await Promise.all(Array.from({ length: 6 }, () => refreshLeaderboards(pool, 60)));
      expect(passes.filter(Boolean)).toHaveLength(1);
      // Not due again within the interval.
      expect(await refreshLeaderboards(pool, 60)).toBe(false);
      const [row] = await query<{ age: number }>(
        url,
        `SELECT extract(epoch FROM now() - "refreshedAt")::float8 AS age FROM "LeaderboardRefresh"`,
      );
      expect(row!.age).toBeLessThan(30);
    } finally {
      await pool.end();
    }
  });
});

describe("ReadSql (the view's reads)", () => {
  it("runs a statement read-only on the primary: a write through it is refused and changes nothing", async () => {
    const before = await query<{ n: number }>(node.databaseUrl, `SELECT count(*)::int AS n FROM "Rating"`);
    await expect(node.reads.read((_db, sql) => sql.select(`DELETE FROM "Rating" RETURNING 1`))).rejects.toThrow(/read-only/);
    expect(await query(node.databaseUrl, `SELECT count(*)::int AS n FROM "Rating"`)).toEqual(before);
    expect(await node.reads.read((_db, sql) => sql.select<{ one: number }>("SELECT 1 AS one"))).toEqual([{ one: 1 }]);
  });
});

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };
const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

describe("GET /api/players/<name>", () => {
  let pat: { id: string; name: string };
  let games: string[] = [];

  beforeAll(async () => {
    await seed(async (c) => {
      pat = await seedPlayer(c, "Pat Player");
      const opp = await seedPlayer(c, "Opponent");
      const t0 = Date.UTC(2026, 10, 1);
      // 22 finished Connect Four games, Pat alternating seats: Pat wins when i % 3 !== 2, else loses.
      for (let i = 0; i < 22; i++) {
        const patSeat = i % 2;
        const patWins = i % 3 !== 2;
        const winner = (patWins ? patSeat : 1 - patSeat) as 0 | 1;
        const [s0, s1] = patSeat === 0 ? [pat.id, opp.id] : [opp.id, pat.id];
        games.push(
          await seedFinishedGame(c, {
            kind: "connect4",
            seat0: s0,
            seat1: s1,
            winner,
            at: new Date(t0 + i * 3_600_000),
            ratingPool: "connect4",
          }),
        );
      }
      // A chess draw, an aborted game and a game still being played: only the draw counts.
      await seedFinishedGame(c, { kind: "chess", seat0: opp.id, seat1: pat.id, winner: null, at: new Date(t0 - 86_400_000) });
      await seedFinishedGame(c, {
        kind: "chess",
        seat0: pat.id,
        seat1: opp.id,
        winner: null,
        at: new Date(t0 + 90 * 3_600_000),
        status: "aborted",
      });
      await seedFinishedGame(c, {
        kind: "chess",
        seat0: pat.id,
        seat1: opp.id,
        winner: null,
        at: new Date(t0 + 91 * 3_600_000),
        status: "active",
      });
      // Rating changes written out of order; the history comes back by time.
      for (const i of [3, 0, 2, 1]) {
        await seedRatingChange(c, {
          gameId: games[i]!,
          playerId: pat.id,
          pool: "connect4",
          before: 1500 + 10 * i,
          after: 1510 + 10 * i,
          at: new Date(t0 + i * 3_600_000 + 60_000),
        });
      }
      await seedRating(c, pat.id, "connect4", 5000, { rd: 80, games: 22, wins: 15, losses: 7, draws: 0 });
      await seedRating(c, pat.id, "chess-blitz", 1450, { rd: 250, games: 2, wins: 0, losses: 1, draws: 1 });
    });
    games = games.reverse(); // newest first
  });

  it("shows the ratings (provisional flagged, rank on the board), the rating history in time order, results per game and the 20 newest finished games", async () => {
    await boardAfterNow("connect4"); // Pat's 5000 is on the board
    const r = await http<ProfileResponse>(node.url, "GET", `/api/players/${encodeURIComponent("pat  PLAYER")}`);
    expect(r.status).toBe(200);
    const p = r.body;
    expect(p.player).toMatchObject({ id: pat.id, name: "Pat Player", isBot: false, account: false });
    expect(p.ratings).toEqual([
      { pool: "chess-blitz", rating: 1450, rd: 250, provisional: true, games: 2, wins: 0, losses: 1, draws: 1, rank: null },
      { pool: "connect4", rating: 5000, rd: 80, provisional: false, games: 22, wins: 15, losses: 7, draws: 0, rank: 1 },
    ]);
    const c4 = p.history.find((h) => h.pool === "connect4")!;
    expect(c4.points.map((x) => x.rating)).toEqual([1510, 1520, 1530, 1540]);
    expect(c4.points.map((x) => x.gameId)).toEqual([games[21], games[20], games[19], games[18]]);
    expect(p.history.find((h) => h.pool === "chess-blitz")?.points).toEqual([]);
    expect(p.results).toEqual([
      { kind: "chess", wins: 0, losses: 0, draws: 1 },
      { kind: "connect4", wins: 15, losses: 7, draws: 0 },
    ]);
    expect(p.recentGames).toHaveLength(20);
    expect(p.recentGames.map((g) => g.gameId)).toEqual(games.slice(0, 20));
    expect(p.recentGames.every((g) => g.status === "finished" && g.result !== null)).toBe(true);
    // Each links to a replay that the API serves.
    const replay = await http<{ game: { gameId: string } }>(node.url, "GET", `/api/games/${p.recentGames[0]!.gameId}`);
    expect(replay.body.game.gameId).toBe(games[0]);
  });

  it("finds a player by id too; an unknown name is 404 NO_PLAYER, a name too long 400", async () => {
    const byId = await http<ProfileResponse>(node.url, "GET", `/api/players/${pat.id}`);
    expect(byId.body.player.name).toBe("Pat Player");
    const none = await http(node.url, "GET", "/api/players/Nobody%20Here");
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ error: { code: "NO_PLAYER" } });
    expect((await http(node.url, "GET", `/api/players/${"x".repeat(37)}`)).status).toBe(400);
  });
});
