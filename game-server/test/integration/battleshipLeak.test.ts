/**
 * The hidden-information leak test. Many Battleship games are played over real
 * WebSockets (@colyseus/sdk, as a third-party client would) against a real node
 * and PostgreSQL, each with both seats and a spectator connected, and every
 * frame each one receives is kept: snapshots, moves, errors (illegal, stale,
 * malformed and out-of-turn moves are tried on purpose), answers to `sync`.
 * The HTTP answers about the live game are kept too: the game and its move log
 * (with every position), the live-game listing, each player's game list.
 *
 * While a game is on, none of it may show a fleet to anyone but its owner:
 * never the placement string (in the decoded JSON or in the raw frame bytes),
 * never a ship cell of a ship not yet sunk in any fleet section, never the seed
 * (the bot's moves are drawn from it). Once the game is over, the replay shows
 * both fleets. Two games against the built-in bot check the bot's fleet too.
 */
import type { Room } from "@colyseus/sdk";
import { type GameSnapshot, type MovedMessage, snapshotAfterMove } from "@tabula/shared/protocol";
import {
  battleship,
  type BattleshipView,
  bsCell,
  bsParsePlacement,
  bsRandomPlacement,
  chooseBotMove,
  createRng,
  type Rng,
  type Seat as SeatIndex,
} from "@tabula/shared/rules";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, type Player, quickPlay } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const GAMES = Number(process.env.LEAK_GAMES ?? 32);
const PARALLEL = 4;

let node: TestNode;

beforeAll(async () => {
  // The bot answers at once and the seats play as fast as the node answers: more than the 20 messages a second allowed a person.
  node = await startTestNode({ BOT_THINK_SCALE: "0", MAX_MESSAGES_PER_SECOND: "1000" });
});
afterAll(async () => {
  await node?.stop();
});

/** One thing a participant was sent, as it was while the game was on (or not). */
interface Received {
  what: string;
  /** The decoded message or HTTP body. */
  body: unknown;
  /** The raw frame (latin1: msgpack keeps strings as their UTF-8 bytes) or HTTP body text. */
  raw: string;
  /** The game was over when this was received (a finished game shows everything). */
  over: boolean;
}

/** A joined room that keeps everything it receives. */
class Recorder {
  readonly got: Received[] = [];
  snapshot: GameSnapshot | undefined;
  errors = 0;
  private waiters: Array<() => void> = [];
  private over = false;
  /** The close code, once the socket closed. */
  left: number | null = null;

  readonly room: Room;
  /** The recipient's seat (null: a spectator), known from the first snapshot. */
  you: SeatIndex | null = null;

  constructor(room: Room) {
    this.room = room;
    const events = (room as unknown as { connection: { events: { onmessage: (ev: { data: ArrayBuffer }) => void } } }).connection
      .events;
    const dispatch = events.onmessage;
    events.onmessage = (ev) => {
      this.got.push({ what: "frame", body: null, raw: Buffer.from(ev.data).toString("latin1"), over: this.over });
      dispatch(ev);
    };
    const keep = (what: string, body: unknown) => {
      this.got.push({ what, body, raw: JSON.stringify(body), over: this.over });
      this.wake();
    };
    room.onMessage("snapshot", (s: GameSnapshot) => {
      keep("snapshot", s);
      this.snapshot = s;
      if (s.status !== "active") this.over = true;
      this.wake();
    });
    room.onMessage("moved", (m: MovedMessage) => {
      keep("moved", m);
      if (this.snapshot) this.snapshot = snapshotAfterMove(this.snapshot, m);
      if (m.status !== "active") this.over = true;
      this.wake();
    });
    room.onMessage("error", (e: unknown) => {
      this.errors++;
      keep("error", e);
    });
    room.onMessage("*", (type: unknown, body: unknown) => keep(String(type), body));
    room.onLeave((code: number) => {
      this.left = code;
      this.wake();
    });
  }

