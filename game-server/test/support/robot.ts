/**
 * A robot player for chaos tests: plays its game with the shared bot policy,
 * survives losing its node (rejoins by game id, as the real clients do),
 * resends an unacknowledged move with the same ply (idempotent), and keeps a
 * record of every move it saw acknowledged, for the checker.
 */
import { chooseBotMove, createRng, getGame, replay, type Seat as SeatIndex } from "@tabula/shared/rules";
import type { Player } from "./clients.ts";
import { Seat } from "./clients.ts";

export class Robot {
  /** ply → move, for every move this robot saw committed (via `moved` or a snapshot). */
  readonly acked = new Map<number, string>();
  /** Times (epoch ms) at which `moved` messages arrived. */
  readonly movedAt: number[] = [];
  rejoins = 0;
  errors: string[] = [];
  status = "active";
  private seat: Seat | undefined;
  private readonly player: Player;
  private readonly gameId: string;
  private readonly thinkMs: number;

  constructor(player: Player, gameId: string, thinkMs = 30) {
    this.player = player;
    this.gameId = gameId;
    this.thinkMs = thinkMs;
  }

  private record(): void {
    const s = this.seat?.snapshot;
    if (!s) return;
    for (const m of s.moves) this.acked.set(m.ply, m.move);
    this.status = s.status;
  }

  /** Play until the game is over; resolves with the final status. Gives up after `timeoutMs`. */
  async run(timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.status === "active") {
      if (Date.now() > deadline) throw new Error(`robot ${this.player.name} timed out in game ${this.gameId}`);
      this.seat = await Seat.rejoin(this.player, this.gameId, {}, 30_000);
      if (process.env.CHAOS_DEBUG) console.log("[robot]", this.player.name, "joined", this.gameId, this.seat.snapshot?.ply);
      const seat = this.seat;
      let left = false;
      // The SDK would retry the same URL (the same node); a node that died is not coming back,
      // so on any drop go straight to rejoining by game id, which finds the game wherever it lives now.
      seat.room.reconnection.enabled = false;
      seat.room.onLeave(() => {
        left = true;
      });
      seat.room.onMessage("moved", () => this.movedAt.push(Date.now()));
      this.record();
      let sentPly = -1;
      let seenErrors = seat.errors.length;
      while (!left && this.status === "active" && Date.now() < deadline) {
        await seat
          .until(
            (s) => {
              this.record();
              const turn = this.myTurn(s);
              return (
                left || s.snapshot?.status !== "active" || s.errors.length > seenErrors || (turn !== null && turn !== sentPly)
              );
            },
            "something to do",
            2_000,
          )
          .catch(() => {});
        this.record();
        if (left || this.status !== "active") break;
        // A refused move (e.g. UNAVAILABLE while the database is down) is sent again.
        if (seat.errors.length > seenErrors) {
          seenErrors = seat.errors.length;
          sentPly = -1;
          await new Promise((r) => setTimeout(r, 200));
        }
        const ply = this.myTurn(seat);
        if (ply === null || ply === sentPly) continue;
        await new Promise((r) => setTimeout(r, this.thinkMs));
        if (left) break;
        const s = seat.snapshot!;
        const def = getGame(s.kind)!;
        const replayed = replay(
          def,
          s.seed,
          s.moves.map((m) => m.move),
        );
        if (!replayed.ok) throw new Error(`game ${s.gameId}: the server's log does not replay at ply ${replayed.ply}`);
        const move = chooseBotMove(def, replayed.state, s.you.seat as SeatIndex, createRng(`${s.seed}:${s.ply}`));
        seat.room.send("move", { ply: s.ply, move });
        sentPly = ply;
      }
      for (const e of seat.errors) if (e.code !== "GAME_MOVED" && e.code !== "STALE_PLY") this.errors.push(e.code);
      if (this.status === "active") this.rejoins++;
      // (SDK: leave() on a closed room never settles; only leave a live one, without waiting.)
      if (!left) void seat.room.leave(true).catch(() => {});
    }
    return this.status;
  }

  private myTurn(s: Seat): number | null {
    const snap = s.snapshot;
    if (snap?.status !== "active") return null;
    return (snap.view as { toMove: number | null }).toMove === snap.you.seat ? snap.ply : null;
  }
}

/** Percentile of `xs` (0–100), nearest rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
