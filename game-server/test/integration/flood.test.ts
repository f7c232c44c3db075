/**
 * Flooding one node.
 *  - A client sending more than MAX_MESSAGES_PER_SECOND (20) messages in a second is disconnected (4002):
 *    a flood of `sync` gets at most ~21 of its 500 answered; a flood of 500 copies of a legal move commits
 *    exactly one move (the rest are STALE_PLY or never read).
 *  - Other games are unaffected: a player of another game measures move round trips (send `move` → its own
 *    `moved`) in windows without and with a flood, interleaved (so that background load — the fuzz file may
 *    run in parallel — affects both alike), and the flood windows' p95 must stay within a bound (see LATENCY_BOUND).
 *  - HTTP flooding (POST /api/guest and quick play as fast as possible): past the per-IP limits the node
 *    answers 429 RATE_LIMITED; it stays healthy, answers no 5xx, and other games' latency stays bounded.
 */
import type { Room } from "@colyseus/sdk";
import { createRng, GAMES, type Rng, type Seat as SeatIndex } from "@tabula/shared/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, quickPlay, Seat, type Player } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { percentile, pick } from "../support/fuzz.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const SEED = process.env.FUZZ_SEED ?? "tabula-flood-1";
const MAX_MESSAGES_PER_SECOND = 20;
/** Rounds of (quiet window, flood window), and moves measured per window. */
const ROUNDS = 5;
const MOVES_PER_WINDOW = 10;
/**
 * Pause between measured moves. The two measuring sockets alternate, so each sends one message every
 * 2 × (round trip + pause): at most ~10 a second, well under the limit it must not trip itself.
 */
const PACE_MS = 45;
const FLOOD = 500;
/** HTTP limits for this node (per client IP and minute): high enough for the test's own players. */
const API_RATE_PER_MIN = 2000;
const GUEST_RATE_PER_MIN = 100;

/**
 * The bound on the p95 move round trip during a flood: max(3 × the quiet p95, 50 ms).
 * The node, the measuring players and the flooders share one process and event loop (the node runs in the test
 * process), on a machine that may have 2 cores shared with PostgreSQL and another test file. A quiet round trip is
 * a few ms, mostly the PostgreSQL commit. A flooder costs the node some frame parsing and at most ~21 handled
 * messages per connection before it is cut off, so a move may queue behind a few ms of that work: 3× the quiet
 * p95 allows for that proportional slowdown, and the 50 ms floor absorbs scheduler and GC noise, which at a few
 * ms is larger than any effect we could attribute (and 50 ms is imperceptible to a player). A game starved by a
 * flood would show hundreds of ms or seconds.
 */
function latencyBound(quietP95: number): number {
  return Math.max(3 * quietP95, 50);
}

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({
    MAX_MESSAGES_PER_SECOND: String(MAX_MESSAGES_PER_SECOND),
    API_RATE_PER_MIN: String(API_RATE_PER_MIN),
    GUEST_RATE_PER_MIN: String(GUEST_RATE_PER_MIN),
  });
  console.log(`flood seed: ${SEED}`);
});
afterAll(async () => {
  await node?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A live chess game between two SDK players whose moves are chosen (seeded) among legal moves that do not end it. */
class LiveGame {
  readonly gameId: string;
  readonly players: [Player, Player];
  readonly seats: [Seat, Seat];
  private readonly rng: Rng;
  private state: unknown;
  private readonly def = GAMES.chess;

  private constructor(gameId: string, players: [Player, Player], seats: [Seat, Seat], rng: Rng) {
    this.gameId = gameId;
    this.players = players;
    this.seats = seats;
    this.rng = rng;
    this.state = this.def.setup(seats[0].snapshot!.seed);
  }

  static async start(name: string): Promise<LiveGame> {
    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const [g] = await Promise.all([quickPlay(a, "chess", "10+0"), quickPlay(b, "chess", "10+0")]);
    const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
    const [seats, players]: [[Seat, Seat], [Player, Player]] =
      sa.seat === 0
        ? [
            [sa, sb],
            [a, b],
          ]
        : [
            [sb, sa],
            [b, a],
          ];
    return new LiveGame(g, players, seats, createRng(`${SEED}:${name}`));
  }

  get ply(): number {
    return this.def.ply(this.state);
  }

  get toMove(): SeatIndex {
    return this.def.toMove(this.state)!;
  }

  /** A legal move for the side to move that does not end the game. */
  nextMove(): string {
    const seat = this.toMove;
    const moves = this.def.legalMoves(this.state, seat).filter((m) => {
      const r = this.def.apply(this.state, m, seat);
      return r.ok && this.def.result(r.state) === null;
    });
    if (moves.length === 0) throw new Error("no move keeps the game going");
    return pick(this.rng, moves);
  }

  /** The move was committed (by whoever sent it): follow it. */
  applied(move: string): void {
    const r = this.def.apply(this.state, move, this.toMove);
    if (!r.ok) throw new Error(`cannot follow ${move}`);
    this.state = r.state;
  }

  /** Play one move from the seat to move; resolves with the round trip in ms (send → own `moved`). */
  async timedMove(): Promise<number> {
    const seat = this.seats[this.toMove];
    const ply = this.ply;
    const move = this.nextMove();
    const errors = seat.errors.length;
    const t0 = performance.now();
    seat.room.send("move", { ply, move });
    await seat.until((s) => (s.snapshot?.ply ?? 0) > ply || s.errors.length > errors, `move ${move} at ply ${ply}`);
    const rtt = performance.now() - t0;
    if (seat.errors.length > errors) throw new Error(`move refused: ${JSON.stringify(seat.errors.at(-1))}`);
    this.applied(move);
    return rtt;
  }
}

/**
 * Measure move round trips in `game` in ROUNDS × (quiet window, flood window); `flood` starts a flood and
 * returns a function that stops it (and resolves once it has stopped).
 */
async function measure(game: LiveGame, flood: () => () => Promise<void>): Promise<{ quiet: number[]; flooded: number[] }> {
  const quiet: number[] = [];
  const flooded: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < MOVES_PER_WINDOW; i++) {
      quiet.push(await game.timedMove());
      await sleep(PACE_MS);
    }
    const stop = flood();
    await sleep(100); // let the flood get going
    for (let i = 0; i < MOVES_PER_WINDOW; i++) {
      flooded.push(await game.timedMove());
      await sleep(PACE_MS);
    }
    await stop();
  }
  return { quiet, flooded };
}

