/**
 * Rated quick play on the Redis matchmaker (ratedScripts.ts), against a real
 * redis-server with matchmakers standing for several nodes: the window widens
 * with the wait and both players' windows must agree; the longest-waiting
 * compatible player is taken; two players where either blocked the other are
 * never paired; a burst of rated seekers over two nodes pairs everyone once,
 * within the window; rated and casual seekers never meet, also after a rated
 * ticket's pairing node died and it went back to its queue. The matchmakers run
 * on a clock the test sets, so windows are exactly as wide as it says.
 */
import type { TicketResponse } from "@tabula/shared/protocol";
import { describe, expect, it, vi } from "vitest";
import type { Matchmaker, PairingHandler, RatedSeek } from "../../src/matchmaking/matchmaker.ts";
import { windowPoints } from "../../src/matchmaking/ratingWindow.ts";
import { qkey, tkey } from "../../src/matchmaking/redisTickets.ts";
import { useRedisMatchmakers } from "../support/redisMatchmakers.ts";

const { node, redis } = useRedisMatchmakers("tabula-rated-");

/** Games made (with whether rated), shared by every node. */
function factory() {
  const games: Array<{ id: string; playerIds: [string, string]; rated: boolean }> = [];
  const pair: PairingHandler = async ({ playerIds, rated }) => {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
    const id = `g${games.length + 1}`;
    games.push({ id, playerIds, rated: rated === true });
    return id;
  };
  const pairs = () => games.map((g) => [...g.playerIds].sort().join("+")).sort();
  return { pair, games, pairs };
}

const seek = (rating: number, avoid: string[] = []): RatedSeek => ({ rating, avoid });

/** Long-poll `t` until it is no longer waiting, for at most `ms`. */
async function settled(m: Matchmaker, player: string, t: TicketResponse, ms = 6_000): Promise<TicketResponse> {
  const end = Date.now() + ms;
  while (t.status === "waiting" && Date.now() < end) t = await m.poll(t.ticket, player, Math.min(2_000, end - Date.now()));
  return t;
}

