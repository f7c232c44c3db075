/**
 * Driver side of the plain-Colyseus systems (bots/bench/colyseus/room.ts):
 * one player creates a `c4` room, the other joins it by id, and they play
 * Connect Four with think time 0 until told to stop. A finished game is
 * followed at once by the next one in the same room — or, with
 * `newRoomPerGame`, in a new room the pair creates and joins (that set-up is
 * in no round trip).
 */
import { Client, type Room } from "@colyseus/sdk";
import { ColumnHeights } from "./board.ts";
import { PendingMove } from "./pending.ts";
import type { Recorder } from "./recorder.ts";
import type { Pair } from "./tabula.ts";

type Seat = 0 | 1;

class PlainPlayer {
  readonly room: Room;
  private readonly rec: Recorder;
  private readonly heights = new ColumnHeights();
  private readonly pending: PendingMove;
  private seat: Seat | null = null;
  private ply = 0;
  private toMove: Seat | null = null;
  private playing = true;
  connected = true;

  /** Set: the room plays one game; this is called (on the room's creator) when it ends. */
  private readonly onOver: (() => void) | undefined;

  constructor(room: Room, rec: Recorder, onOver?: () => void) {
    this.room = room;
    this.rec = rec;
    this.onOver = onOver;
    this.pending = new PendingMove(rec, () => this.maybeMove());
    room.reconnection.enabled = false; // a drop is an error here, not something to hide
    room.onMessage("seat", (m: { seat: Seat }) => {
      this.seat = m.seat;
    });
    room.onMessage("start", () => this.newGame());
    room.onMessage("moved", (m: { ply: number; seat: Seat; move: string; over: boolean }) => this.moved(m));
    room.onMessage("error", (e: { code: string }) => {
      rec.error(`move_${e.code}`);
      this.pending.clear();
      setTimeout(() => this.maybeMove(), 50);
    });
    room.onLeave((code: number) => {
      this.connected = false;
      this.pending.clear();
      if (this.playing) rec.error(`disconnect_${code}`);
    });
  }

  private newGame(): void {
    this.heights.reset();
    this.ply = 0;
    this.toMove = 0;
    this.maybeMove();
  }

  private moved(m: { ply: number; seat: Seat; move: string; over: boolean }): void {
    if (m.seat === this.seat) this.pending.acked(m.ply - 1);
    if (m.over) {
      if (this.seat === 0) this.rec.gameOver();
      if (!this.onOver) this.newGame();
      else if (this.seat === 0) this.onOver();
      return;
    }
    this.heights.drop(m.move);
    this.ply = m.ply;
    this.toMove = m.seat === 0 ? 1 : 0;
    this.maybeMove();
  }

  private maybeMove(): void {
    if (!this.playing || !this.connected || this.toMove !== this.seat || this.pending.inFlight) return;
    const column = this.heights.pick();
    if (column === null) return;
    this.pending.sent(this.ply);
    this.room.send("move", { ply: this.ply, move: column });
  }

  stop(): void {
    this.playing = false;
    this.pending.clear();
  }
}

/** Two players in one new plain room at `url`, already playing (`onOver`: one game per room). */
async function openRoom(a: Client, b: Client, rec: Recorder, onOver?: () => void): Promise<[PlainPlayer, PlainPlayer]> {
  const first = await a.create("c4", onOver ? { oneGame: true } : {});
  const pa = new PlainPlayer(first, rec, onOver);
  try {
    return [pa, new PlainPlayer(await b.joinById(first.roomId), rec, onOver)];
  } catch (err) {
    pa.stop();
    await first.leave(true).catch(() => {});
    throw err;
  }
}

/** A pair of players at `url`, playing until `finish`; with `newRoomPerGame`, a new room for every game. */
export async function plainPair(url: string, rec: Recorder, newRoomPerGame = false): Promise<Pair> {
  const clients = [new Client(url), new Client(url)] as const;
  let stopped = false;
  let players: [PlainPlayer, PlainPlayer];
  const leave = (ps: readonly PlainPlayer[]) => {
    for (const p of ps) p.stop();
    return Promise.all(ps.map((p) => p.room.leave(true).catch(() => {})));
  };
  const next = async () => {
    const old = players;
    void leave(old);
    while (!stopped) {
      try {
        players = await openRoom(clients[0], clients[1], rec, next);
        if (stopped) void leave(players);
        return;
      } catch (err) {
        rec.error(`setup_${(err as { code?: number }).code ?? "failed"}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  players = await openRoom(clients[0], clients[1], rec, newRoomPerGame ? next : undefined);
  return {
    connected: () => players.reduce((n, p) => n + Number(p.connected), 0),
    async finish() {
      stopped = true;
      await leave(players);
    },
  };
}
