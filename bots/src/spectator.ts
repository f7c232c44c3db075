/**
 * One spectating bot: picks a live game from GET /api/live-games (the least
 * watched, at random among a few), joins it with `{ spectate: true }`, stays
 * until the game ends or ~20 s pass, then picks another. Measures how long
 * after its commit each move reaches a spectator (same machine, same clock).
 * A server without /api/live-games (404), or with no live game, makes it wait
 * and retry: counted as `noLiveGames`, not as an error. When the game's node
 * moves the game (4100) or goes silent (heartbeat), it follows the game to its
 * new node by id, as players do.
 */
import type { Client, Room } from "@colyseus/sdk";
import { CLOSE_CODES, type ErrorMessage, type GameSnapshot, type MovedMessage } from "@tabula/shared/protocol";
import { gameStatus, type LiveGame, liveGames, Stopped } from "./http.ts";
import { DEFAULT_HEARTBEAT, dropRoom, rejoinOverlapping, watchHeartbeat } from "./liveness.ts";
import {
  addressOfRoom,
  asJoinFailure,
  backoffMs,
  between,
  type BotContext,
  botLife,
  closeRoom,
  joinRoom,
  NORMAL_CLOSE,
  REJOIN_ATTEMPT_TIMEOUT_MS,
  ROOM_GONE_CODES,
  sleep,
} from "./rooms.ts";

/** How long a spectator watches one game at most, ms (±10 %). */
export const WATCH_MS = 20_000;
/** Following a game to its new node is given up after this, ms. */
const FOLLOW_GIVE_UP_MS = 30_000;

export class SpectatorBot {
  readonly name: string;
  private readonly ctx: BotContext;
  private readonly startDelayMs: number;
  private client: Client | null = null;

  constructor(ctx: BotContext, name: string, startDelayMs: number) {
    this.ctx = ctx;
    this.name = name;
    this.startDelayMs = startDelayMs;
  }

  run(): Promise<void> {
    return botLife(this.ctx, this.name, this.startDelayMs, async (client) => {
      const { ctx } = this;
      const m = ctx.metrics;
      this.client = client;
      let last: string | null = null;
      let failures = 0;
      while (!ctx.stopSignal.aborted) {
        let games: LiveGame[] | null;
        try {
          games = await liveGames(ctx.base, ctx.stopSignal);
        } catch (err) {
          if (err instanceof Stopped) break;
          m.httpError(err);
          await sleep(backoffMs(++failures), ctx.stopSignal);
          continue;
        }
        failures = 0;
        if (games === null) m.count("liveGamesEndpointMissing");
        const wanted = ctx.config.game;
        const candidates = (games ?? []).filter(
          (g) => g.gameId !== last && (wanted === "mix" || g.kind === undefined || g.kind === wanted),
        );
        if (candidates.length === 0) {
          m.count("noLiveGames");
          await sleep(between(1500, 2500), ctx.stopSignal);
          continue;
        }
        candidates.sort((a, b) => (a.spectators ?? 0) - (b.spectators ?? 0));
        const pick = candidates[Math.floor(Math.random() * Math.min(5, candidates.length))]!;
        last = pick.gameId;
        let follow = await this.watch(pick.gameId, false);
        while (follow && !ctx.stopSignal.aborted) follow = await this.watch(pick.gameId, true);
      }
    });
  }

  /** Join `gameId` as a spectator: once, or (`follow`) by overlapping attempts until its new node answers. */
  private async join(gameId: string, follow: boolean): Promise<Room> {
    if (!follow) return joinRoom(this.client!, gameId, { spectate: true });
    return rejoinOverlapping(
      () => joinRoom(this.client!, gameId, { spectate: true }, REJOIN_ATTEMPT_TIMEOUT_MS),
      (late) => closeRoom(late),
      {
        giveUpMs: FOLLOW_GIVE_UP_MS,
        signal: this.ctx.stopSignal,
        onFailure: async (err) => {
          const f = asJoinFailure(err);
          if (f.code === null || !ROOM_GONE_CODES.has(f.code)) return true;
          // No room: being rebuilt on another node, or the game is over.
          const status = await gameStatus(this.ctx.base, gameId);
          return status === "active" || status === null;
        },
      },
    );
  }

