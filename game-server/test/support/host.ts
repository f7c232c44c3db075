/**
 * Fakes for GameHost's unit tests (game-server/src/game/host*.test.ts): a
 * repository with the same guards as the SQL (ply, status, fencing token), an
 * outbox that records who got what, and a host opened on them with a clock the
 * test advances by hand. No database, no sockets, no sleeps.
 */
import type { ServerMessages } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import { pino } from "pino";
import { newRecord, T0 } from "./records.ts";
import { GameHost, type HostDeps, type HostStorage, type Outbox } from "../../src/game/host.ts";
import type { GameRecord, NewGame } from "../../src/game/record.ts";
import type { RatedEndingWrite } from "../../src/db/ratedEnding.ts";
import { NEW_RATING, rateGame } from "../../src/ratings/glicko.ts";
import { type StoredChange, withChanges } from "../../src/ratings/seats.ts";
import { ManualClock } from "./clock.ts";

/** The repository's guards, in memory. `failWith` makes the next write throw. */
export class FakeStorage implements HostStorage {
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
  /** Rematch rows inserted (with the finished game's offers, by createRematch). */
  games: NewGame[] = [];
  async createRematch(...[fence, , expected, offers, game]: Parameters<HostStorage["createRematch"]>) {
    if (!this.guarded(fence, expected.ply, expected.status)) return false;
    this.row.offers = { ...offers };
    this.games.push(game);
    return true;
  }
  async resumeGame(...[fence, , ply, clocks]: Parameters<HostStorage["resumeGame"]>) {
    if (!this.guarded(fence, ply, "active")) return false;
    this.row.clocks = clocks;
    return true;
  }
  /** Rated endings written (each also applied as commitMove or finishGame would). */
  ratedEndings: RatedEndingWrite[] = [];
  async endRated(w: RatedEndingWrite): Promise<[StoredChange, StoredChange] | null> {
    const done = w.move
      ? await this.commitMove(w.fence, w.gameId, w.move, w.clocks, w.ending)
      : await this.finishGame(w.fence, w.gameId, w.ply, w.clocks, w.ending);
    if (!done || !this.row.ratings) return null;
    this.ratedEndings.push(w);
    const [a, b] = this.row.ratings.seats.map((s) => ({ ...NEW_RATING, rating: s.rating, rd: s.rd }));
    const score = w.ending.result.winner === null ? 0.5 : w.ending.result.winner === 0 ? 1 : 0;
    const after = rateGame(a!, b!, score);
    const changes = [a!, b!].map((r, i) => ({
      before: r.rating,
      after: after[i]!.rating,
      rdBefore: r.rd,
      rdAfter: after[i]!.rd,
    }));
    this.row.ratings = withChanges(this.row.ratings, changes as [StoredChange, StoredChange]);
    return changes as [StoredChange, StoredChange];
  }
}

/** The row fields of a rematch made by the fake factory (newGame) that the tests do not look at. */
const NEW_GAME: NewGame = {
  id: "",
  kind: "connect4",
  timeControl: "1+5",
  initialMs: 60_000,
  incrementMs: 5_000,
  seed: "seed-2",
  mode: "rematch",
  seat0Id: "",
  seat1Id: "",
  clock0Ms: 60_000,
  clock1Ms: 60_000,
  turnStartedAt: null,
  deadlineAt: null,
  ownerNode: "n1",
  rematchOfId: null,
  rated: false,
  ratingPool: null,
};

export type Who = "p0" | "p1" | "watcher";
export const SEAT_OF: Record<Who, Seat | null> = { p0: 0, p1: 1, watcher: null };

export class FakeOutbox implements Outbox<Who> {
  sent: Array<{ to: Who; type: keyof ServerMessages; body: ServerMessages[keyof ServerMessages] }> = [];
  relinquished: string[] = [];
  gameOvers = 0;
  send<K extends keyof ServerMessages>(to: Who, type: K, body: ServerMessages[K]) {
    this.sent.push({ to, type, body });
  }
  sendEach<K extends keyof ServerMessages>(type: K, body: (you: Seat | null) => ServerMessages[K] | undefined) {
    for (const to of ["p0", "p1", "watcher"] as const) {
      const b = body(SEAT_OF[to]);
      if (b !== undefined) this.send(to, type, b);
    }
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
  botThinkScale: 1,
  heartbeat: { intervalMs: 500, timeoutMs: 1500 },
};

export async function setup(
  record: GameRecord = newRecord(),
  opts: { resume?: boolean; fence?: bigint; storage?: FakeStorage; metrics?: HostDeps<Who>["metrics"] } = {},
) {
  const storage = opts.storage ?? new FakeStorage(record);
  const clock = new ManualClock(T0);
  const outbox = new FakeOutbox();
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const created: Array<Parameters<HostDeps<Who>["newGame"]>[0]> = [];
  const hosted: string[] = [];
  let hostFails = false;
  const deps: HostDeps<Who> = {
    storage,
    outbox,
    clock,
    random: () => 0,
    newGame: (req) => {
      created.push(req);
      const [seat0Id, seat1Id] = req.playerIds;
      return { ...NEW_GAME, id: "g2", mode: req.mode, seat0Id, seat1Id, rematchOfId: req.rematchOfId };
    },
    hostGame: async (gameId) => {
      if (hostFails) throw new Error("no room");
      hosted.push(gameId);
    },
    log,
    settings: SETTINGS,
    metrics: opts.metrics,
  };
  // As the room does: the game as loaded when its ownership was taken, with our fence.
  const loaded = await storage.load();
  if (!loaded) throw new Error("no game g1");
  const host = await GameHost.open({ ...loaded, leaseToken: opts.fence ?? 1n }, deps, opts.resume === true);
  if (!host) throw new Error("not hostable");
  const errors = (level: number) => lines.filter((l) => l.level === level);
  return {
    host,
    storage,
    clock,
    outbox,
    created,
    hosted,
    errors,
    /** The rematch's room cannot be built here (hostGame rejects). */
    failHost: () => {
      hostFails = true;
    },
  };
}

export type Setup = Awaited<ReturnType<typeof setup>>;
export const move = (s: Setup, who: "p0" | "p1", m: string, ply = s.host.state.ply) =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "move", ply, move: m });
export const draw = (s: Setup, who: "p0" | "p1", action: "offer" | "accept" | "decline") =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "draw", action });
export const rematch = (s: Setup, who: "p0" | "p1", action: "offer" | "accept" | "decline") =>
  s.host.receive(who, SEAT_OF[who] as Seat, { type: "rematch", action });
export const claimWin = (s: Setup, who: "p0" | "p1") => s.host.receive(who, SEAT_OF[who] as Seat, { type: "claimWin" });
