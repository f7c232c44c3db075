/**
 * GameHost with a fake repository (the same guards as the SQL: ply, status,
 * fencing token), a fake clock driven by hand, and an outbox that records
 * who got what. No database, no sockets, no sleeps.
 */
import type { ServerMessages } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { DbUnavailableError } from "../db/errors.ts";
import { ManualClock } from "../../test/support/clock.ts";
import { newRecord, T0 } from "./fixtures.ts";
import { GameHost, type HostDeps, type HostStorage, type Outbox } from "./host.ts";
import type { GameRecord } from "./record.ts";

/** The repository's guards, in memory. `failWith` makes the next write throw. */
class FakeStorage implements HostStorage {
  row: GameRecord;
  failWith: Error | null = null;
  writes = 0;
  constructor(row: GameRecord) {
    this.row = structuredClone(row);
  }
  async load() {
    return structuredClone(this.row);
  }
  private guarded(fence: bigint, ply: number, status: string): boolean {
    this.writes++;
    const err = this.failWith;
    this.failWith = null;
    if (err) throw err;
    return this.row.leaseToken === fence && this.row.ply === ply && this.row.status === status;
  }
  async commitMove(...[fence, , move, clocks, ending]: Parameters<HostStorage["commitMove"]>) {
    if (!this.guarded(fence, move.ply, "active")) return false;
    this.row.moves.push(move);
    this.row.ply++;
    this.row.clocks = clocks;
    this.row.offers.drawOffer = null;
    if (ending) Object.assign(this.row, { status: ending.status, result: ending.result });
    return true;
  }
  async finishGame(...[fence, , ply, clocks, ending]: Parameters<HostStorage["finishGame"]>) {
    if (!this.guarded(fence, ply, "active")) return false;
    Object.assign(this.row, { clocks, status: ending.status, result: ending.result });
    this.row.offers.drawOffer = null;
    return true;
  }
  async saveOffers(...[fence, , expected, offers]: Parameters<HostStorage["saveOffers"]>) {
    if (!this.guarded(fence, expected.ply, expected.status)) return false;
    this.row.offers = { ...offers };
    return true;
  }
  async resumeGame(...[fence, , ply, clocks]: Parameters<HostStorage["resumeGame"]>) {
    if (!this.guarded(fence, ply, "active")) return false;
    this.row.clocks = clocks;
    return true;
  }
}

type Who = "p0" | "p1" | "watcher";
const SEAT_OF: Record<Who, Seat | null> = { p0: 0, p1: 1, watcher: null };

class FakeOutbox implements Outbox<Who> {
  sent: Array<{ to: Who; type: keyof ServerMessages; body: ServerMessages[keyof ServerMessages] }> = [];
  relinquished: string[] = [];
  gameOvers = 0;
  send<K extends keyof ServerMessages>(to: Who, type: K, body: ServerMessages[K]) {
    this.sent.push({ to, type, body });
  }
  sendEach<K extends keyof ServerMessages>(type: K, body: (you: Seat | null) => ServerMessages[K]) {
    for (const to of ["p0", "p1", "watcher"] as const) this.send(to, type, body(SEAT_OF[to]));
  }
  spectators = () => 1;
  gameOver() {
    this.gameOvers++;
  }
  relinquish(reason: string) {
    this.relinquished.push(reason);
  }
  /** Messages of `type` that `to` got. */
  of<K extends keyof ServerMessages>(to: Who, type: K): ServerMessages[K][] {
    return this.sent.filter((m) => m.to === to && m.type === type).map((m) => m.body as ServerMessages[K]);
  }
  last<K extends keyof ServerMessages>(to: Who, type: K): ServerMessages[K] | undefined {
    return this.of(to, type).at(-1);
  }
}

const SETTINGS = {
  firstMoveTimeoutMs: 30_000,
  reconnectWindowMs: 60_000,
  botThinkMs: [100, 200] as const,
  heartbeat: { intervalMs: 500, timeoutMs: 1500 },
};

