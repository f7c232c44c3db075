/**
 * A few Connect Four games played for real (the SDK, as a browser would)
 * while `npm run bench:conns` piles idle sockets onto the cluster: each move
 * after a think time, its round trip measured from `room.send("move")` to the
 * `moved` that confirms it. A finished game is followed by a new one between
 * the same two players. The moves are picked from the view (any column that
 * is not full), so the driver replays no rules.
 */
import type { Room } from "@colyseus/sdk";
import type { GameSnapshot, MovedMessage } from "@tabula/shared/protocol";
import type { Connect4View, Seat } from "@tabula/shared/rules";
import { sdkClient } from "../src/sdk.ts";
import { guest, inviteGame } from "./rawJoin.ts";

export interface LiveGames {
  /** Round trips (ms) measured since the last call, and moves refused or lost meanwhile; clears both. */
  take(): { rttMs: number[]; errors: number };
  stop(): Promise<void>;
}

/** Start `games` games between fresh guests on the cluster at `base`, each side moving `thinkMs` after its turn comes. */
export async function startLiveGames(base: string, games: number, thinkMs: number): Promise<LiveGames> {
  let rtts: number[] = [];
  let errors = 0;
  let stopped = false;
  const loops: Promise<void>[] = [];
  const rooms = new Set<Room>();

  /** Join `gameId` with `token` and play its seat until the game ends (then `finish`). */
  const joinSeat = async (gameId: string, token: string, finish: () => void) => {
    const client = sdkClient(base, token);
    const room = await client.joinById(gameId, {});
    room.reconnection.enabled = false;
    rooms.add(room);
    let seat: Seat | null = null;
    let pending: { ply: number; at: number } | null = null;
    let timer: NodeJS.Timeout | undefined;
    const consider = (view: Connect4View, ply: number, active: boolean) => {
      if (!active || stopped) return finish();
      if (seat === null || view.toMove !== seat || pending || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        const open = [0, 1, 2, 3, 4, 5, 6].filter((c) => view.board[5 * 7 + c] === -1);
        const move = String(open[Math.floor(Math.random() * open.length)]);
        pending = { ply, at: performance.now() };
        room.send("move", { ply, move });
      }, thinkMs);
    };
    room.onMessage("snapshot", (s: GameSnapshot) => {
      seat = s.you.seat;
      consider(s.view as Connect4View, s.ply, s.status === "active");
    });
    room.onMessage("moved", (m: MovedMessage) => {
      if (pending && m.record.ply === pending.ply) {
        rtts.push(performance.now() - pending.at);
        pending = null;
      }
      consider(m.view as Connect4View, m.ply, m.status === "active");
    });
    room.onMessage("error", () => {
      errors++;
      pending = null;
      room.send("sync", {});
    });
    room.onLeave(() => finish());
    return { room, cancel: () => clearTimeout(timer) };
  };

  const playOneGame = async (tokens: [string, string]) => {
    const gameId = await inviteGame(base, tokens[0], tokens[1]);
    let finish!: () => void;
    const finished = new Promise<void>((r) => {
      finish = r;
    });
    const joined = await Promise.allSettled(tokens.map((t) => joinSeat(gameId, t, finish)));
    if (joined.some((j) => j.status === "rejected")) {
      errors++;
      finish();
    }
    await finished;
    for (const j of joined) {
      if (j.status !== "fulfilled") continue;
      j.value.cancel();
      rooms.delete(j.value.room);
      await j.value.room.leave(true).catch(() => {});
    }
  };

  for (let i = 0; i < games; i++) {
    const tokens: [string, string] = [await guest(base), await guest(base)];
    loops.push(
      (async () => {
        while (!stopped) {
          await playOneGame(tokens).catch(() => {
            errors++;
          });
        }
      })(),
    );
  }
  return {
    take() {
      const r = { rttMs: rtts, errors };
      rtts = [];
      errors = 0;
      return r;
    },
    async stop() {
      stopped = true;
      for (const room of rooms) await room.leave(true).catch(() => {});
      await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 5_000))]);
    },
  };
}
