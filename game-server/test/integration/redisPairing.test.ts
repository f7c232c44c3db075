/**
 * Quick play under bursts, against a real redis-server, with two matchmakers
 * standing for two nodes: a burst spread over both pairs every player exactly
 * once; a node's arrivals of one turn go to Redis in one scan; a long poll
 * wakes as soon as another node pairs it, with one subscription per node
 * however many polls wait; and two tickets given back after their pairing
 * node died are paired together without waiting for a new arrival.
 */
import { createHash } from "node:crypto";
import type { TicketResponse } from "@tabula/shared/protocol";
import { describe, expect, it, vi } from "vitest";
import type { Matchmaker, PairingHandler } from "../../src/matchmaking/matchmaker.ts";
import { ENQUEUE_AND_PAIR } from "../../src/matchmaking/quickScripts.ts";
import { EVENTS } from "../../src/matchmaking/redisTickets.ts";
import { useRedisMatchmakers } from "../support/redisMatchmakers.ts";

const { redis: redisClient, node } = useRedisMatchmakers("tabula-pairing-");

/** Games made, shared by every node: a game takes 0–4 ms to make, so pairings overlap and finish out of order. */
function factory(prefix = "g") {
  const games: Array<{ id: string; playerIds: [string, string] }> = [];
  const pair: PairingHandler = async ({ playerIds }) => {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5)));
    const id = `${prefix}${games.length + 1}`;
    games.push({ id, playerIds });
    return id;
  };
  return { pair, games };
}

/** Long-poll `t` until it is no longer waiting: at most 3 polls of up to 3 s (a lost ticket stays waiting). */
async function settled(m: Matchmaker, player: string, t: TicketResponse): Promise<TicketResponse> {
  for (let i = 0; i < 3 && t.status === "waiting"; i++) t = await m.poll(t.ticket, player, 3_000);
  return t;
}

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

describe("Redis matchmaker: a burst of quick-plays", () => {
  it("200 players arriving at once on two nodes are each paired exactly once", async () => {
    const f = factory();
    const nodes = [await node(f.pair), await node(f.pair)];
    const players = Array.from({ length: 200 }, (_, i) => `P${i}`);
    // Arrivals spread over 30 ms: the two nodes' scans take batches of every size, odd ones included.
    const first = await Promise.all(
      players.map(async (p, i) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
        return nodes[i % 2]!.quickPlay(p, "connect4", "1+5");
      }),
    );
    const final = await Promise.all(first.map((t, i) => settled(nodes[i % 2]!, players[i]!, t)));

    expect(final.every((t) => t.status === "matched")).toBe(true);
    expect(f.games).toHaveLength(100);
    const gameOf = new Map<string, string>();
    for (const g of f.games) {
      expect(g.playerIds[0]).not.toBe(g.playerIds[1]);
      for (const p of g.playerIds) {
        expect(gameOf.has(p), `${p} paired twice`).toBe(false);
        gameOf.set(p, g.id);
      }
    }
    expect(gameOf.size).toBe(200);
    // Every player's ticket names the one game that holds them.
    for (const [i, p] of players.entries()) expect(final[i]!.gameId).toBe(gameOf.get(p));
    expect(await redisClient().lrange("tabula:mm:q:connect4|1+5", 0, -1)).toEqual([]);
  });

  it("a node's arrivals of one turn go to Redis in one scan, which pairs them all", async () => {
    const f = factory();
    const m = await node(f.pair);
    const monitor = await redisClient().duplicate().monitor();
    const scans: string[] = [];
    const scanSha = sha1(ENQUEUE_AND_PAIR);
    monitor.on("monitor", (_time: string, args: string[]) => {
      const [cmd, script] = [String(args[0]).toLowerCase(), String(args[1])];
      // MONITOR shows a script's body escaped ("\n"): its first statement is enough to know it.
      if ((cmd === "evalsha" && script === scanSha) || (cmd === "eval" && script.includes("local queue = KEYS[1]")))
        scans.push(cmd);
    });
    try {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => m.quickPlay(`P${i}`, "connect4", "1+5")));
      expect(answers.every((t) => t.status === "matched")).toBe(true);
      expect(f.games).toHaveLength(25);
      // One scan for the 50 of them (an EVAL: the connection's first use of the script).
      expect(scans).toHaveLength(1);
    } finally {
      monitor.disconnect();
    }
  });
});

describe("Redis matchmaker: long polls", () => {
  it("wake as soon as another node pairs them, on one subscription per node", async () => {
    const f = factory();
    const nodeA = await node(f.pair);
    const nodeB = await node(f.pair);
    // 30 players wait on node B, each alone in a queue of their own.
    const waiting = await Promise.all(Array.from({ length: 30 }, (_, i) => nodeB.quickPlay(`W${i}`, "connect4", `tc${i}`)));
    expect(waiting.every((t) => t.status === "waiting")).toBe(true);
    const t0 = Date.now();
    const polls = waiting.map((t, i) => nodeB.poll(t.ticket, `W${i}`, 20_000));
    // However many polls wait, each node listens on one subscription.
    await vi.waitFor(async () => expect(await redisClient().pubsub("NUMSUB", EVENTS)).toEqual([EVENTS, 2]));
    // Their partners arrive on node A, which makes the games.
    await Promise.all(waiting.map((_, i) => nodeA.quickPlay(`X${i}`, "connect4", `tc${i}`)));
    const woken = await Promise.all(polls);
    woken.forEach((t, i) => {
      const game = f.games.find((g) => g.playerIds.includes(`W${i}`));
      expect(t).toMatchObject({ status: "matched", gameId: game?.id });
    });
    // Woken by the match, not by the end of their 20 s wait.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe("Redis matchmaker: pairings given back", () => {
  it("two tickets whose pairing node died are paired together once both come back, with no new arrival", async () => {
    const clock = { now: Date.now() };
    const f = factory();
    const dies: PairingHandler = () => new Promise<string>(() => {});
    const nodeA = await node(dies, clock);
    const nodeB = await node(f.pair, clock);
    const p = await nodeB.quickPlay("P", "connect4", "1+5");
    // Node A pairs Q with P, then dies before the game exists; Q's answer never comes.
    void nodeA.quickPlay("Q", "connect4", "1+5").catch(() => {});
    await vi.waitFor(async () => expect(await redisClient().hget(`tabula:mm:t:${p.ticket}`, "status")).toBe("pairing"));
    const q = (await redisClient().get("tabula:mm:p:Q")) as string;
    expect(await redisClient().hget(`tabula:mm:t:${q}`, "status")).toBe("pairing");
    nodeA.close();

    clock.now += 10_001;
    expect((await nodeB.poll(p.ticket, "P", 0)).status).toBe("waiting"); // P is back, alone
    const qAnswer = await nodeB.poll(q, "Q", 0); // Q's client asks again, through node B
    // Q's return sends the queue to a scan: P and Q meet without anyone new arriving.
    await vi.waitFor(() => expect(f.games).toHaveLength(1));
    expect(f.games[0]!.playerIds.toSorted()).toEqual(["P", "Q"]);
    expect(await settled(nodeB, "P", p)).toMatchObject({ status: "matched", gameId: "g1" });
    expect(await settled(nodeB, "Q", qAnswer)).toMatchObject({ status: "matched", gameId: "g1" });
  });
});
