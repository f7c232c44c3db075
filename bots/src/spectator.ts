/**
 * One spectating bot: picks a live game from GET /api/live-games (the least
 * watched, at random among a few), joins it with `{ spectate: true }`, stays
 * until the game ends or ~20 s pass, then picks another. Measures how long
 * after its commit each move reaches a spectator (same machine, same clock).
 * A server without /api/live-games (404), or with no live game, makes it wait
 * and retry: counted as `noLiveGames`, not as an error.
 */
import { Client, type Room } from "@colyseus/sdk";
import type { ErrorMessage, GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import { type LiveGame, liveGames, Stopped } from "./http.ts";
import {
  addressOfRoom,
  backoffMs,
  between,
  type BotContext,
  closeRoom,
  GAME_MOVED,
  JoinFailure,
  joinRoom,
  NORMAL_CLOSE,
  obtainToken,
  ROOM_GONE_CODES,
  SDK_RECONNECT_RETRIES,
  sleep,
} from "./rooms.ts";

/** How long a spectator watches one game at most, ms (±10 %). */
export const WATCH_MS = 20_000;

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

  async run(): Promise<void> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.activeBots++;
    try {
      await sleep(this.startDelayMs, ctx.stopSignal);
      const token = await obtainToken(ctx, this.name);
      if (!token) return;
      this.client = new Client(ctx.base);
      this.client.auth.token = token;
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
        await this.watch(pick.gameId);
      }
    } catch (err) {
      m.error("bot_crash");
      if (ctx.config.verbose) console.error(`${this.name}:`, err);
    } finally {
      m.activeBots--;
    }
  }

  private async watch(gameId: string): Promise<void> {
    const { ctx } = this;
    const m = ctx.metrics;
    m.count("spectatorJoins");
    let room: Room;
    const t0 = performance.now();
    try {
      room = await joinRoom(this.client!, gameId, { spectate: true });
    } catch (err) {
      const f = err instanceof JoinFailure ? err : new JoinFailure("join_failed", String(err));
      // The game ended between the listing and the join: its room is gone. Expected now and then.
      if (f.code !== null && ROOM_GONE_CODES.has(f.code)) m.count("spectateGone");
      else m.error(`spectate_${f.kind}`);
      await sleep(500, ctx.stopSignal);
      return;
    }
    m.joinMs.push(performance.now() - t0);
    room.reconnection.maxRetries = SDK_RECONNECT_RETRIES;
    const addr = addressOfRoom(room);
    m.roomJoined(gameId, addr.node, "spectator", addr.processId);
    m.socketOpened();

    await new Promise<void>((resolve) => {
      let closed = false;
      let left = false;
      let snapshotSeen = false;
      const timers: NodeJS.Timeout[] = [];
      const done = () => {
        if (closed) return;
        closed = true;
        for (const t of timers) clearTimeout(t);
        ctx.stopSignal.removeEventListener("abort", done);
        if (!left) {
          left = true;
          m.socketClosed();
          closeRoom(room);
        }
        resolve();
      };
      timers.push(setTimeout(done, Math.round(WATCH_MS * (0.9 + Math.random() * 0.2))));
      timers.push(
        setTimeout(() => {
          if (snapshotSeen) return;
          m.error("spectate_timeout_snapshot");
          done();
        }, 10_000),
      );
      room.onMessage("snapshot", (s: GameSnapshot) => {
        if (closed) return;
        if (!snapshotSeen && s.you.role !== "spectator") m.error("spectate_seated");
        snapshotSeen = true;
        if (s.status !== "active") done();
      });
      room.onMessage("moved", (msg: MovedMessage) => {
        if (closed) return;
        m.count("spectatorMoves");
        m.spectatorLag.push(Math.max(0, Date.now() - msg.record.at));
        if (msg.status !== "active") done();
      });
      room.onMessage("error", (e: ErrorMessage) => {
        // GAME_MOVED precedes close 4100 (the game changed node): the spectator just picks a game again.
        if (e.code === "GAME_MOVED") m.count("benignRaces");
        else m.error(`spectate_${e.inReplyTo ?? "room"}_${e.code}`);
      });
      room.onDrop((code: number) => {
        m.disconnect(`spectator_drop_${code}`);
        m.error(`disconnect_${code}`);
      });
      room.onReconnect(() => m.count("reconnects"));
      room.onLeave((code: number) => {
        if (!left) {
          left = true;
          m.socketClosed();
        }
        if (closed) return;
        if (code === GAME_MOVED) m.disconnect(`spectator_moved_${code}`);
        else if (!NORMAL_CLOSE.has(code)) {
          m.disconnect(`spectator_leave_${code}`);
          m.error(`disconnect_${code}`);
        }
        done();
      });
      if (ctx.stopSignal.aborted) done();
      else ctx.stopSignal.addEventListener("abort", done, { once: true });
    });
  }
}
