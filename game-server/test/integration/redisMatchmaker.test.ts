/**
 * The Redis matchmaker against a real redis-server, with two matchmakers
 * standing for two nodes: a partner that one node took into "pairing" and then
 * never settled (the node died at that instant) goes back to waiting after the
 * pairing deadline, and is paired again; a node that finishes too late cannot
 * take a partner twice; a failed pairing gives the partner back at once.
 */
import { describe, expect, it, vi } from "vitest";
import type { PairingHandler } from "../../src/matchmaking/matchmaker.ts";
import { useRedisMatchmakers } from "../support/redisMatchmakers.ts";

const PAIRING_TIMEOUT_MS = 10_000;
const { redis: redisClient, node } = useRedisMatchmakers("tabula-mm-");

/** A pairing handler that never finishes: its node died while creating the game. */
const dies: PairingHandler = () => new Promise<string>(() => {});
/** A working pairing handler; the games it made, by id. */
function works() {
  const games: Array<{ id: string; playerIds: [string, string] }> = [];
  const pair: PairingHandler = async ({ playerIds }) => {
    const id = `g${games.length + 1}`;
    games.push({ id, playerIds });
    return id;
  };
  return { pair, games };
}

/** A call on a node that is about to die: whatever it was doing when the node went fails or never ends. */
const abandon = (call: Promise<unknown>) => void call.catch(() => {});

const ticketStatus = (id: string) => redisClient().hget(`tabula:mm:t:${id}`, "status");
const queue = () => redisClient().lrange("tabula:mm:q:connect4|1+5", 0, -1);

describe("Redis matchmaker: a pairing left behind by a dead node", () => {
  it("goes back to the head of the queue after the pairing deadline, and is paired again", async () => {
    const clock = { now: Date.now() };
    const b = works();
    const nodeA = await node(dies, clock);
    const nodeB = await node(b.pair, clock);
    const p = await nodeB.quickPlay("P", "connect4", "1+5");
    expect(p.status).toBe("waiting");
    abandon(nodeA.quickPlay("Q", "connect4", "1+5")); // takes P into "pairing", then its node dies
    await vi.waitFor(async () => expect(await ticketStatus(p.ticket)).toBe("pairing"));
    nodeA.close();

    // Before the deadline, P's own polls leave the pairing alone (the node may just be slow).
    clock.now += PAIRING_TIMEOUT_MS - 1;
    expect((await nodeB.poll(p.ticket, "P", 0)).status).toBe("waiting");
    expect(await ticketStatus(p.ticket)).toBe("pairing");
    expect(await queue()).toEqual([]);

    // Past it, P's next poll gives the ticket back: waiting, at the head of its queue.
    clock.now += 2;
    expect((await nodeB.poll(p.ticket, "P", 0)).status).toBe("waiting");
    expect(await ticketStatus(p.ticket)).toBe("waiting");
    expect(await queue()).toEqual([p.ticket]);

    // The next player is paired with P.
    const r = await nodeB.quickPlay("R", "connect4", "1+5");
    expect(r).toMatchObject({ status: "matched", gameId: "g1" });
    expect(b.games).toEqual([{ id: "g1", playerIds: ["P", "R"] }]);
    expect(await nodeB.poll(p.ticket, "P", 0)).toMatchObject({ status: "matched", gameId: "g1" });
  });

  it("a long poll wakes at the deadline by itself (real time, 300 ms deadline)", async () => {
    const b = works();
    const nodeA = await node(dies, null, 300);
    const nodeB = await node(b.pair, null, 300);
    const p = await nodeB.quickPlay("P", "connect4", "1+5");
    const t0 = Date.now();
    abandon(nodeA.quickPlay("Q", "connect4", "1+5"));
    await vi.waitFor(async () => expect(await ticketStatus(p.ticket)).toBe("pairing"));
    nodeA.close();
    const polled = nodeB.poll(p.ticket, "P", 20_000); // P waits as a client does
    await vi.waitFor(async () => expect(await queue()).toEqual([p.ticket]), { timeout: 5_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await nodeB.quickPlay("R", "connect4", "1+5");
    expect(await polled).toMatchObject({ status: "matched", gameId: "g1" });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("an invite's host goes back to waiting and the invite code works again", async () => {
    const clock = { now: Date.now() };
    const nodeA = await node(dies, clock);
    const nodeB = await node(works().pair, clock);
    const host = await nodeB.createInvite("H", "connect4", "1+5");
    const code = host.inviteCode as string;
    abandon(nodeA.acceptInvite("G", code));
    await vi.waitFor(async () => expect(await ticketStatus(host.ticket)).toBe("pairing"));
    nodeA.close();
    expect(await nodeB.inviteInfo(code)).toBeNull();
    clock.now += PAIRING_TIMEOUT_MS + 1;
    expect((await nodeB.poll(host.ticket, "H", 0)).status).toBe("waiting");
    expect(await nodeB.inviteInfo(code)).toMatchObject({ code, host: { name: "name-H" } });
    expect(await nodeB.acceptInvite("G2", code)).toEqual({ gameId: "g1" });
    expect(await nodeB.poll(host.ticket, "H", 0)).toMatchObject({ status: "matched", gameId: "g1" });
  });
});

describe("Redis matchmaker: pairings that end badly", () => {
  it("a node finishing after the deadline cannot take a partner who was paired again; its own player waits again", async () => {
    const clock = { now: Date.now() };
    let finish: (id: string) => void = () => {};
    const slow: PairingHandler = () => new Promise<string>((resolve) => (finish = resolve));
    const b = works();
    const nodeA = await node(slow, clock);
    const nodeB = await node(b.pair, clock);
    const p = await nodeB.quickPlay("P", "connect4", "1+5");
    const q = nodeA.quickPlay("Q", "connect4", "1+5");
    await vi.waitFor(async () => expect(await ticketStatus(p.ticket)).toBe("pairing"));
    clock.now += PAIRING_TIMEOUT_MS + 1;
    await nodeB.poll(p.ticket, "P", 0);
    await nodeB.quickPlay("R", "connect4", "1+5");
    expect(await nodeB.poll(p.ticket, "P", 0)).toMatchObject({ status: "matched", gameId: "g1" });
    finish("late-game"); // node A wakes up
    // Q is not put in a game with nobody: it waits again, at the head of the queue…
    const qt = await q;
    expect(qt.status).toBe("waiting");
    expect(await queue()).toEqual([qt.ticket]);
    // …P stays in the game it was paired into again…
    expect(await nodeB.poll(p.ticket, "P", 0)).toMatchObject({ status: "matched", gameId: "g1" });
    // …and the next player is paired with Q.
    expect(await nodeB.quickPlay("S", "connect4", "1+5")).toMatchObject({ status: "matched", gameId: "g2" });
    expect(b.games[1]).toEqual({ id: "g2", playerIds: ["Q", "S"] });
    expect(await nodeA.poll(qt.ticket, "Q", 0)).toMatchObject({ status: "matched", gameId: "g2" });
  });

  it("a pairing whose game cannot be made gives the partner back at once", async () => {
    const nodeA = await node(async () => {
      throw new Error("database down");
    });
    const b = works();
    const nodeB = await node(b.pair);
    const p = await nodeB.quickPlay("P", "connect4", "1+5");
    await expect(nodeA.quickPlay("Q", "connect4", "1+5")).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(await ticketStatus(p.ticket)).toBe("waiting");
    expect(await queue()).toEqual([p.ticket]);
    expect(await nodeB.quickPlay("R", "connect4", "1+5")).toMatchObject({ status: "matched", gameId: "g1" });
  });
});
