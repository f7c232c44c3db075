/**
 * Takeover: every node periodically looks for live games that nobody hosts —
 * their owner died (lease expired), shut down (lease released), or this is
 * the first start after a crash of a single node — and rebuilds their rooms
 * from the move log. Many nodes may try at once; the lease decides, so exactly
 * one room exists per game (the others' attempts fail harmlessly).
 */
import { matchMaker } from "@colyseus/core";
import { GAME_ROOM } from "@tabula/shared/protocol";
import type { GameRepository } from "../db/games.ts";
import type { Logger } from "../log.ts";
import type { Leases } from "./leases.ts";

export interface TakeoverOptions {
  games: Pick<GameRepository, "activeGames">;
  leases: Leases;
  log: Logger;
  /** How often to look, ms. */
  intervalMs: number;
  /** Games younger than this are left to the node creating them, ms. */
  graceMs: number;
}

export interface Takeover {
  /** One pass: rebuild every orphaned live game here. Resolves with the ids taken. */
  sweep(): Promise<string[]>;
  start(): void;
  stop(): void;
}

/** Games one sweep rebuilds at once: enough to overlap their database round trips, few enough to leave the node's players time. */
const PARALLEL_REBUILDS = 4;

/** A copy of `xs` in random order (Fisher–Yates). */
function shuffle<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function createTakeover(opts: TakeoverOptions): Takeover {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<string[]> | undefined;

  async function sweepOnce(): Promise<string[]> {
    if (!opts.leases.takeoverAllowed()) return [];
    let candidates: Array<{ id: string; ownerNode: string | null }>;
    try {
      candidates = await opts.games.activeGames(new Date(Date.now() - opts.graceMs));
    } catch {
      return []; // PostgreSQL down: nothing to rebuild from anyway
    }
    const taken: string[] = [];
    const takeOne = async ({ id, ownerNode }: { id: string; ownerNode: string | null }) => {
      if (matchMaker.getLocalRoomById(id)) return;
      if ((await opts.leases.isHeld(id)) !== false) return;
      try {
        // Created on this process: the room takes the lease and the fencing token in onCreate.
        await matchMaker.handleCreateRoom(GAME_ROOM, { gameId: id, resume: true });
        taken.push(id);
        opts.log.info({ gameId: id, from: ownerNode }, "took over game");
      } catch (err) {
        // Expected: another node won the lease, or the game ended since it was listed.
        opts.log.debug({ gameId: id, err: (err as Error).message }, "takeover attempt lost");
      }
    };
    // A few at a time, each node in its own random order: the survivors of a dead node split its
    // games between them instead of racing for the same one, one game after the other.
    const queue = shuffle(candidates);
    const worker = async () => {
      for (let next = queue.pop(); next; next = queue.pop()) await takeOne(next);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_REBUILDS, queue.length) }, worker));
    return taken;
  }

  return {
    sweep() {
      running ??= sweepOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      timer = setInterval(() => void this.sweep(), opts.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
