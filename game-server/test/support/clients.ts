/**
 * Test players built on the official @colyseus/sdk, exactly as a third-party
 * client would be: HTTP for identity and matchmaking, a room for play.
 */
import type { Client, Room } from "@colyseus/sdk";
import { rejoinOverlapping } from "../../../bots/src/liveness.ts";
import { httpRequest } from "../../../compose/http.ts";
import { sdkClient } from "../../../bots/src/sdk.ts";
import {
  type ErrorMessage,
  type OfferDeclinedMessage,
  type GameSnapshot,
  type MovedMessage,
  snapshotAfterMove,
  type TicketResponse,
} from "@tabula/shared/protocol";

export interface Player {
  id: string;
  name: string;
  token: string;
  sdk: Client;
  base: string;
}

/**
 * One API request on a fresh connection (compose/http.ts): a kept-alive connection may still reach an old
 * nginx worker after a reload (adding or restarting a node), which can close it under the next request.
 */
async function http<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await httpRequest(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: 60_000, // long polls (`wait=` up to 30 s) included
  });
  return { status: res.status, body: (res.body ? JSON.parse(res.body) : undefined) as T };
}

export { http };

/** A new guest identity with an SDK client authenticated as it. */
export async function newPlayer(base: string, name?: string): Promise<Player> {
  const r = await http<{ token: string; player: { id: string; name: string } }>(
    base,
    "POST",
    "/api/guest",
    undefined,
    name ? { name } : {},
  );
  if (r.status !== 200) throw new Error(`guest failed: ${r.status} ${JSON.stringify(r.body)}`);
  const sdk = sdkClient(base, r.body.token);
  return { id: r.body.player.id, name: r.body.player.name, token: r.body.token, sdk, base };
}

/**
 * Quick-play and wait for the match; resolves with the game id. A 503
 * UNAVAILABLE ("nothing was applied, try again") is tried again, up to 5 times.
 */
export async function quickPlay(p: Player, game: string, timeControl?: string): Promise<string> {
  let r = await http<TicketResponse>(p.base, "POST", "/api/matchmaking/quick", p.token, { game, timeControl });
  for (let tries = 1; r.status === 503 && tries < 5; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 200 * tries));
    r = await http<TicketResponse>(p.base, "POST", "/api/matchmaking/quick", p.token, { game, timeControl });
  }
  if (r.status !== 200) throw new Error(`quick play failed: ${r.status} ${JSON.stringify(r.body)}`);
  while (r.body.status === "waiting") {
    r = await http<TicketResponse>(p.base, "GET", `/api/matchmaking/tickets/${r.body.ticket}?wait=10`, p.token);
  }
  if (r.body.status !== "matched" || !r.body.gameId) throw new Error(`not matched: ${JSON.stringify(r.body)}`);
  return r.body.gameId;
}

/** A joined room with the messages it received, and helpers to wait for them. */
export class Seat {
  snapshot: GameSnapshot | undefined;
  readonly moved: MovedMessage[] = [];
  readonly errors: ErrorMessage[] = [];
  /** `offerDeclined` messages: our offers the opponent declined. */
  readonly declined: OfferDeclinedMessage[] = [];
  private waiters: Array<() => void> = [];
  readonly room: Room;

  constructor(room: Room) {
    this.room = room;
    room.onMessage("snapshot", (s: GameSnapshot) => {
      this.snapshot = s;
      this.wake();
    });
    room.onMessage("moved", (m: MovedMessage) => {
      this.moved.push(m);
      if (this.snapshot) this.snapshot = snapshotAfterMove(this.snapshot, m);
      this.wake();
    });
    room.onMessage("error", (e: ErrorMessage) => {
      this.errors.push(e);
      this.wake();
    });
    room.onMessage("offerDeclined", (d: OfferDeclinedMessage) => {
      this.declined.push(d);
      this.wake();
    });
  }

  /**
   * Join, retrying (overlapping attempts) while the game has no room yet — it
   * is being rebuilt on a surviving node — what a real client does after losing its node.
   */
  static rejoin(p: Player, gameId: string, options: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Seat> {
    return rejoinOverlapping(
      () => Seat.join(p, gameId, options, 15_000),
      (late) => void late.room.leave(true).catch(() => {}),
      { giveUpMs: timeoutMs },
    );
  }

  /**
   * Join `gameId` and wait for its first snapshot, within `timeoutMs`. A join
   * still pending at the deadline is left as soon as it completes.
   */
  static async join(p: Player, gameId: string, options: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Seat> {
    const deadline = Date.now() + timeoutMs;
    const joining = p.sdk.joinById(gameId, options);
    let timer: NodeJS.Timeout | undefined;
    const room = await Promise.race([
      joining,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`join ${gameId}: no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ])
      .catch((err) => {
        joining.then((late) => void late.leave(true).catch(() => {})).catch(() => {});
        throw err;
      })
      .finally(() => clearTimeout(timer));
    const seat = new Seat(room);
    try {
      await seat.until((s) => s.snapshot !== undefined, "first snapshot", Math.max(1, deadline - Date.now()));
    } catch (err) {
      void room.leave(true).catch(() => {});
      throw err;
    }
    return seat;
  }

  /** Wake whoever waits in `until` now (something outside the room's messages changed). */
  nudge(): void {
    this.wake();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Wait until `cond` holds (checked after every message), or fail after `ms`. */
  async until(cond: (s: Seat) => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  get seat(): 0 | 1 | null {
    return this.snapshot?.you.seat ?? null;
  }

  /** Wait for our turn (as this client sees it), send a move at the current ply and wait until it is broadcast back (or refused). */
  async play(move: string): Promise<void> {
    await this.until((s) => (s.snapshot?.view as { toMove?: number } | undefined)?.toMove === s.seat, `our turn to play ${move}`);
    const ply = this.snapshot!.ply;
    const errs = this.errors.length;
    this.room.send("move", { ply, move });
    await this.until((s) => (s.snapshot?.ply ?? 0) > ply || s.errors.length > errs, `move ${move} at ply ${ply}`);
    if (this.errors.length > errs)
      throw new Error(`move ${move} refused: ${JSON.stringify(this.errors[this.errors.length - 1])}`);
  }
}
