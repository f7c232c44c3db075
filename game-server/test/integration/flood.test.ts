/**
 * Flooding one node (functional checks only: how fast other games stay under a flood is a benchmark's
 * business, not a pass/fail bound on a shared 2-core machine).
 *  - A client sending more than MAX_MESSAGES_PER_SECOND (20) messages in a second is disconnected (4002):
 *    a flood of `sync` gets at most ~21 of its 500 answered; a flood of 500 copies of a legal move commits
 *    exactly one move (the rest are STALE_PLY or never read).
 *  - HTTP flooding (POST /api/guest and quick play as fast as possible): past the per-IP limits the node
 *    answers 429 RATE_LIMITED, makes no more guests than the limit, answers no 5xx and stays healthy.
 *  - Seat reservations (POST /matchmake/joinById, served by Colyseus' router, not Express): past
 *    JOIN_RATE_PER_MIN one player gets 429 while another player still reserves a seat in the same game.
 *  - Other games are unaffected: while each flood runs, another game plays on, and every one of its moves is
 *    acknowledged, nothing is refused or lost (its move rows are exactly the moves played, in order), and its
 *    players' sockets stay open.
 */
import type { Room } from "@colyseus/sdk";
import { createRng, GAMES, type Rng, type Seat as SeatIndex } from "@tabula/shared/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, quickPlay, Seat, type Player } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { pick } from "../support/fuzz.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const SEED = process.env.FUZZ_SEED ?? "tabula-flood-1";
const MAX_MESSAGES_PER_SECOND = 20;
/** Moves the other game plays while a flood runs. */
const MOVES_DURING_FLOOD = 40;
/**
 * Pause between the other game's moves. Its two sockets alternate, so each sends one message every
 * 2 × (round trip + pause): at most ~10 a second, well under the limit it must not trip itself.
 */
const PACE_MS = 45;
const FLOOD = 500;
/** HTTP limits for this node (per client IP and minute): high enough for the test's own players. */
const API_RATE_PER_MIN = 2000;
const GUEST_RATE_PER_MIN = 100;
/** Seat reservations per player and minute, on the node of the seat-reservation test. */
const JOIN_RATE_PER_MIN = 30;

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

/** The close code of a flooding socket, or -1 if the node has not closed it within 10 s (then we leave). */
async function closeCode(room: Room, closed: Promise<number>): Promise<number> {
  const code = await Promise.race([closed, sleep(10_000).then(() => -1)]);
  if (code === -1) await room.leave();
  return code;
}

/** A live chess game between two SDK players whose moves are chosen (seeded) among legal moves that do not end it. */
class LiveGame {
  readonly gameId: string;
  readonly players: [Player, Player];
  readonly seats: [Seat, Seat];
  private readonly rng: Rng;
  private state: unknown;
  private readonly def = GAMES.chess;
  /** Every move committed in this game, in order. */
  readonly played: string[] = [];

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
    this.played.push(move);
  }

  /** Play one move from the seat to move and wait until it is acknowledged (throws if it is refused). */
  async play(): Promise<void> {
    const seat = this.seats[this.toMove];
    const ply = this.ply;
    const move = this.nextMove();
    const errors = seat.errors.length;
    seat.room.send("move", { ply, move });
    await seat.until((s) => (s.snapshot?.ply ?? 0) > ply || s.errors.length > errors, `move ${move} at ply ${ply}`);
    if (seat.errors.length > errors) throw new Error(`move ${move} at ply ${ply} refused: ${JSON.stringify(seat.errors.at(-1))}`);
    this.applied(move);
  }

  /** Nothing lost or refused: the move rows are exactly the moves followed, in order; both sockets are open. */
  async expectIntact(): Promise<void> {
    const rows = await query<{ ply: number; move: string }>(
      node.databaseUrl,
      `SELECT ply, move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`,
      [this.gameId],
    );
    expect(rows).toEqual(this.played.map((move, ply) => ({ ply, move })));
    for (const s of this.seats) {
      expect(s.room.connection.isOpen).toBe(true);
      expect(s.errors).toEqual([]);
    }
  }
}

/** A running flood: `rounds()` counts its completed rounds (connections or requests); `stop` ends it. */
interface Flood {
  rounds: () => number;
  stop: () => Promise<void>;
}

/**
 * Start `flood`, wait for its first round, let `game` play MOVES_DURING_FLOOD moves (each acknowledged),
 * check the flood really ran alongside them, stop it, and check `game` lost nothing.
 */
async function playDuring(game: LiveGame, start: () => Flood): Promise<void> {
  const flood = start();
  try {
    await until(() => flood.rounds() > 0, "the flood's first round");
    const before = flood.rounds();
    for (let i = 0; i < MOVES_DURING_FLOOD; i++) {
      await game.play();
      await sleep(PACE_MS);
    }
    expect(flood.rounds(), "flood rounds completed while the other game played").toBeGreaterThan(before);
  } finally {
    await flood.stop();
  }
  await game.expectIntact();
}