  static async join(p: Player, gameId: string, spectate: boolean): Promise<Recorder> {
    const room = await p.sdk.joinById(gameId, spectate ? { spectate: true } : {});
    // Nothing is dispatched between the join resolving and here (frames are handled on later tasks).
    const r = new Recorder(room);
    await r.until(() => r.snapshot !== undefined, "first snapshot");
    r.you = r.snapshot!.you.seat;
    return r;
  }

  get view(): BattleshipView {
    return this.snapshot!.view as BattleshipView;
  }

  get finished(): boolean {
    return this.snapshot?.status !== "active";
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (this.left !== null) throw new Error(`the socket closed (${this.left}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const errors = this.got.filter((g) => g.what === "error").slice(-3);
        throw new Error(
          `timed out waiting for ${what} at ply ${this.snapshot?.ply} (last errors: ${JSON.stringify(errors.map((e) => e.body))})`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** What the test knows of one game: the truth to check every answer against. */
interface Truth {
  gameId: string;
  placements: [string | null, string | null];
  /** Every seat's ship cells, by ship. */
  ships: [number[][], number[][]];
  /** Cells each seat fired at, in order. */
  fired: [number[], number[]];
  seed: string;
}

/** The fleet a seat placed (learnt when the seat places it, or from the database for the bot). */
function learnFleet(t: Truth, seat: SeatIndex, placement: string): void {
  const p = bsParsePlacement(placement);
  if (!p.ok) throw new Error(`bad placement ${placement}`);
  t.placements[seat] = placement;
  t.ships[seat] = p.ships.map((s) => s.cells);
}

/**
 * Every fleet section of `view` as seen by `you` while the game is on: a ship of
 * the other seat may be listed only when the shots listed in the same view sank
 * it, and those shots must be the ones really fired (a prefix of them).
 */
function checkView(t: Truth, view: BattleshipView, you: SeatIndex | null, where: string): void {
  for (const owner of [0, 1] as const) {
    const shooter = owner === 0 ? 1 : 0;
    const shots = view.shots[shooter].map((s) => s.cell);
    expect(shots, `${where}: shots of ${shooter}`).toEqual(t.fired[shooter].slice(0, shots.length));
    if (owner === you) continue;
    expect(view.complete[owner], `${where}: fleet ${owner} shown complete`).toBe(false);
    const hit = new Set(shots);
    const hidden = new Set(t.ships[owner].filter((ship) => !ship.every((c) => hit.has(c))).flat());
    const listed = view.fleets[owner].flatMap((s) => s.cells);
    expect(
      listed.filter((c) => hidden.has(c)),
      `${where}: unsunk ship cells of seat ${owner} shown to ${you}`,
    ).toEqual([]);
  }
}

/** Whatever `you` received while the game was on shows no secret of the other seat(s). */
function checkReceived(t: Truth, you: SeatIndex | null, got: readonly Received[], who: string): void {
  const secrets = ([0, 1] as const).filter((s) => s !== you).map((s) => t.placements[s]!);
  for (const [i, r] of got.entries()) {
    if (r.over) continue;
    const where = `${who} ${r.what} #${i} of game ${t.gameId}`;
    for (const secret of secrets) expect(r.raw.includes(secret), `${where}: contains a placement`).toBe(false);
    expect(r.raw.includes(t.seed), `${where}: contains the seed`).toBe(false);
    const b = r.body as { view?: unknown; seed?: string; positions?: unknown[]; status?: string } | null;
    if (!b) continue;
    if (b.view && (b.status ?? "active") === "active") checkView(t, b.view as BattleshipView, you, where);
    if (typeof b.seed === "string") expect(b.seed, where).toBe("");
    for (const [k, v] of (b.positions ?? []).entries()) checkView(t, v as BattleshipView, null, `${where} position ${k}`);
  }
}

/** The HTTP answers about a live game, as `p` (a player of it, or not) asks for them. */
async function askHttp(t: Truth, p: Player, over: () => boolean): Promise<Received[]> {
  const out: Received[] = [];
  for (const path of [`/api/games/${t.gameId}`, `/api/games/${t.gameId}?positions=1`, "/api/live-games", "/api/games"]) {
    const before = over();
    const r = await http<Record<string, unknown>>(node.url, "GET", path, p.token);
    expect(r.status, path).toBe(200);
    const body = r.body;
    const game = body.game as { seed?: string; status?: string } | undefined;
    // A game that ended meanwhile may show everything: only answers about a live game count.
    const live = !before && !over() && (game?.status ?? "active") === "active";
    out.push({ what: `GET ${path}`, body: game ? { ...body, seed: game.seed } : body, raw: JSON.stringify(body), over: !live });
  }
  return out;
}

/** The seat's move: its own knowledge only (a hunt-and-target bot half the time, a random legal shot otherwise). */
function pickMove(r: Recorder, rng: Rng): string {
  const known = battleship.fromView!(r.view);
  const seat = r.you as SeatIndex;
  if (known.ply < 2) return bsRandomPlacement(rng);
  if (rng.next() < 0.5) return chooseBotMove(battleship, known, seat, rng);
  const legal = battleship.legalMoves(known, seat);
  return legal[rng.int(legal.length)]!;
}

/** Moves the rules or the room refuse, tried now and then: their errors must not tell anything either. */
function badMoves(r: Recorder): string[] {
  const v = r.view;
  const mine = v.shots[r.you as SeatIndex];
  const bad = ["z9", "a1h,a1h,a1h,a1h,a1h"];
  // A valid fleet is a malformed shot; while placing it would be a real move.
  if (v.ply >= 2) bad.push("a1h,a3v,c3h,j1v,g9h");
  if (mine.length > 0) bad.push(String.fromCharCode(97 + (mine[0]!.cell % 10)) + String(Math.floor(mine[0]!.cell / 10) + 1));
  return bad;
}

async function playSeat(t: Truth, r: Recorder, rng: Rng): Promise<void> {
  const seat = r.you as SeatIndex;
  while (!r.finished) {
    await r.until(() => r.finished || r.view.toMove === seat, `seat ${seat}'s turn`);
    if (r.finished) break;
    const ply = r.snapshot!.ply;
    if (rng.next() < 0.08) {
      const errors = r.errors;
      const bad = badMoves(r);
      r.room.send("move", { ply, move: bad[rng.int(bad.length)] });
      r.room.send("move", { ply: ply + 5, move: "a1" }); // a stale ply
      await r.until(() => r.errors >= errors + 2, "the errors");
    }
    if (rng.next() < 0.05) r.room.send("sync", {});
    const move = pickMove(r, rng);
    if (ply < 2) learnFleet(t, seat, move);
    else t.fired[seat].push(bsCell(move)!);
    r.room.send("move", { ply, move });
    await r.until(() => r.finished || r.snapshot!.ply > ply, `move ${move} at ply ${ply}`);
  }
}

let pairingLock: Promise<void> = Promise.resolve();

async function playGame(index: number, vsBot: boolean): Promise<void> {
  const a = await newPlayer(node.url);
  const watcher = await newPlayer(node.url);
  let gameId: string;
  let players: Player[];
  if (vsBot) {
    const r = await http<{ gameId: string }>(node.url, "POST", "/api/bot-games", a.token, {
      game: "battleship",
      timeControl: "5+5",
    });
    expect(r.status).toBe(200);
    gameId = r.body.gameId;
    players = [a];
  } else {
    const b = await newPlayer(node.url);
    // Games start in parallel, but pairs are made one at a time (the queue pairs whoever waits).
    const pairing = pairingLock.then(() => Promise.all([quickPlay(a, "battleship", "5+5"), quickPlay(b, "battleship", "5+5")]));
    pairingLock = pairing.then(
      () => {},
      () => {},
    );
    const [ga, gb] = await pairing;
    expect(ga).toBe(gb);
    gameId = ga;
    players = [a, b];
  }
  const [{ seed }] = await query<{ seed: string }>(node.databaseUrl, `SELECT seed FROM "Game" WHERE id = $1`, [gameId]);
  const t: Truth = { gameId, placements: [null, null], ships: [[], []], fired: [[], []], seed: seed! };
  const seats = await Promise.all(players.map((p) => Recorder.join(p, gameId, false)));
  const spectator = await Recorder.join(watcher, gameId, true);
  const over = () => spectator.finished;

  const httpAnswers: Array<{ as: SeatIndex | null; got: Received[] }> = [];
  const probe = async () => {
    for (const [i, p] of [...players, watcher].entries()) {
      const as = i < seats.length ? seats[i]!.you : null;
      httpAnswers.push({ as, got: await askHttp(t, p, over) });
    }
  };
  const botSeat = vsBot ? ((1 - (seats[0]!.you as number)) as SeatIndex) : null;
  const playing = seats.map((s) => playSeat(t, s, createRng(`leak-${index}-${s.you}`)));
  // Ask the HTTP API about the game while it is on: after both fleets are placed, then a little later.
  await spectator.until(() => over() || spectator.snapshot!.ply >= 2, "both fleets placed");
  if (botSeat !== null) {
    const [row] = await query<{ move: string }>(node.databaseUrl, `SELECT move FROM "Move" WHERE "gameId" = $1 AND ply = $2`, [
      gameId,
      botSeat,
    ]);
    learnFleet(t, botSeat, row!.move);
  }
  await probe();
  await spectator.until(() => over() || spectator.snapshot!.ply >= 30, "some shots");
  await probe();
  if (botSeat !== null) {
    // The bot's shots: from the moves the spectator saw.
    await spectator.until(over, "the end", 120_000);
  }
  await Promise.all(playing);
  await spectator.until(over, "the spectator to see the end");
  if (botSeat !== null) {
    const moves = spectator.snapshot!.moves;
    t.fired[botSeat] = moves.filter((m) => m.seat === botSeat && m.ply >= 2).map((m) => bsCell(m.move)!);
  }
  expect(spectator.snapshot!.result?.reason).toBe("fleet-sunk");

  for (const s of seats) checkReceived(t, s.you, s.got, `seat ${s.you}`);
  checkReceived(t, null, spectator.got, "spectator");
  for (const h of httpAnswers) checkReceived(t, h.as, h.got, `HTTP as ${h.as}`);
  // Someone saw something: the checks above ran on real traffic.
  expect(spectator.got.filter((g) => g.what === "moved" && !g.over).length).toBeGreaterThan(20);

  // Over: the replay shows both fleets, whoever asks.
  const replay = await http<{ game: { seed: string }; moves: Array<{ move: string }>; positions: BattleshipView[] }>(
    node.url,
    "GET",
    `/api/games/${gameId}?positions=1`,
    watcher.token,
  );
  expect(replay.body.moves.slice(0, 2).map((m) => m.move)).toEqual(t.placements);
  expect(replay.body.game.seed).toBe(seed);
  const last = replay.body.positions[replay.body.positions.length - 1]!;
  expect(last.fleets.map((f) => f.map((s) => s.cells))).toEqual(t.ships);
  // …and so does the final snapshot of the room.
  spectator.room.send("sync", {});
  await spectator.until(() => spectator.snapshot!.moves[0]!.move === t.placements[0], "the revealing snapshot");
  expect((spectator.snapshot!.view as BattleshipView).fleets.map((f) => f.map((s) => s.cells))).toEqual(t.ships);
  for (const r of [...seats, spectator]) await r.room.leave(true).catch(() => {});
}

describe("Battleship never shows a fleet to anyone but its owner while the game is on", () => {
  it(`${GAMES} games between players and 2 against the bot, with a spectator each`, async () => {
    const jobs = [
      ...Array.from({ length: GAMES }, (_, i) => () => playGame(i, false)),
      () => playGame(1000, true),
      () => playGame(1001, true),
    ];
    const running: Promise<void>[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await jobs[next++]!();
    };
    for (let w = 0; w < PARALLEL; w++) running.push(worker());
    await Promise.all(running);
  }, 600_000);
});