async function setup(record: GameRecord = newRecord(), opts: { resume?: boolean; fence?: bigint; storage?: FakeStorage } = {}) {
  const storage = opts.storage ?? new FakeStorage(record);
  const clock = new ManualClock(T0);
  const outbox = new FakeOutbox();
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const created: Array<Parameters<HostDeps<Who>["createGame"]>[0]> = [];
  let createFails = false;
  const deps: HostDeps<Who> = {
    storage,
    outbox,
    clock,
    random: () => 0,
    createGame: async (req) => {
      if (createFails) throw new Error("no room");
      created.push(req);
      return "g2";
    },
    log,
    settings: SETTINGS,
  };
  const host = await GameHost.open("g1", opts.fence ?? 1n, deps, opts.resume === true);
  if (!host) throw new Error("not hostable");
  const errors = (level: number) => lines.filter((l) => l.level === level);
  return {
    host,
    storage,
    clock,
    outbox,
    created,
    errors,
    failCreate: () => {
      createFails = true;
    },
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;
const move = (s: Setup, who: "p0" | "p1", m: string, ply = s.host.state.ply) =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "move", ply, move: m });
const draw = (s: Setup, who: "p0" | "p1", action: "offer" | "accept" | "decline") =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "draw", action });
const rematch = (s: Setup, who: "p0" | "p1", action: "offer" | "accept" | "decline") =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "rematch", action });

describe("GameHost: plan → commit → apply", () => {
  it("a committed move is stored, then sent to everyone", async () => {
    const s = await setup();
    await move(s, "p0", "3");
    expect(s.storage.row.moves.map((m) => m.move)).toEqual(["3"]);
    for (const who of ["p0", "p1", "watcher"] as const) expect(s.outbox.last(who, "moved")?.record.move).toBe("3");
  });

  it("a refused move writes nothing and answers only the sender", async () => {
    const s = await setup();
    await move(s, "p0", "3", 5);
    await move(s, "p1", "3");
    expect(s.storage.writes).toBe(0);
    expect(s.outbox.of("p0", "error").map((e) => e.code)).toEqual(["STALE_PLY"]);
    expect(s.outbox.of("p1", "error").map((e) => e.code)).toEqual(["NOT_YOUR_TURN"]);
    expect(s.outbox.sent.filter((m) => m.type !== "error")).toEqual([]);
  });

  it("stale write: the log moved on behind our back → reload from it, STALE_PLY, nothing of ours applied", async () => {
    const s = await setup();
    s.storage.row.moves.push({ ply: 0, seat: 0, move: "5", san: "f1", clockMs: 60_000, at: T0 });
    s.storage.row.ply = 1;
    await move(s, "p0", "3");
    expect(s.outbox.of("p1", "moved")).toEqual([]);
    expect(s.outbox.last("p0", "error")?.code).toBe("STALE_PLY");
    expect(s.outbox.last("p1", "snapshot")?.moves.map((m) => m.move)).toEqual(["5"]);
    expect(s.host.state.ply).toBe(1);
    expect(s.outbox.relinquished).toEqual([]);
  });

  it("fenced-out write: another node took the game → relinquish; nothing applied or sent, no further writes", async () => {
    const s = await setup();
    s.storage.row.leaseToken = 2n;
    await move(s, "p0", "3");
    expect(s.outbox.relinquished).toEqual(["fenced out: another node owns this game now"]);
    expect(s.outbox.sent).toEqual([]);
    expect(s.storage.row.moves).toEqual([]);
    const writes = s.storage.writes;
    await move(s, "p0", "3");
    await s.clock.advance(120_000); // no deadline, bot or abandonment timer fires any more
    expect(s.storage.writes).toBe(writes);
    expect(s.outbox.sent).toEqual([]);
  });

  it("database unavailable → UNAVAILABLE to the sender, nothing applied; logged as a warning", async () => {
    const s = await setup();
    s.storage.failWith = new DbUnavailableError("connect ECONNREFUSED 127.0.0.1:5432");
    await move(s, "p0", "3");
    expect(s.outbox.of("p0", "error")).toEqual([
      {
        code: "UNAVAILABLE",
        message: "the database is temporarily unavailable; nothing was applied, try again",
        inReplyTo: "move",
      },
    ]);
    expect(s.outbox.of("p1", "moved")).toEqual([]);
    expect(s.host.state.ply).toBe(0);
    expect(s.errors(50)).toEqual([]);
    expect(s.errors(40).map((l) => l.msg)).toEqual(["commit failed: database unavailable"]);
    await move(s, "p0", "3"); // and the retry goes through
    expect(s.storage.row.ply).toBe(1);
  });

  it("any other database error (a bug, a constraint) → INTERNAL to the sender, logged as an error", async () => {
    const s = await setup();
    s.storage.failWith = new Error('duplicate key value violates unique constraint "Move_pkey"');
    await draw(s, "p0", "offer");
    expect(s.outbox.of("p0", "error").map((e) => [e.code, e.inReplyTo])).toEqual([["INTERNAL", "draw"]]);
    expect(s.host.state.offers.drawOffer).toBeNull();
    expect(s.errors(50).map((l) => l.msg)).toEqual(["commit failed"]);
  });
});