/** Poll `cond` every 10 ms until it holds (at most `ms`). */
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
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
  it("a client flooding `sync` is disconnected (4002), and another game plays on untouched", async () => {
    const other = await LiveGame.start("sync-other");
    const target = await LiveGame.start("sync-target");
    const flooders = await Promise.all(Array.from({ length: 3 }, () => newPlayer(node.url)));
    const cycles: Array<{ code: number; answered: number }> = [];
    await playDuring(other, () => {
      let running = true;
      const loops = flooders.map(async (p) => {
        while (running) {
          const { room, got, closed } = await join(p, target.gameId, { spectate: true });
          const before = got.snapshots;
          for (let i = 0; i < FLOOD; i++) room.send("sync", {});
          const code = await closeCode(room, closed);
          cycles.push({ code, answered: got.snapshots - before });
        }
      });
      return {
        rounds: () => cycles.length,
        stop: async () => {
          running = false;
          await Promise.all(loops);
        },
      };
    });
    const answered = cycles.map((c) => c.answered);
    console.log(
      `sync flood: ${cycles.length} connections flooded ${FLOOD} messages each; close codes ${[...new Set(cycles.map((c) => c.code))]}; ` +
        `snapshots received per connection: min ${Math.min(...answered)}, max ${Math.max(...answered)}`,
    );
    for (const c of cycles) {
      expect(c.code).toBe(4002);
      // Of the 500, at most the limit + 1 were handled (Colyseus starts counting at the second message of a
      // window); the join snapshot and presence broadcasts (other flooders coming and going) come on top.
      expect(c.answered).toBeLessThanOrEqual(2 * (MAX_MESSAGES_PER_SECOND + 1));
    }
    // The flooded game itself is fine too.
    await target.play();
    await target.expectIntact();
  });

  it("a client flooding a legal move commits it exactly once and is disconnected; another game plays on untouched", async () => {
    const other = await LiveGame.start("move-other");
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
    let floods = 0;
    await playDuring(other, () => {
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
          codes.add(await closeCode(room, closed));
          await t.observer.until((s) => (s.snapshot?.ply ?? 0) > ply, `the flooded move at ply ${ply}`);
          t.game.applied(move);
          t.floods++;
          floods++;
        }
      })();
      return {
        rounds: () => floods,
        stop: async () => {
          running = false;
          await loop;
        },
      };
    });
    console.log(
      `move flood: ${floods} connections (in ${targets.length} games) flooded ${FLOOD} copies of a legal move each; close codes ${[...codes]}`,
    );
    expect([...codes]).toEqual([4002]);
    for (const t of targets) {
      // One more move from the player's own socket: the room handles a game's messages in order, so a flooded
      // copy still pending would come first and this move would be refused (STALE_PLY) or land at a later ply.
      await t.game.play();
      // Exactly one move per flood, in order, then that move: in what everyone saw, and in the database.
      const plies = Array.from({ length: t.floods + 1 }, (_, i) => i);
      await t.observer.until((s) => s.moved.length >= plies.length, "the last move");
      expect(t.observer.moved.map((m) => m.record.ply)).toEqual(plies);
      // The players' own sockets were never affected.
      await t.game.expectIntact();
    }
  });

  /** A flooder's POST: over kept-alive connections (fetch's pool), as fast as a real one sends them. */
  const flood = async (base: string, path: string, token: string | undefined, body: unknown) => {
    const r = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    await r.arrayBuffer();
    return { status: r.status };
  };

  it("HTTP flooding (guests, quick play) is cut off with 429, the node stays healthy, and another game plays on", async () => {
    const other = await LiveGame.start("http-other");
    const requester = await newPlayer(node.url);
    const statuses = new Map<number, number>();
    let requests = 0;
    await playDuring(other, () => {
      let running = true;
      const loops = Array.from({ length: 16 }, async (_, i) => {
        while (running) {
          const r =
            i % 2 === 0
              ? await flood(node.url, "/api/guest", undefined, {})
              : await flood(node.url, "/api/matchmaking/quick", requester.token, { game: "connect4" });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          requests++;
        }
      });
      return {
        rounds: () => requests,
        stop: async () => {
          running = false;
          await Promise.all(loops);
        },
      };
    });
    console.log(`HTTP flood: ${requests} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}.`);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The flood was cut off: most requests were refused, and no more guests were made than the limit allows.
    expect(statuses.get(429) ?? 0).toBeGreaterThan(requests / 2);
    const [{ n }] = await query<{ n: string }>(node.databaseUrl, `SELECT count(*)::text AS n FROM "Player"`);
    expect(Number(n)).toBeLessThanOrEqual(GUEST_RATE_PER_MIN + 20);
    const limited = await http<{ error: { code: string } }>(node.url, "POST", "/api/guest", undefined, {});
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect((await http(node.url, "GET", "/healthz")).status).toBe(200);
  });

  it("a player reserving seats in a loop is cut off with 429, and the game's players still get their seats", async () => {
    // A node of its own: the limit is low here, and the floods above used up this address's guest allowance.
    const joins = await startTestNode({ JOIN_RATE_PER_MIN: String(JOIN_RATE_PER_MIN) });
    try {
      const [a, b, flooder] = await Promise.all([newPlayer(joins.url), newPlayer(joins.url), newPlayer(joins.url)]);
      const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
      const reserve = (p: Player) =>
        http<{ error?: string; sessionId?: string }>(joins.url, "POST", `/matchmake/joinById/${gameId}`, p.token, {
          spectate: true,
        });
      const answers = [];
      for (let i = 0; i < JOIN_RATE_PER_MIN + 10; i++) answers.push(await reserve(flooder));
      // Exactly the limit was served (each with its ticket), then every reservation refused, saying why.
      expect(answers.slice(0, JOIN_RATE_PER_MIN).every((r) => r.status === 200 && typeof r.body.sessionId === "string")).toBe(
        true,
      );
      expect(answers.slice(JOIN_RATE_PER_MIN).map((r) => r.status)).toEqual(Array(10).fill(429));
      expect(answers.at(-1)?.body.error).toMatch(/too many seat reservations/);
      // The limit is the flooder's own: the game's players take their seats and play.
      const [sa, sb] = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
      const first = sa.seat === 0 ? sa : sb;
      first.room.send("move", { ply: 0, move: "3" });
      await first.until((st) => st.snapshot?.ply === 1, "the first move acknowledged");
      expect((await http(joins.url, "GET", "/healthz")).status).toBe(200);
    } finally {
      await joins.stop();
    }
  });
});
