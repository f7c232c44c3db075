/**
 * The takeover sweep racing a game's end is an expected outcome, not an error:
 * a game listed as live that is over (or gone) by the time its room is built
 * is skipped quietly — no ERROR line, no stack trace on the console. Also: the
 * database error classifier against a real PostgreSQL.
 */
import { matchMaker } from "@colyseus/core";
import { Prisma } from "../../src/generated/prisma/client.ts";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLocalLeases } from "../../src/cluster/leases.ts";
import { createTakeover } from "../../src/cluster/takeover.ts";
import { createDb } from "../../src/db/client.ts";
import { guard, isConnectionError } from "../../src/db/errors.ts";
import { query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const lines: Array<{ level: number; msg: string; err?: unknown }> = [];
const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({}, { log });
});
afterAll(async () => {
  await node?.stop();
});

/** Wait until `cond` holds, polling every 20 ms, or fail after `ms`. */
async function eventually(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("takeover sweep", () => {
  it("a game that ended since it was listed (or never existed) is skipped without an error", async () => {
    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
    sa.room.send("resign", {});
    await sb.until((s) => s.snapshot?.status === "finished", "the resignation");
    await Promise.all([sa.room.leave(), sb.room.leave()]);
    await eventually(() => matchMaker.getLocalRoomById(gameId) === undefined, "the finished game's room to close");

    const consoleError = vi.spyOn(console, "error");
    const before = lines.length;
    try {
      // The sweep's listing still says "active" for both (the race), so it tries to build their rooms.
      const sweep = createTakeover({
        games: {
          activeGames: async () => [
            { id: gameId, ownerNode: "n1" },
            { id: "nosuchgame", ownerNode: null },
          ],
        },
        leases: createLocalLeases(),
        log,
        intervalMs: 1000,
        graceMs: 0,
      });
      expect(await sweep.sweep()).toEqual([]);
      const logged = lines.slice(before);
      expect(logged.filter((l) => l.level >= 50)).toEqual([]);
      expect(logged.filter((l) => l.msg === "takeover attempt lost")).toHaveLength(2);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
    // And nothing about the finished game changed: no new owner, no bumped fencing token.
    const [row] = await query<{ status: string; leaseToken: string }>(
      node.databaseUrl,
      `SELECT status, "leaseToken"::text FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ status: "finished", leaseToken: "1" });
  });
});

describe("database errors against a real PostgreSQL", () => {
  it("a terminated connection (57P01) is unavailable; a constraint violation is not", async () => {
    const db = createDb(node.databaseUrl, 1);
    try {
      const victim = guard(() => db.$queryRaw`SELECT pg_sleep(10)`);
      const settled = victim.catch((err: unknown) => err);
      let killed = 0;
      for (let i = 0; i < 100 && killed === 0; i++) {
        const rows = await query<{ n: number }>(
          node.databaseUrl,
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(10)%' AND pid <> pg_backend_pid()`,
        );
        killed = rows[0].n;
        if (killed === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(killed).toBe(1);
      const err = await settled;
      expect(err).toMatchObject({ name: "DbUnavailableError" });

      const taken = await db.player.findFirstOrThrow({ select: { name: true, nameKey: true } });
      const duplicate = await db.player
        .create({ data: { id: "00000000-0000-4000-8000-000000000001", name: taken.name, nameKey: taken.nameKey } })
        .catch((e: unknown) => e);
      expect(duplicate).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect(isConnectionError(duplicate)).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("a node that lost a game while it stalled", () => {
  it("sends a joining socket to the new host (4100) and its players along with it, instead of serving the game", async () => {
    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const sa = await Seat.join(a, gameId);
    // Another node took the game over while this one was stopped: the fencing token moved on
    // (the Redis lease would tell this node too, but later; joins queued meanwhile come first).
    await query(node.databaseUrl, `UPDATE "Game" SET "leaseToken" = "leaseToken" + 1, "ownerNode" = 'n9' WHERE id = $1`, [
      gameId,
    ]);
    const refused = await Seat.join(b, gameId).then(
      () => null,
      (err: { code?: number }) => err,
    );
    expect(refused?.code).toBe(4100);
    // The player already in the room is told the game moved, and its socket closes with 4100.
    await sa.until((s) => s.errors.some((e) => e.code === "GAME_MOVED"), "GAME_MOVED for the seated player");
    await eventually(() => matchMaker.getLocalRoomById(gameId) === undefined, "the stale room to close");
    // Nothing was written by the node that lost the game.
    const [row] = await query<{ ply: number; ownerNode: string }>(
      node.databaseUrl,
      `SELECT ply, "ownerNode" FROM "Game" WHERE id = $1`,
      [gameId],
    );
    expect(row).toEqual({ ply: 0, ownerNode: "n9" });
  });
});