  /**
   * Watch `gameId` until it ends, about WATCH_MS pass, or the run phase ends.
   * Resolves true when the game left its node (moved, or the node went silent)
   * and is to be followed by id.
   */
  private async watch(gameId: string, follow: boolean): Promise<boolean> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.count(follow ? "spectatorFollows" : "spectatorJoins");
    let room: Room;
    const t0 = performance.now();
    try {
      room = await this.join(gameId, follow);
    } catch (err) {
      const f = asJoinFailure(err);
      // The game ended between the listing and the join: its room is gone. Expected now and then.
      if (f.code !== null && ROOM_GONE_CODES.has(f.code)) m.count("spectateGone");
      else if (!ctx.stopSignal.aborted) m.error(`spectate_${f.kind}`);
      await sleep(500, ctx.stopSignal);
      return false;
    }
    m.joinMs.push(performance.now() - t0);
    room.reconnection.enabled = false; // following by id finds the game's new node; the SDK would retry the old one
    const addr = addressOfRoom(room);
    m.roomJoined(gameId, addr.node, "spectator", addr.processId);
    m.socketOpened();

    return new Promise<boolean>((resolve) => {
      let closed = false;
      let left = false;
      let snapshotSeen = false;
      const timers: NodeJS.Timeout[] = [];
      const done = (followAgain = false) => {
        if (closed) return;
        closed = true;
        for (const t of timers) clearTimeout(t);
        heartbeat.stop();
        ctx.stopSignal.removeEventListener("abort", onStop);
        if (!left) {
          left = true;
          m.socketClosed();
          closeRoom(room);
        }
        resolve(followAgain && !ctx.stopSignal.aborted);
      };
      const onStop = () => done();
      const heartbeat = watchHeartbeat(room, DEFAULT_HEARTBEAT, () => {
        m.disconnect("spectator_silent");
        m.error("disconnect_silent");
        left = true;
        m.socketClosed();
        dropRoom(room);
        done(true);
      });
      timers.push(setTimeout(done, Math.round(WATCH_MS * (0.9 + Math.random() * 0.2))));
      timers.push(
        setTimeout(() => {
          if (snapshotSeen) return;
          m.error("spectate_timeout_snapshot");
          done();
        }, 10_000),
      );
      room.onMessage("snapshot", (s: GameSnapshot) => {
        heartbeat.heard();
        if (closed) return;
        if (!snapshotSeen && s.you.role !== "spectator") m.error("spectate_seated");
        snapshotSeen = true;
        heartbeat.update(s.heartbeat ?? DEFAULT_HEARTBEAT);
        if (s.status !== "active") done();
      });
      room.onMessage("moved", (msg: MovedMessage) => {
        heartbeat.heard();
        if (closed) return;
        m.count("spectatorMoves");
        m.spectatorLag.push(Math.max(0, Date.now() - msg.record.at));
        if (msg.status !== "active") done();
      });
      room.onMessage("error", (e: ErrorMessage) => {
        heartbeat.heard();
        // GAME_MOVED precedes close 4100 (the game changed node): the spectator follows it.
        if (e.code === "GAME_MOVED") m.count("benignRaces");
        else m.error(`spectate_${e.inReplyTo ?? "room"}_${e.code}`);
      });
      room.onLeave((code: number) => {
        if (!left) {
          left = true;
          m.socketClosed();
        }
        if (closed) return;
        if (code === CLOSE_CODES.GAME_MOVED) m.disconnect(`spectator_moved_${code}`);
        else if (!NORMAL_CLOSE.has(code)) {
          m.disconnect(`spectator_leave_${code}`);
          m.error(`disconnect_${code}`);
        }
        done(!NORMAL_CLOSE.has(code));
      });
      if (ctx.stopSignal.aborted) done();
      else ctx.stopSignal.addEventListener("abort", onStop, { once: true });
    });
  }
}