describe("GameHost: resume after a takeover", () => {
  const midGame = (): GameRecord =>
    newRecord("connect4", {
      ply: 3,
      moves: [
        { ply: 0, seat: 0, move: "3", san: "d1", clockMs: 60_000, at: T0 + 1000 },
        { ply: 1, seat: 1, move: "3", san: "d2", clockMs: 60_000, at: T0 + 2000 },
        { ply: 2, seat: 0, move: "4", san: "e1", clockMs: 55_000, at: T0 + 12_000 },
      ],
      // Seat 1's turn began at T0 + 12 s with 60 s; the node died soon after.
      clocks: { clock0Ms: 55_000, clock1Ms: 60_000, turnStartedAt: T0 + 12_000, deadlineAt: T0 + 72_000 },
    });

  it("the side to move gets the time it had when its turn began, from now", async () => {
    const s = await setup(midGame(), { resume: true });
    expect(s.storage.row.clocks).toEqual({ clock0Ms: 55_000, clock1Ms: 60_000, turnStartedAt: T0, deadlineAt: T0 + 60_000 });
    await s.clock.advance(59_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row.result).toEqual({ winner: 0, reason: "timeout" });
  });

  it("a pending first-move deadline restarts", async () => {
    const r = newRecord("connect4", {
      ply: 1,
      moves: [{ ply: 0, seat: 0, move: "3", san: "d1", clockMs: 60_000, at: T0 - 50_000 }],
    });
    r.clocks = { clock0Ms: 60_000, clock1Ms: 60_000, turnStartedAt: T0 - 50_000, deadlineAt: T0 - 20_000 };
    const s = await setup(r, { resume: true });
    expect(s.storage.row.clocks.deadlineAt).toBe(T0 + 30_000);
    await s.clock.advance(30_000);
    expect(s.storage.row.status).toBe("aborted");
  });

  it("a resume that finds the game fenced by a newer owner is not hosted", async () => {
    const storage = new FakeStorage(midGame());
    storage.row.leaseToken = 5n;
    await expect(setup(midGame(), { resume: true, storage })).rejects.toThrow(/not hostable/);
  });
});

