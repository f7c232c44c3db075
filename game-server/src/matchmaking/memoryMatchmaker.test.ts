/** The single-node matchmaker: pairing, invites, cancellation, stale tickets, concurrency. */
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MatchmakingError } from "./matchmaker.ts";
import { createMemoryMatchmaker } from "./memoryMatchmaker.ts";

const log = pino({ level: "silent" });

/** A matchmaker on a fake clock (`clock.ms`, epoch ms) that records the games it asks for. */
function setup(staleAfterMs = 30_000) {
  const games: Array<{ ids: [string, string]; mode: string }> = [];
  const clock = { ms: 1_000_000 };
  const mm = createMemoryMatchmaker({
    log,
    staleAfterMs,
    now: () => clock.ms,
    playerName: async (id) => `name-${id}`,
    pair: async ({ playerIds, mode }) => {
      await new Promise((r) => setImmediate(r)); // game creation is asynchronous: let other requests interleave
      games.push({ ids: playerIds, mode });
      return `g${games.length}`;
    },
  });
  return { mm, games, clock };
}

describe("memory matchmaker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("pairs two players of the same game and time control, and nobody else", async () => {
    const { mm, games } = setup();
    const a = await mm.quickPlay("a", "chess", "3+2");
    const c = await mm.quickPlay("c", "chess", "5+3");
    expect(a.status).toBe("waiting");
    expect(c.status).toBe("waiting");
    const b = await mm.quickPlay("b", "chess", "3+2");
    expect(b).toMatchObject({ status: "matched", gameId: "g1" });
    expect(await mm.poll(a.ticket, "a", 0)).toMatchObject({ status: "matched", gameId: "g1" });
    expect((await mm.poll(c.ticket, "c", 0)).status).toBe("waiting");
    expect(games).toEqual([{ ids: ["a", "b"], mode: "quick" }]);
    mm.close();
  });

  it("a long poll returns as soon as the ticket is matched", async () => {
    const { mm } = setup();
    const a = await mm.quickPlay("a", "connect4", "1+5");
    // An hour-long poll: had it waited for its timer rather than the match, the test would time out.
    const polled = mm.poll(a.ticket, "a", 3_600_000);
    await mm.quickPlay("b", "connect4", "1+5");
    expect((await polled).status).toBe("matched");
    mm.close();
  });

  it("one ticket per player, cancel, and other players' tickets are private", async () => {
    const { mm, games } = setup();
    const first = await mm.quickPlay("a", "chess", "3+2");
    const second = await mm.quickPlay("a", "chess", "3+2"); // replaces the first
    expect((await mm.poll(first.ticket, "a", 0)).status).toBe("cancelled");
    await expect(mm.poll(second.ticket, "b", 0)).rejects.toThrow(/no such ticket/);
    expect((await mm.cancel(second.ticket, "a")).status).toBe("cancelled");
    expect((await mm.quickPlay("b", "chess", "3+2")).status).toBe("waiting");
    expect(games).toHaveLength(0);
    mm.close();
  });

  it("never pairs a player with themself", async () => {
    const { mm } = setup();
    await mm.quickPlay("a", "chess", "3+2");
    expect((await mm.quickPlay("a", "chess", "3+2")).status).toBe("waiting");
    mm.close();
  });

  it("does not pair with a ticket whose owner stopped polling", async () => {
    const { mm, games, clock } = setup(50);
    const ghost = await mm.quickPlay("ghost", "chess", "3+2");
    clock.ms += 50; // exactly the limit: still fresh
    expect((await mm.quickPlay("b", "chess", "3+2")).status).toBe("matched");
    expect(games).toHaveLength(1);
    await mm.quickPlay("ghost", "chess", "3+2");
    clock.ms += 51;
    expect((await mm.quickPlay("c", "chess", "3+2")).status).toBe("waiting");
    expect(games).toHaveLength(1);
    expect((await mm.poll(ghost.ticket, "ghost", 0)).status).toBe("matched");
    mm.close();
  });

  it("a ticket whose owner is in a long poll is never stale", async () => {
    const { mm, games, clock } = setup(50);
    const a = await mm.quickPlay("a", "chess", "3+2");
    const polled = mm.poll(a.ticket, "a", 3_600_000);
    clock.ms += 10_000;
    expect((await mm.quickPlay("b", "chess", "3+2")).status).toBe("matched");
    expect((await polled).status).toBe("matched");
    expect(games).toHaveLength(1);
    mm.close();
  });

  it("the sweep expires waiting tickets nobody polls, and only those", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { mm, clock } = setup(30_000);
    const idle = await mm.quickPlay("idle", "chess", "3+2");
    const fresh = await mm.quickPlay("fresh", "chess", "5+3");
    clock.ms += 30_001;
    await mm.poll(fresh.ticket, "fresh", 0); // seen now
    vi.advanceTimersByTime(5_000);
    expect((await mm.poll(idle.ticket, "idle", 0)).status).toBe("expired");
    expect((await mm.poll(fresh.ticket, "fresh", 0)).status).toBe("waiting");
    mm.close();
  });

  it("under concurrency every player is paired exactly once", async () => {
    const { mm, games } = setup();
    const ids = Array.from({ length: 100 }, (_, i) => `p${i}`);
    const tickets = await Promise.all(ids.map((id) => mm.quickPlay(id, "connect4", "1+5")));
    const final = await Promise.all(tickets.map((t, i) => mm.poll(t.ticket, ids[i], 0)));
    expect(final.every((t) => t.status === "matched")).toBe(true);
    expect(games).toHaveLength(50);
    const seated = games.flatMap((g) => g.ids);
    expect(new Set(seated).size).toBe(100);
    // Both players of a game hold the same game id.
    const byGame = new Map<string, number>();
    for (const t of final) byGame.set(t.gameId!, (byGame.get(t.gameId!) ?? 0) + 1);
    expect([...byGame.values()].every((n) => n === 2)).toBe(true);
    mm.close();
  });

  it("invites: the code finds the game; the host cannot accept their own; a code works once", async () => {
    const { mm, games } = setup();
    const host = await mm.createInvite("h", "chess", "10+0");
    const code = host.inviteCode!;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(await mm.inviteInfo(code.toLowerCase())).toEqual({
      code,
      game: "chess",
      timeControl: "10+0",
      host: { name: "name-h" },
      passwordRequired: false,
    });
    await expect(mm.acceptInvite("h", code)).rejects.toThrow(/own invite/);
    const { gameId } = await mm.acceptInvite("g", code);
    expect(await mm.poll(host.ticket, "h", 0)).toMatchObject({ status: "matched", gameId });
    await expect(mm.acceptInvite("x", code)).rejects.toThrow(/no open invite/);
    expect(games).toEqual([{ ids: ["h", "g"], mode: "invite" }]);
    mm.close();
  });

  it("rated: paired by the widening window (re-checked each second), never with a blocked player, apart from casual", async () => {
    const { mm, games, clock } = setup(120_000);
    const a = await mm.quickPlay("a", "connect4", "1+5", { rating: 1500, avoid: [] });
    expect(a).toMatchObject({ status: "waiting", rated: true });
    expect((await mm.quickPlay("casual", "connect4", "1+5")).status).toBe("waiting"); // not in the rated queue
    expect((await mm.quickPlay("b", "connect4", "1+5", { rating: 1500, avoid: ["a"] })).status).toBe("waiting"); // blocked
    const c = await mm.quickPlay("c", "connect4", "1+5", { rating: 1750, avoid: [] }); // 250 away from a: ±100 now
    expect(c.status).toBe("waiting");
    clock.ms += 15_000; // a and c: ±250 now (b, 250 from c too, queued after a)
    await vi.waitFor(async () => expect((await mm.poll(c.ticket, "c", 0)).status).toBe("matched"), { timeout: 3_000 });
    expect(games).toEqual([{ ids: ["a", "c"], mode: "quick" }]);
    mm.close();
  });
});

