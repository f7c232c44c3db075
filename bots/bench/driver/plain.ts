/**
 * Driver side of the plain-Colyseus system (bots/bench/colyseus/room.ts):
 * one player creates a `c4` room, the other joins it by id, and they play
 * Connect Four with think time 0 until told to stop. A finished game is
 * followed at once by the next one in the same room.
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

  constructor(room: Room, rec: Recorder) {
    this.room = room;
    this.rec = rec;
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
      this.newGame();
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

/** Two players in one new plain room at `url`, already playing. */
export async function plainPair(url: string, rec: Recorder): Promise<Pair> {
  const first = await new Client(url).create("c4");
  const a = new PlainPlayer(first, rec);
  let b: PlainPlayer;
  try {
    b = new PlainPlayer(await new Client(url).joinById(first.roomId), rec);
  } catch (err) {
    a.stop();
    await first.leave(true).catch(() => {});
    throw err;
  }
  return {
    connected: () => Number(a.connected) + Number(b.connected),
    async finish() {
      for (const p of [a, b]) p.stop();
      await Promise.all([a.room.leave(true).catch(() => {}), b.room.leave(true).catch(() => {})]);
    },
  };
}
