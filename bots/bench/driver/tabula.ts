/**
 * Driver side of a Tabula system, through the public protocol only
 * (docs/protocol.md): two guests pair through an invite code (cheap and
 * deterministic: no queue), join the game by id, and play Connect Four with
 * think time 0. When a game ends the pair plays a rematch (the seat that
 * moved first offers, the other accepts, both join the new game), so pairing
 * is paid once per pair, outside the measured window. When told to stop, a
 * player in a live game resigns it, so the server is not left with games to
 * abandon while the next measurement runs.
 *
 * It reads only `record` (ply, seat, move), `ply` and `status` of `moved`,
 * and `you`, `ply`, `status`, `moves`, `rematchOffer`, `rematchGameId` of
 * `snapshot`: not the views, which the lean move path may trim.
 */
import type { Client, Room } from "@colyseus/sdk";
import type { ErrorMessage, GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import { sdkClient } from "../../src/sdk.ts";
import { ColumnHeights } from "./board.ts";
import { PendingMove } from "./pending.ts";
import type { Recorder } from "./recorder.ts";

type Seat = 0 | 1;

/** Two players of one system, playing until `finish`. */
export interface Pair {
  /** Players of this pair connected to a room right now (0–2). */
  connected(): number;
  /** Stop moving, end live games (Tabula: resign), leave the rooms. */
  finish(): Promise<void>;
}

/** POST `path` with a JSON body (and a bearer token), answer as JSON; a non-2xx answer throws `http_<status>_<code>`. */
async function post<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const r = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const json = (await r.json().catch(() => ({}))) as T & { error?: { code?: string } };
  if (!r.ok) throw new Error(`http_${r.status}_${json.error?.code ?? "?"} on POST ${path}`);
  return json;
}

class TabulaPlayer {
  private readonly client: Client;
  private readonly rec: Recorder;
  private readonly heights = new ColumnHeights();
  private readonly pending: PendingMove;
  room: Room | null = null;
  private gameId = "";
  private seat: Seat | null = null;
  private ply = 0;
  private active = false;
  private playing = true;
  private followed = new Set<string>();
  /** The game in which this player offered or accepted a rematch (once per game). */
  private answeredIn = "";
  /** Set by the pair: whether this player offers the rematch (the other accepts). */
  offersRematch = false;

  constructor(base: string, token: string, rec: Recorder) {
    this.client = sdkClient(base, token);
    this.rec = rec;
    this.pending = new PendingMove(rec, () => this.room?.send("sync", {}));
  }

  get connected(): boolean {
    return this.room !== null;
  }

  /** Join game `gameId` (leaving the previous room); resolves once joined. */
  async join(gameId: string): Promise<void> {
    const previous = this.room;
    const room = await this.client.joinById(gameId, {});
    room.reconnection.enabled = false; // a drop is an error here, not something to hide
    if (!this.playing) {
      room.onMessage("snapshot", () => {}); // it still arrives; nothing to do with it
      void room.leave(true).catch(() => {});
      return;
    }
    this.room = room;
    this.gameId = gameId;
    this.active = false;
    room.onMessage("snapshot", (s: GameSnapshot) => this.snapshot(room, s));
    room.onMessage("moved", (m: MovedMessage) => this.moved(room, m));
    room.onMessage("error", (e: ErrorMessage) => {
      if (room !== this.room) return;
      this.rec.error(`${e.inReplyTo ?? "room"}_${e.code}`);
      if (e.inReplyTo === "move") {
        this.pending.clear();
        room.send("sync", {});
      }
    });
    room.onLeave((code: number) => {
      if (room !== this.room) return;
      this.room = null;
      this.pending.clear();
      if (this.playing) this.rec.error(`disconnect_${code}`);
    });
    if (previous) void previous.leave(true).catch(() => {});
  }