describe("memory matchmaker: private invites", () => {
  /** A matchmaker whose games record the password hash they were made with. */
  function privateSetup() {
    const made: Array<{ ids: [string, string]; passwordHash?: string }> = [];
    const mm = createMemoryMatchmaker({
      log,
      playerName: async (id) => `name-${id}`,
      pair: async ({ playerIds, passwordHash }) => {
        made.push({ ids: playerIds, passwordHash });
        return `g${made.length}`;
      },
    });
    return { mm, made };
  }
  const refuse = async () => {
    throw new MatchmakingError("WRONG_PASSWORD", "wrong password");
  };

  it("says a password is needed, keeps the invite open after a refused unlock, and gives the game the hash", async () => {
    const { mm, made } = privateSetup();
    const t = await mm.createInvite("host", "chess", "3+2", "$argon2id$h");
    const code = t.inviteCode as string;
    expect(t).not.toHaveProperty("passwordHash");
    expect(await mm.inviteInfo(code)).toMatchObject({ passwordRequired: true });
    await expect(mm.acceptInvite("guest", code, refuse)).rejects.toMatchObject({ code: "WRONG_PASSWORD" });
    // Without an unlock a private invite cannot be taken at all.
    await expect(mm.acceptInvite("guest", code)).rejects.toMatchObject({ code: "PASSWORD_REQUIRED" });
    expect((await mm.poll(t.ticket, "host", 0)).status).toBe("waiting");
    expect(made).toEqual([]);

    const seen: Array<string | null> = [];
    const unlock = async (hash: string | null) => void seen.push(hash);
    expect(await mm.acceptInvite("guest", code, unlock)).toEqual({ gameId: "g1" });
    expect(seen).toEqual(["$argon2id$h"]);
    expect(made).toEqual([{ ids: ["host", "guest"], passwordHash: "$argon2id$h" }]);
    expect(await mm.inviteInfo(code)).toBeNull();
    mm.close();
  });

  it("a public invite asks the unlock with no hash, and its game has none", async () => {
    const { mm, made } = privateSetup();
    const t = await mm.createInvite("host", "connect4", "1+5");
    expect(await mm.inviteInfo(t.inviteCode as string)).toMatchObject({ passwordRequired: false });
    const seen: Array<string | null> = [];
    await mm.acceptInvite("guest", t.inviteCode as string, async (h) => void seen.push(h));
    expect(seen).toEqual([null]);
    expect(made).toEqual([{ ids: ["host", "guest"], passwordHash: undefined }]);
    mm.close();
  });
});
