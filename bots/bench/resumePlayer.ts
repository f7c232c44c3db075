/**
 * A light player for `npm run bench:resume`: the official SDK, joins its game
 * by id, moves after a think time (the shared bot policy on a replay of the
 * game's short log), and survives losing its node exactly as the real bots do
 * (bots/src/liveness.ts: heartbeat for a silent node, overlapping rejoins by
 * game id). It records, with its own clock, what the benchmark reports: every
 * move it saw acknowledged (ply → move), when it noticed a fault, when it was
 * back in its game, and when moves arrived.
 */
import type { Client, Room } from "@colyseus/sdk";
import { type ErrorMessage, type GameSnapshot, type MovedMessage, snapshotAfterMove } from "@tabula/shared/protocol";
import { chooseBotMove, createRng, getGame, replay, type Seat } from "@tabula/shared/rules";
import { sdkClient } from "../src/sdk.ts";
import { DEFAULT_HEARTBEAT, dropRoom, rejoinOverlapping, watchHeartbeat } from "../src/liveness.ts";

/** One join attempt (seat reservation, socket, first snapshot) is given up after this, ms. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export class ResumePlayer {
  /** ply → move, for every move this player saw committed (a `moved`, or a snapshot's log). */
  readonly acked = new Map<number, string>();
  /** Epoch ms of each `moved` received. */
  readonly movedAt: number[] = [];
  /** Epoch ms at which it was (back) in its game's room. */
  readonly joinedAt: number[] = [];
  /** Epoch ms at which it noticed it had lost its node: socket closed, or silent past the heartbeat. */
  readonly lostAt: number[] = [];
  /** Unexpected errors (codes or messages). */
  readonly errors: string[] = [];
  status = "active";
  private snapshot: GameSnapshot | undefined;
  private room: Room | undefined;
  private stopped = false;
  private readonly sdk: Client;
  private wake: () => void = () => {};
  readonly gameId: string;
  private readonly thinkMs: number;

  constructor(url: string, token: string, gameId: string, thinkMs: number) {
    this.sdk = sdkClient(url, token);
    this.gameId = gameId;
    this.thinkMs = thinkMs;
  }

  /** Play until the game ends or `stop()`; never throws. */
  async run(): Promise<void> {
    while (!this.stopped && this.status === "active") {
      const room = await this.join().catch((err: Error) => {
        if (!this.stopped) this.errors.push(`join: ${err.message}`);
        return undefined;
      });
      if (!room) return;
      this.joinedAt.push(Date.now());
      await this.play(room);
    }
  }

  /** Stop playing (leaves the room without waiting). */
  stop(): void {
    this.stopped = true;
    if (this.room) dropRoom(this.room);
    this.wake();
  }

  private join(): Promise<Room> {
    return rejoinOverlapping(
      async () => {
        const room = await withTimeout(this.sdk.joinById(this.gameId), ATTEMPT_TIMEOUT_MS, "join");
        this.listen(room);
        // Wait for the first snapshot before counting the attempt a success.
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error("no snapshot")), ATTEMPT_TIMEOUT_MS);
          room.onMessage("snapshot", () => {
            clearTimeout(t);
            resolve();
          });
        }).catch((err) => {
          dropRoom(room);
          throw err;
        });
        return room;
      },
      (late) => dropRoom(late),
      { giveUpMs: 60_000, onFailure: () => !this.stopped },
    );
  }

  /** The room's messages, from the moment it is joined (a `moved` may come before its first snapshot is handled). */
  private listen(room: Room): void {
    const current = () => this.room === room || this.room === undefined;
    room.onMessage("snapshot", (s: GameSnapshot) => {
      if (!current()) return;
      this.snapshot = s;
      for (const m of s.moves) this.acked.set(m.ply, m.move);
      this.status = s.status;
      this.heard();
    });
    room.onMessage("moved", (m: MovedMessage) => {
      if (!current()) return;
      this.movedAt.push(Date.now());
      this.acked.set(m.record.ply, m.record.move);
      if (this.snapshot) this.snapshot = snapshotAfterMove(this.snapshot, m);
      this.status = m.status;
      this.heard();
    });
    room.onMessage("error", (e: ErrorMessage) => {
      if (!current()) return;
      if (e.code !== "GAME_MOVED" && e.code !== "STALE_PLY") this.errors.push(e.code);
      this.heard();
    });
  }

  /** Something came from the current room: the heartbeat hears it, the play loop wakes. */
  private heard: () => void = () => {};

  private async play(room: Room): Promise<void> {
    this.room = room;
    room.reconnection.enabled = false; // a dead node is not coming back: rejoin by id instead
    let left = false;
    const lost = () => {
      if (left) return;
      left = true;
      this.lostAt.push(Date.now());
      this.wake();
    };
    const heartbeat = watchHeartbeat(room, this.snapshot?.heartbeat ?? DEFAULT_HEARTBEAT, () => {
      dropRoom(room);
      lost();
    });
    this.heard = () => {
      heartbeat.heard();
      this.wake();
    };
    room.onLeave(() => lost());
    let sentPly = -1;
    while (!left && !this.stopped && this.status === "active") {
      let s = this.snapshot;
      const mine = s && s.status === "active" && (s.view as { toMove: number | null }).toMove === s.you.seat;
      if (s && mine && s.ply !== sentPly) {
        await sleep(this.thinkMs);
        // (A fresh snapshot of the same position — someone joined — changes nothing.)
        if (left || this.stopped || this.snapshot?.ply !== s.ply) continue;
        s = this.snapshot;
        const def = getGame(s.kind)!;
        const state = replay(
          def,
          s.seed,
          s.moves.map((m) => m.move),
        );
        if (!state.ok) {
          this.errors.push(`replay failed at ply ${state.ply}`);
          break;
        }
        room.send("move", {
          ply: s.ply,
          move: chooseBotMove(def, state.state, s.you.seat as Seat, createRng(`${s.seed}:${s.ply}`)),
        });
        sentPly = s.ply;
      }
      // Wait for news (a move, a snapshot, an error, a drop), at most 2 s (then resend if nothing came).
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          sentPly = -1;
          resolve();
        }, 2_000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    heartbeat.stop();
    this.heard = () => {};
    this.room = undefined;
    if (!left) dropRoom(room);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