describe("Redis matchmaker: rated quick play", () => {
  it("the window widens with the wait, and both windows must agree", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const m = await node(f.pair, clock);
    const a = await m.quickPlay("A", "connect4", "1+5", seek(1500));
    expect(a).toMatchObject({ status: "waiting", rated: true });
    clock.now += 20_000; // A: ±300 now
    // B is 250 away: inside A's window, outside B's own (±100): both must agree.
    const b = await m.quickPlay("B", "connect4", "1+5", seek(1750));
    expect(b.status).toBe("waiting");
    clock.now += 14_000; // B: ±240, still short of 250 (every arrival scans the queue again)
    for (const [p, t] of [
      ["A", a],
      ["B", b],
    ] as const)
      await m.poll(t.ticket, p, 0); // still here (polls keep a ticket alive)
    expect((await m.quickPlay("X", "connect4", "1+5", seek(3000))).status).toBe("waiting");
    expect(f.games).toEqual([]);
    clock.now += 1_000; // B: ±250. No arrival: the queue's once-a-second scan pairs them.
    expect((await settled(m, "A", a)).status).toBe("matched");
    expect(f.pairs()).toEqual(["A+B"]);
    expect(f.games[0]?.rated).toBe(true);
    expect(windowPoints(15_000)).toBe(250);
  });

  it("takes the longest-waiting compatible player", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const m = await node(f.pair, clock);
    await m.quickPlay("A", "connect4", "1+5", seek(1500));
    clock.now += 5_000;
    await m.quickPlay("B", "connect4", "1+5", seek(1700)); // 200 from A: no
    clock.now += 1_000;
    const c = await m.quickPlay("C", "connect4", "1+5", seek(1600)); // 100 from both: A waited longer
    expect(c.status).toBe("matched");
    expect(f.pairs()).toEqual(["A+C"]);
  });

  it("a seeker whose window reaches two waiting players takes the one who waited longer", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const m = await node(f.pair, clock);
    await m.quickPlay("S", "connect4", "1+5", seek(1500));
    clock.now += 1_000;
    await m.quickPlay("D", "connect4", "1+5", seek(1700)); // S ±110: no
    clock.now += 1_000;
    await m.quickPlay("E", "connect4", "1+5", seek(1300)); // S ±120: no; D 400 away: no
    clock.now += 10_000; // S ±220, D ±210, E ±200: S may meet either, D waited longer
    await m.quickPlay("X", "connect4", "1+5", seek(9000));
    // X's scan made the pair; the game is made after it answers X.
    await vi.waitFor(() => expect(f.games).toHaveLength(1));
    expect(f.pairs()).toEqual(["D+S"]);
  });

  it("never pairs two players where either blocked the other", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const [m1, m2] = [await node(f.pair, clock), await node(f.pair, clock)];
    const a = await m1.quickPlay("A", "chess", "3+2", seek(1500, ["B"]));
    clock.now += 1_000;
    const b = await m2.quickPlay("B", "chess", "3+2", seek(1500)); // B did not block A; A blocked B
    clock.now += 60_000; // every window at its widest: still never
    await m1.poll(a.ticket, "A", 0);
    await m2.poll(b.ticket, "B", 0);
    await m1.quickPlay("X", "chess", "3+2", seek(9000));
    expect(f.games).toEqual([]);
    await m2.quickPlay("C", "chess", "3+2", seek(1500, ["A"])); // C blocked A: B is the one
    expect(f.pairs()).toEqual(["B+C"]);
  });

  it("a burst of 200 rated seekers on two nodes: everyone paired once, within both windows", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const nodes = [await node(f.pair, clock), await node(f.pair, clock)];
    // Ratings in a band of 90 points: every pair is within ±100 at once.
    const rating = (i: number) => 1500 + ((i * 37) % 90);
    const players = Array.from({ length: 200 }, (_, i) => `R${i}`);
    const first = await Promise.all(
      players.map(async (p, i) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 30)));
        return nodes[i % 2]!.quickPlay(p, "connect4", "1+5", seek(rating(i)));
      }),
    );
    const final = await Promise.all(first.map((t, i) => settled(nodes[i % 2]!, players[i]!, t)));
    expect(final.every((t) => t.status === "matched")).toBe(true);
    expect(f.games).toHaveLength(100);
    const seen = new Set<string>();
    for (const g of f.games) {
      expect(g.rated).toBe(true);
      for (const p of g.playerIds) {
        expect(seen.has(p), `${p} paired twice`).toBe(false);
        seen.add(p);
      }
      const [x, y] = g.playerIds.map((p) => rating(Number(p.slice(1))));
      expect(Math.abs(x! - y!)).toBeLessThanOrEqual(100);
    }
  });

  it("rated and casual seekers never meet", async () => {
    const f = factory();
    const m = await node(f.pair);
    const rated = await m.quickPlay("A", "connect4", "1+5", seek(1500));
    const casual = await m.quickPlay("B", "connect4", "1+5");
    expect([rated.status, casual.status]).toEqual(["waiting", "waiting"]);
    expect(casual.rated).toBeUndefined();
    expect((await m.quickPlay("C", "connect4", "1+5")).status).toBe("matched");
    expect(f.games).toMatchObject([{ rated: false }]);
    expect(f.pairs()).toEqual(["B+C"]);
    expect((await m.queued()).find((q) => q.game === "connect4" && q.timeControl === "1+5")?.waiting).toBe(1);
  });

  it("a rated ticket whose pairing node died goes back to the rated queue, not the casual one", async () => {
    const clock = { now: 1_000_000 };
    const f = factory();
    const m = await node(f.pair, clock);
    const a = await m.quickPlay("A", "connect4", "1+5", seek(1500));
    // As if a node had taken A into a pairing and died: out of the queue, "pairing" past its deadline.
    await redis().lrem(qkey("connect4", "1+5", true), 0, a.ticket);
    await redis().hset(tkey(a.ticket), "status", "pairing", "pairedBy", "dead", "pairingUntil", String(clock.now - 1));
    expect((await m.poll(a.ticket, "A", 0)).status).toBe("waiting");
    expect(await redis().lrange(qkey("connect4", "1+5", true), 0, -1)).toEqual([a.ticket]);
    expect(await redis().llen(qkey("connect4", "1+5"))).toBe(0);
    expect((await m.quickPlay("casual", "connect4", "1+5")).status).toBe("waiting"); // never paired with A
    expect((await m.quickPlay("B", "connect4", "1+5", seek(1520))).status).toBe("matched");
    expect(f.pairs()).toEqual(["A+B"]);
  });
});
