/**
 * The takeover's decisions, against fakes of the leases, the node heartbeats
 * and Colyseus' room registry: a dead node's games are all taken, several at
 * once but never more than the bound; a live node's are left alone; the sweep
 * and a rejoin share one attempt per game; a rejoin takes a dead host's game
 * over, waits while another node moves it, and is let through otherwise.
 * The same scripts against a real Redis: test/cluster/liveness.test.ts.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Leases } from "./leases.ts";
import type { NodeLiveness } from "./liveness.ts";
import { createTakeover, type RoomRegistry } from "./takeover.ts";

const log = pino({ level: "silent" });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A little cluster in memory: lease holders by game, dead processes, listings, rooms built here. */
function world(
  opts: { dead?: string[]; owned?: Record<string, string[]>; buildMs?: number; unhostable?: string[]; survivors?: string[] } = {},
) {
  const me = "me";
  const others = opts.survivors ?? [];
  const dead = new Set(opts.dead ?? []);
  const owned = new Map(Object.entries(opts.owned ?? {}).map(([p, gs]) => [p, new Set(gs)]));
  const holders = new Map<string, string>();
  for (const [p, gs] of owned) for (const g of gs) holders.set(g, p);
  const listings = new Map<string, string>([...holders]);
  const hosted = new Set<string>();
  const built: string[] = [];
  const forgotten: Array<[string, string[]]> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const leases: Leases = {
    acquire: async (g) => {
      const h = holders.get(g);
      if (h && h !== me) return false;
      holders.set(g, me);
      return true;
    },
    steal: async (g, from) => {
      if (holders.get(g) !== from || !dead.has(from)) return false;
      holders.set(g, me);
      owned.get(from)?.delete(g);
      return true;
    },
    holder: async (g) => holders.get(g) ?? null,
    release: async (g) => {
      if (holders.get(g) === me) holders.delete(g);
    },
    isHeld: async (g) => holders.has(g),
    surelyHeld: () => false,
    takeoverAllowed: () => true,
    renewNow: async () => {},
    onLost: () => {},
    close: () => {},
  };
  const liveness: NodeLiveness = {
    processId: me,
    ttlMs: 1000,
    beatMs: 200,
    aliveUntil: () => 0,
    start: async () => {},
    isAlive: async (p) => !dead.has(p),
    verdict: async (p) => !dead.has(p),
    survey: async () => ({ alive: [me, ...others], dead: [...dead].filter((p) => owned.has(p)) }),
    gamesOf: async (p) => [...(owned.get(p) ?? [])],
    forget: async (p) => owned.delete(p),
    stop: async () => {},
  };
  const rooms: RoomRegistry = {
    hosted: (g) => hosted.has(g),
    async create(g) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await tick(opts.buildMs ?? 10);
        if (!(await leases.acquire(g))) throw new Error("hosted elsewhere");
        if (opts.unhostable?.includes(g)) {
          await leases.release(g);
          throw new Error("game over");
        }
        hosted.add(g);
        listings.set(g, me);
        built.push(g);
      } finally {
        inFlight--;
      }
    },
    listedProcess: async (g) => listings.get(g),
    forgetProcess: async (p, gs) => {
      forgotten.push([p, gs]);
      for (const g of gs) if (listings.get(g) === p) listings.delete(g);
    },
  };
  const games = { activeGames: async () => [...holders.keys()].map((id) => ({ id, ownerNode: null })) };
  const takeover = createTakeover({ games, leases, liveness, rooms, log, intervalMs: 1000, graceMs: 0, parallel: 4 });
  return { takeover, holders, listings, built, forgotten, owned, dead, stats: () => ({ maxInFlight }) };
}

const ids = (n: number, prefix = "g") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("dead-node sweep", () => {
  it("takes every game of a dead node, several at once but at most `parallel`, and forgets the node", async () => {
    const w = world({ dead: ["d1"], owned: { d1: ids(20), alive1: ids(3, "a") } });
    const taken = await w.takeover.sweepDead();
    expect(taken.sort()).toEqual(ids(20).sort());
    expect(w.built.sort()).toEqual(ids(20).sort());
    expect(w.stats().maxInFlight).toBe(4);
    // The live node's games are untouched; the dead one's listings are cleaned up and it is forgotten.
    for (const g of ids(3, "a")) expect(w.holders.get(g)).toBe("alive1");
    expect(w.forgotten).toEqual([["d1", expect.arrayContaining(ids(20))]]);
    expect(w.owned.has("d1")).toBe(false);
  });

  it("with other survivors, takes its own share first and then the rest nobody took", async () => {
    const w = world({ dead: ["d1"], owned: { d1: ids(20) }, survivors: ["s2", "s3"] });
    expect((await w.takeover.sweepDead()).sort()).toEqual(ids(20).sort());
  });

  it("takes nothing while every node is alive", async () => {
    const w = world({ owned: { n2: ids(5) } });
    expect(await w.takeover.sweepDead()).toEqual([]);
    expect(w.built).toEqual([]);
  });

  it("a rejoin arriving while the sweep rebuilds the same game shares the sweep's attempt", async () => {
    const w = world({ dead: ["d1"], owned: { d1: ["g0"] }, buildMs: 30 });
    const sweep = w.takeover.sweepDead();
    await tick(1);
    expect(await w.takeover.rescue("g0")).toBe(true);
    await sweep;
    expect(w.built).toEqual(["g0"]);
  });
});

describe("rescue (a join by id)", () => {
  it("takes a dead host's game over here, before the join goes ahead", async () => {
    const w = world({ dead: ["d1"], owned: { d1: ["g0"] } });
    expect(await w.takeover.rescue("g0")).toBe(true);
    expect(w.built).toEqual(["g0"]);
    expect(w.holders.get("g0")).toBe("me");
  });

  it("leaves a live host's game alone", async () => {
    const w = world({ owned: { n2: ["g0"] } });
    expect(await w.takeover.rescue("g0")).toBe(true);
    expect(w.built).toEqual([]);
    expect(w.holders.get("g0")).toBe("n2");
  });

  it("asks the client to retry while another node is moving the game (its listing still names the dead one)", async () => {
    const w = world({ dead: ["d1"], owned: { d1: ["g0"] } });
    w.holders.set("g0", "n3"); // n3 stole it a moment ago and is building the room
    expect(await w.takeover.rescue("g0")).toBe(false);
    w.listings.set("g0", "n3"); // n3's room is listed now
    expect(await w.takeover.rescue("g0")).toBe(true);
    expect(w.built).toEqual([]);
  });

  it("a game nobody can host any more (over): its dead listing is dropped so the join is told at once", async () => {
    const w = world({ dead: ["d1"], unhostable: ["g0"] });
    w.listings.set("g0", "d1"); // no lease (the game ended), but the dead node's listing remains
    expect(await w.takeover.rescue("g0")).toBe(true);
    expect(w.built).toEqual([]);
    expect(w.listings.has("g0")).toBe(false);
  });
});