describe("GameHost: offers are committed like moves", () => {
  it("offer, then accept: stored first, then shown; the accepted draw ends the game", async () => {
    const s = await setup();
    await draw(s, "p0", "offer");
    expect(s.storage.row.offers.drawOffer).toBe(0);
    expect(s.outbox.last("p1", "snapshot")?.drawOffer).toBe(0);
    await draw(s, "p1", "accept");
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: null, reason: "agreement" } });
    expect(s.outbox.last("watcher", "snapshot")?.result).toEqual({ winner: null, reason: "agreement" });
    expect(s.outbox.gameOvers).toBe(1);
  });

  it("decline clears the offer; answering no offer is NO_OFFER; offering back is accepting", async () => {
    const s = await setup();
    await draw(s, "p1", "accept");
    expect(s.outbox.last("p1", "error")?.code).toBe("NO_OFFER");
    await draw(s, "p0", "offer");
    await draw(s, "p1", "decline");
    expect(s.storage.row.offers.drawOffer).toBeNull();
    expect(s.outbox.last("p0", "snapshot")?.drawOffer).toBeNull();
    await draw(s, "p1", "offer");
    await draw(s, "p0", "offer");
    expect(s.storage.row.result).toEqual({ winner: null, reason: "agreement" });
  });

  it("a move clears a pending draw offer in the same write", async () => {
    const s = await setup();
    await draw(s, "p1", "offer");
    const writes = s.storage.writes;
    await move(s, "p0", "3");
    expect(s.storage.writes).toBe(writes + 1);
    expect(s.storage.row.offers.drawOffer).toBeNull();
  });

  it("a pending draw offer survives the node: the new host has it and it can be accepted", async () => {
    const first = await setup();
    await draw(first, "p0", "offer");
    first.storage.row.leaseToken = 2n; // the node died; another took the game over (takeOwnership)
    const second = await setup(first.storage.row, { resume: true, fence: 2n, storage: first.storage });
    second.host.sendSnapshot("p1", 1);
    expect(second.outbox.last("p1", "snapshot")?.drawOffer).toBe(0);
    await draw(second, "p1", "accept");
    expect(second.storage.row.result).toEqual({ winner: null, reason: "agreement" });
  });

  it("a bot declines a draw at once: nothing stored, the sender sees no pending offer", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await draw(s, "p0", "offer");
    expect(s.storage.writes).toBe(0);
    expect(s.outbox.last("p0", "snapshot")?.drawOffer).toBeNull();
  });

  it("rematch: GAME_NOT_OVER during the game; offer, accept → the game is created with colours swapped and recorded", async () => {
    const s = await setup();
    await rematch(s, "p0", "offer");
    expect(s.outbox.last("p0", "error")?.code).toBe("GAME_NOT_OVER");
    await s.host.receive("p0", 0, { type: "resign" });
    await rematch(s, "p0", "offer");
    expect(s.storage.row.offers.rematchOffer).toBe(0);
    await rematch(s, "p1", "accept");
    expect(s.created).toMatchObject([{ playerIds: ["b", "a"], mode: "rematch", rematchOfId: "g1" }]);
    expect(s.storage.row.offers).toEqual({ drawOffer: null, rematchOffer: null, rematchGameId: "g2" });
    expect(s.outbox.last("p0", "snapshot")?.rematchGameId).toBe("g2");
  });

  it("a failed rematch creation answers UNAVAILABLE and leaves the offer as it was", async () => {
    const s = await setup();
    await s.host.receive("p1", 1, { type: "resign" });
    await rematch(s, "p1", "offer");
    s.failCreate();
    await rematch(s, "p0", "accept");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "UNAVAILABLE", inReplyTo: "rematch" });
    expect(s.storage.row.offers).toEqual({ drawOffer: null, rematchOffer: 1, rematchGameId: null });
  });

  it("a bot accepts a rematch at once", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await s.host.receive("p0", 0, { type: "abort" });
    await rematch(s, "p0", "offer");
    expect(s.created).toMatchObject([{ mode: "bot", playerIds: ["bot", "a"] }]);
    expect(s.storage.row.offers.rematchGameId).toBe("g2");
  });
});

