/**
 * A robot player for chaos tests: plays its game with the shared bot policy,
 * survives losing its node — killed (the socket closes) or stalled (nothing
 * arrives: the heartbeat notices) — by joining the game again by id with
 * overlapping attempts, as the real clients do (bots/src/liveness.ts); resends
 * an unacknowledged move with the same ply (idempotent), and keeps a record of
 * every move it saw acknowledged, for the checker.
 */
import type { ErrorMessage } from "@tabula/shared/protocol";
import { chooseBotMove, createRng, getGame, replay, type Seat as SeatIndex } from "@tabula/shared/rules";
import { DEFAULT_HEARTBEAT, dropRoom, rejoinOverlapping, watchHeartbeat } from "../../../bots/src/liveness.ts";
import { http, type Player, Seat } from "./clients.ts";

/**
 * One join attempt (seat reservation, socket, first snapshot) is given up
 * after this, ms. Long on purpose: a slow attempt on a loaded machine is
 * still the one that gets in; attempts stuck on a stalled node are what the
 * overlapping ones are for.
 */
const ATTEMPT_TIMEOUT_MS = 15_000;
/**
 * No game message at all (move, snapshot, error) for this long, ms, in a game
 * whose players move every few hundred ms, means the room is not serving the
 * game — e.g. a room left behind on a node that lost the game, which still
 * answers pings: drop it and join the game again by id, as a player would reload.
 */
const QUIET_GAME_MS = 8_000;

export class Robot {
  /** ply → move, for every move this robot saw committed (via `moved` or a snapshot). */
  readonly acked = new Map<number, string>();
  /** Times (epoch ms) at which `moved` messages arrived. */
  readonly movedAt: number[] = [];
  /** Times (epoch ms) at which this robot gave up on a silent server (heartbeat timeout). */
  readonly silentAt: number[] = [];
  /** Times (epoch ms) at which this robot gave up on a room that said nothing about the game for QUIET_GAME_MS. */
  readonly stuckAt: number[] = [];
  /** Times (epoch ms) at which this robot was (back) in its game's room. */
  readonly joinedAt: number[] = [];
  /** When (epoch ms) this robot first saw its game over (a `moved` or a snapshot); null while it is on. */
  endSeenAt: number | null = null;
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
    if (s.status !== "active" && this.endSeenAt === null) this.endSeenAt = Date.now();
    this.status = s.status;
  }

  /** Join the game wherever it lives now: overlapping attempts until one is in, or `deadline` (epoch ms) passes. */
  private join(deadline: number): Promise<Seat> {
    return rejoinOverlapping(
      () => Seat.join(this.player, this.gameId, {}, ATTEMPT_TIMEOUT_MS),
      (late) => void late.room.leave(true).catch(() => {}),
      {
        giveUpMs: Math.max(0, deadline - Date.now()),
        // No room: being rebuilt on another node, or the game is over (then stop, as a real client does).
        onFailure: async (err) => {
          if (!/not found/.test(String((err as Error)?.message))) return true;
          const r = await http<{ game?: { status: string } }>(this.player.base, "GET", `/api/games/${this.gameId}`);
          if (r.status !== 200 || r.body.game?.status === "active") return true;
          this.status = r.body.game?.status ?? this.status;
          return false;
        },
      },
    );
  }

  /** Play until the game is over; resolves with the final status. Gives up after `timeoutMs`. */
  async run(timeoutMs = 90_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.status === "active") {
      if (Date.now() > deadline) throw new Error(`robot ${this.player.name} timed out in game ${this.gameId}`);
      this.seat = await this.join(deadline).catch((err: Error) => {
        if (this.status !== "active") return undefined; // the game ended meanwhile
        throw new Error(`robot ${this.player.name} could not get back into game ${this.gameId}: ${err.message}`);
      });
      if (!this.seat) break;
      this.joinedAt.push(Date.now());
      if (process.env.CHAOS_DEBUG) console.log("[robot]", this.player.name, "joined", this.gameId, this.seat.snapshot?.ply);
      const seat = this.seat;
      let left = false;
      // The SDK would retry the same URL (the same node); a node that died is not coming back,
      // so on any drop go straight to rejoining by game id, which finds the game wherever it lives now.
      seat.room.reconnection.enabled = false;
      seat.room.onLeave(() => {
        left = true;
        seat.nudge(); // rejoin now, not when the wait below times out
      });
      // A stalled node closes nothing: only its silence tells. Drop it and rejoin the new owner.
      const heartbeat = watchHeartbeat(seat.room, seat.snapshot?.heartbeat ?? DEFAULT_HEARTBEAT, () => {
        this.silentAt.push(Date.now());
        left = true;
        dropRoom(seat.room);
        seat.nudge();
      });
      let lastGameMessageAt = Date.now();
      const heard = () => {
        heartbeat.heard();
        lastGameMessageAt = Date.now();
      };
      seat.room.onMessage("snapshot", heard);
      seat.room.onMessage("error", (e: ErrorMessage) => {
        heard();
        // Expected while a game moves or a resent move races its first copy; anything else is reported.
        if (e.code !== "GAME_MOVED" && e.code !== "STALE_PLY") this.errors.push(e.code);
      });
      seat.room.onMessage("moved", () => {
        heard();
        this.movedAt.push(Date.now());
      });
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
        if (Date.now() - lastGameMessageAt > QUIET_GAME_MS) {
          this.stuckAt.push(Date.now());
          dropRoom(seat.room);
          left = true;
          break;
        }
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
      heartbeat.stop();
      if (this.status === "active") this.rejoins++;
      // (SDK: leave() on a closed or silent room never settles; only leave a live one, without waiting.)
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