function report(what: string, r: { quiet: number[]; flooded: number[] }): { quietP95: number; floodP95: number; bound: number } {
  const f = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(1)} p95 ${percentile(xs, 95).toFixed(1)} max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
  const quietP95 = percentile(r.quiet, 95);
  const floodP95 = percentile(r.flooded, 95);
  const bound = latencyBound(quietP95);
  console.log(
    `${what}: another game's move round trips: quiet ${f(r.quiet)}; flooded ${f(r.flooded)}; bound ${bound.toFixed(1)} ms`,
  );
  return { quietP95, floodP95, bound };
}

/** Join `gameId` with the SDK and count what comes back. */
async function join(p: Player, gameId: string, options: Record<string, unknown>) {
  const room: Room = await p.sdk.joinById(gameId, options);
  const got = { snapshots: 0, moved: 0, errors: [] as string[], closed: undefined as number | undefined };
  const closed = new Promise<number>((resolve) =>
    room.onLeave((code) => {
      got.closed = code;
      resolve(code);
    }),
  );
  room.onMessage("snapshot", () => got.snapshots++);
  room.onMessage("moved", () => got.moved++);
  room.onMessage("error", (e: { code: string }) => got.errors.push(e.code));
  return { room, got, closed };
}

describe("flooding", () => {
  it("a client flooding `sync` is disconnected (4002) and other games keep their pace", async () => {
    const victim = await LiveGame.start("sync-victim");
    const target = await LiveGame.start("sync-target");
    const flooders = await Promise.all(Array.from({ length: 3 }, () => newPlayer(node.url)));
    const cycles: Array<{ code: number; answered: number }> = [];
    const flood = () => {
      let running = true;
      const loops = flooders.map(async (p) => {
        while (running) {
          const { room, got, closed } = await join(p, target.gameId, { spectate: true });
          const before = got.snapshots;
          for (let i = 0; i < FLOOD; i++) room.send("sync", {});
          const code = await closed;
          cycles.push({ code, answered: got.snapshots - before });
        }
      });
      return async () => {
        running = false;
        await Promise.all(loops);
      };
    };
    const r = report("sync flood", await measure(victim, flood));
    const answered = cycles.map((c) => c.answered);
    console.log(
      `sync flood: ${cycles.length} connections flooded ${FLOOD} messages each; close codes ${[...new Set(cycles.map((c) => c.code))]}; ` +
        `snapshots received per connection: min ${Math.min(...answered)}, median ${percentile(answered, 50)}, max ${Math.max(...answered)}`,
    );
    expect(cycles.length).toBeGreaterThanOrEqual(flooders.length * ROUNDS);
    for (const c of cycles) {
      expect(c.code).toBe(4002);
      // Of the 500, at most the limit + 1 were handled (Colyseus starts counting at the second message of a
      // window); the join snapshot and presence broadcasts (other flooders coming and going) come on top.
      expect(c.answered).toBeLessThanOrEqual(2 * (MAX_MESSAGES_PER_SECOND + 1));
    }
    expect(r.floodP95).toBeLessThanOrEqual(r.bound);
    // The flooded game itself is fine too.
    await target.timedMove();
  });

  it("a client flooding a legal move commits it exactly once, is disconnected, and other games keep their pace", async () => {
    const victim = await LiveGame.start("move-victim");
    // Flooded games, each with a spectator watching its moves; a fresh one when a game grows long
    // (so that a rule such as the fifty-move rule never ends it).
    const targets: Array<{ game: LiveGame; observer: Seat; floods: number }> = [];
    const newTarget = async () => {
      const game = await LiveGame.start(`move-target-${targets.length}`);
      const observer = await Seat.join(await newPlayer(node.url), game.gameId, { spectate: true });
      targets.push({ game, observer, floods: 0 });
    };
    await newTarget();
    const codes = new Set<number>();
    const flood = () => {
      let running = true;
      const loop = (async () => {
        while (running) {
          if (targets[targets.length - 1].game.ply >= 120) await newTarget();
          const t = targets[targets.length - 1];
          // The seat to move floods its move from a second socket.
          const seat = t.game.toMove;
          const ply = t.game.ply;
          const move = t.game.nextMove();
          const { room, closed } = await join(t.game.players[seat], t.game.gameId, {});
          for (let i = 0; i < FLOOD; i++) room.send("move", { ply, move });
          codes.add(await closed);
          await t.observer.until((s) => (s.snapshot?.ply ?? 0) > ply, `the flooded move at ply ${ply}`);
          t.game.applied(move);
          t.floods++;
        }
      })();
      return async () => {
        running = false;
        await loop;
      };
    };
    const r = report("move flood", await measure(victim, flood));
    await sleep(200); // anything late would show now
    const floods = targets.reduce((n, t) => n + t.floods, 0);
    console.log(
      `move flood: ${floods} connections (in ${targets.length} games) flooded ${FLOOD} copies of a legal move each; close codes ${[...codes]}`,
    );
    expect(floods).toBeGreaterThanOrEqual(ROUNDS);
    expect([...codes]).toEqual([4002]);
    for (const t of targets) {
      // Exactly one move per flood, in order: in what everyone saw, and in the database.
      const plies = Array.from({ length: t.floods }, (_, i) => i);
      expect(t.observer.moved.map((m) => m.record.ply)).toEqual(plies);
      const rows = await query(node.databaseUrl, `SELECT ply FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [t.game.gameId]);
      expect(rows.map((m) => m.ply)).toEqual(plies);
      // The players' own sockets were never affected.
      for (const s of t.game.seats) expect(s.room.connection.isOpen).toBe(true);
    }
    expect(r.floodP95).toBeLessThanOrEqual(r.bound);
  });

  it("HTTP flooding (guests, quick play) is cut off with 429 and the node stays healthy", async () => {
    const victim = await LiveGame.start("http-victim");
    const requester = await newPlayer(node.url);
    const statuses = new Map<number, number>();
    let requests = 0;
    let elapsed = 0;
    const flood = () => {
      let running = true;
      const t0 = performance.now();
      const loops = Array.from({ length: 16 }, async (_, i) => {
        while (running) {
          const r =
            i % 2 === 0
              ? await http(node.url, "POST", "/api/guest", undefined, {})
              : await http(node.url, "POST", "/api/matchmaking/quick", requester.token, { game: "connect4" });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          requests++;
        }
      });
      return async () => {
        running = false;
        await Promise.all(loops);
        elapsed += performance.now() - t0;
      };
    };
    const r = report("HTTP flood", await measure(victim, flood));
    console.log(
      `HTTP flood: ${requests} requests in ${(elapsed / 1000).toFixed(1)} s (${Math.round(requests / (elapsed / 1000))}/s); ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}.`,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The flood was cut off: most requests were refused, and no more guests were made than the limit allows.
    expect(statuses.get(429) ?? 0).toBeGreaterThan(requests / 2);
    const [{ n }] = await query<{ n: string }>(node.databaseUrl, `SELECT count(*)::text AS n FROM "Player"`);
    expect(Number(n)).toBeLessThanOrEqual(GUEST_RATE_PER_MIN + 20);
    const limited = await http<{ error: { code: string } }>(node.url, "POST", "/api/guest", undefined, {});
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect((await http(node.url, "GET", "/healthz")).status).toBe(200);
    expect(r.floodP95).toBeLessThanOrEqual(r.bound);
  });
});