describe("GameHost: deadlines, the bot and abandonment (fake clock)", () => {
  /** Both players connected, both first moves played at T0: seat 0 to move, clocks running. */
  const opened = async (record?: GameRecord) => {
    const s = await setup(record);
    s.host.seatChanged(0, 1);
    s.host.seatChanged(1, 1);
    await move(s, "p0", "3");
    await move(s, "p1", "3");
    return s;
  };

  it("no first move in time aborts the game", async () => {
    const s = await setup();
    await s.clock.advance(29_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row).toMatchObject({ status: "aborted", result: { winner: null, reason: "aborted" } });
  });

  it("the flag falls: the side to move loses on time, its clock at 0", async () => {
    const s = await opened();
    await s.clock.advance(60_000);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(s.storage.row.clocks.clock0Ms).toBe(0);
    expect(s.outbox.last("p1", "snapshot")?.result).toEqual({ winner: 1, reason: "timeout" });
  });

  it("the flag falls against a bare king: a draw (timeout vs insufficient material)", async () => {
    // White strips Black to a bare king (54 plies); White to move.
    const line =
      "a2a3 b8a6 g2g3 a6b8 g1h3 g8f6 d2d3 c7c5 b2b3 h7h5 d3d4 e7e6 d4c5 f6h7 d1d7 d8d7 c1h6 h5h4 g3h4 e6e5 h6g7 d7f5 g7e5 f5d7 e5h8 h7g5 h4g5 d7a4 b3a4 c8e6 f1g2 a7a5 g2b7 f7f6 b7a8 e6c4 g5f6 c4a6 e2e4 b8c6 a8c6 e8f7 f2f3 a6e2 e1e2 f8d6 c5d6 f7f8 d6d7 f8f7 d7d8b f7f8 d8a5 f8f7".split(
        " ",
      );
    const moves = line.map((m, ply) => ({ ply, seat: (ply % 2) as Seat, move: m, san: m, clockMs: 60_000, at: T0 }));
    const r = newRecord("chess", { ply: moves.length, moves });
    r.clocks = { clock0Ms: 10_000, clock1Ms: 60_000, turnStartedAt: T0, deadlineAt: T0 + 10_000 };
    const s = await setup(r);
    await s.clock.advance(10_000);
    expect(s.storage.row.result).toEqual({ winner: null, reason: "timeout-vs-insufficient-material" });
  });

  it("a move that arrives after the flag fell, before the timer ran, is refused and the game ends on time", async () => {
    const s = await opened();
    s.clock.t += 60_001; // time passed; the deadline timer has not run yet
    await move(s, "p0", "4");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "GAME_OVER", message: "your time ran out" });
    expect(s.storage.row).toMatchObject({ ply: 2, status: "finished", result: { winner: 1, reason: "timeout" } });
    expect(s.outbox.of("p1", "moved").map((m) => m.ply)).toEqual([1, 2]);
  });

  it("the bot moves after its think time, on its own", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await move(s, "p0", "3");
    await s.clock.advance(99);
    expect(s.storage.row.ply).toBe(1);
    await s.clock.advance(1); // random() = 0: the minimum think time
    expect(s.storage.row.moves.map((m) => m.seat)).toEqual([0, 1]);
    expect(s.outbox.last("p0", "moved")?.record.seat).toBe(1);
  });

  it("a seat left empty past the reconnection window loses by abandonment; coming back in time cancels it", async () => {
    const tenMinutes = { clock0Ms: 600_000, clock1Ms: 600_000, turnStartedAt: T0, deadlineAt: T0 + 30_000 };
    const s = await opened(newRecord("connect4", { clocks: tenMinutes }));
    s.host.seatChanged(1, -1);
    await s.clock.advance(30_000);
    s.host.broadcastSnapshots();
    expect(s.outbox.last("p0", "snapshot")?.players[1]).toMatchObject({
      connected: false,
      reconnectDeadline: s.clock.t + 30_000,
    });
    s.host.seatChanged(1, 1); // back in time
    await s.clock.advance(40_000);
    expect(s.storage.row.status).toBe("active");
    s.host.seatChanged(1, -1);
    await s.clock.advance(59_999);
    expect(s.storage.row.status).toBe("active");
    await s.clock.advance(1);
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: 0, reason: "abandon" } });
  });
});
