/**
 * Bot levels end to end: POST /api/bot-games takes a level (medium by
 * default, anything else refused), the snapshot says it, and it is stored
 * with the game: a node that rebuilds the room after the first one stopped
 * plays at the same level.
 */
import { afterAll, describe, expect, it } from "vitest";
import { sdkClient } from "../../../bots/src/sdk.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { http, newPlayer, Seat } from "../support/clients.ts";
import { startTestNode } from "../support/node.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

const running: NodeProcess[] = [];
afterAll(() => {
  for (const n of running) n.child.kill("SIGKILL");
});

describe("bot levels", () => {
  it("a bot game is made at the level asked for (medium by default); an unknown level is refused", async () => {
    const node = await startTestNode({ BOT_THINK_SCALE: "0.01" });
    const p = await newPlayer(node.url);
    for (const [body, level] of [
      [{ game: "connect4", level: "easy" }, "easy"],
      [{ game: "chess", level: "hard" }, "hard"],
      [{ game: "connect4" }, "medium"],
    ] as const) {
      const r = await http<{ gameId: string }>(node.url, "POST", "/api/bot-games", p.token, body);
      expect(r.status).toBe(200);
      const s = await Seat.join(p, r.body.gameId);
      expect(s.snapshot?.botLevel).toBe(level);
      await s.room.leave(true);
    }
    const bad = await http<{ error: { code: string } }>(node.url, "POST", "/api/bot-games", p.token, {
      game: "chess",
      level: "grandmaster",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("BAD_REQUEST");
    // Every game made here is a bot game: each has its level.
    const [row] = await query<{ n: number }>(node.databaseUrl, `SELECT count(*)::int AS n FROM "Game" WHERE "botLevel" IS NULL`);
    expect(row!.n).toBe(0);
    await node.stop();
  });

  it("the level survives a takeover: the node that rebuilds the room keeps it, and its bot plays", async () => {
    const databaseUrl = await createTestDatabase();
    const env = { DATABASE_URL: databaseUrl, NODE_ID: "b1", BOT_THINK_SCALE: "0.01" };
    const first = await spawnNode(env);
    running.push(first);
    const p = await newPlayer(first.url);
    const r = await http<{ gameId: string }>(first.url, "POST", "/api/bot-games", p.token, { game: "connect4", level: "hard" });
    expect(r.status).toBe(200);
    const gameId = r.body.gameId;
    first.child.kill("SIGKILL"); // the game is rebuilt from the database by the next node
    await first.exited;

    const second = await spawnNode(env);
    running.push(second);
    p.sdk = sdkClient(second.url, p.token);
    const s = await Seat.rejoin(p, gameId);
    expect(s.snapshot?.botLevel).toBe("hard");
    const botSeat = s.seat === 0 ? 1 : 0;
    if (s.seat === 0) await s.play("3");
    await s.until((x) => x.moved.some((m) => m.record.seat === botSeat), "the bot's move", 20_000);
    const [row] = await query<{ botLevel: string }>(databaseUrl, `SELECT "botLevel" FROM "Game" WHERE id = $1`, [gameId]);
    expect(row!.botLevel).toBe("hard");
  });
});