  private snapshot(room: Room, s: GameSnapshot): void {
    if (room !== this.room) return;
    this.seat = s.you.seat;
    this.ply = s.ply;
    this.active = s.status === "active";
    this.heights.reset();
    for (const m of s.moves) this.heights.drop(m.move);
    if (this.active) {
      this.maybeMove();
      return;
    }
    this.pending.clear();
    if (!this.playing) return;
    if (s.rematchGameId) {
      this.follow(s.rematchGameId);
      return;
    }
    if (this.answeredIn === this.gameId) return;
    if (s.rematchOffer === null && this.offersRematch) this.answerRematch(room, "offer");
    else if (s.rematchOffer !== null && s.rematchOffer !== this.seat) this.answerRematch(room, "accept");
  }

  private answerRematch(room: Room, action: "offer" | "accept"): void {
    this.answeredIn = this.gameId;
    room.send("rematch", { action });
  }

  private moved(room: Room, m: MovedMessage): void {
    if (room !== this.room) return;
    if (m.record.seat === this.seat) this.pending.acked(m.record.ply);
    this.heights.drop(m.record.move);
    this.ply = m.ply;
    this.active = m.status === "active";
    if (this.active) {
      this.maybeMove();
      return;
    }
    this.pending.clear();
    if (this.offersRematch) this.rec.gameOver();
    if (this.playing && this.offersRematch && this.answeredIn !== this.gameId) this.answerRematch(room, "offer");
  }

  /** Join the agreed rematch once (both snapshots that carry its id arrive here). */
  private follow(gameId: string): void {
    if (this.followed.has(gameId)) return;
    this.followed.add(gameId);
    this.join(gameId).catch((err: Error) => this.rec.error(`rematch_join_${(err as { code?: number }).code ?? err.message}`));
  }

  private maybeMove(): void {
    // Seat 0 moves first, in every game and rematch: the side to move follows from the ply.
    if (!this.playing || !this.active || !this.room || this.ply % 2 !== this.seat || this.pending.inFlight) return;
    const column = this.heights.pick();
    if (column === null) return;
    this.pending.sent(this.ply);
    this.room.send("move", { ply: this.ply, move: column });
  }

  /** Stop moving; resign a live game (one resignation per game is enough); leave. */
  async finish(resign: boolean): Promise<void> {
    this.playing = false;
    this.pending.clear();
    const room = this.room;
    if (!room) return;
    if (resign && this.active) {
      const over = new Promise<void>((res) => {
        room.onMessage("snapshot", (s: GameSnapshot) => {
          if (s.status !== "active") res();
        });
        room.onMessage("moved", () => {});
        setTimeout(res, 3_000);
      });
      room.send("resign", {});
      await over;
    }
    this.room = null;
    await room.leave(true).catch(() => {});
  }

  get game(): string {
    return this.gameId;
  }
}

/** Two new guests at `base`, paired through an invite, both joined and playing. */
export async function tabulaPair(base: string, rec: Recorder): Promise<Pair> {
  const [ga, gb] = await Promise.all([
    post<{ token: string }>(base, "/api/guest", {}),
    post<{ token: string }>(base, "/api/guest", {}),
  ]);
  const invite = await post<{ inviteCode: string }>(base, "/api/invites", { game: "connect4" }, ga.token);
  const { gameId } = await post<{ gameId: string }>(base, `/api/invites/${invite.inviteCode}/accept`, {}, gb.token);
  const a = new TabulaPlayer(base, ga.token, rec);
  const b = new TabulaPlayer(base, gb.token, rec);
  a.offersRematch = true;
  await Promise.all([a.join(gameId), b.join(gameId)]).catch(async (err) => {
    await Promise.all([a.finish(false), b.finish(false)]);
    throw err;
  });
  return {
    connected: () => Number(a.connected) + Number(b.connected),
    async finish() {
      // Both in the same game: one resignation ends it; the other just leaves.
      await a.finish(true);
      await b.finish(a.game !== b.game);
    },
  };
}
