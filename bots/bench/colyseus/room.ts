/**
 * The ceiling of the benchmark: a plain Colyseus 0.18 room playing Connect
 * Four with the shared rules, and nothing else — no database, no Schema state
 * (messages only, like Tabula's room), no clocks, no leases. Every move is
 * validated by `connect4.apply` and broadcast to both players; when a game
 * ends, the next one starts at once in the same room — or, for a room
 * created with `{ oneGame: true }`, the room plays one game only (the
 * players then make a new room, as Tabula and boardgame.io make a new game).
 *
 * Messages (the driver's colyseus protocol, bots/bench/driver/plain.ts):
 *   server → client  `seat`  { seat }                    on join
 *                    `start` { }                         both seats taken: seat 0 moves
 *                    `moved` { ply, seat, move, over }   a validated move; `ply` is the new count;
 *                                                        `over`: the game ended, a new one starts (ply 0)
 *                    `error` { code, inReplyTo: "move" } a refused move (nothing changed)
 *   client → server  `move`  { ply, move }               ply: the move count the sender has seen
 */
import { type Client, Room } from "@colyseus/core";
import { type Connect4State, connect4, type Seat } from "@tabula/shared/rules";

interface MovePayload {
  ply: number;
  move: string;
}

function isMovePayload(p: unknown): p is MovePayload {
  const m = p as MovePayload;
  return typeof m === "object" && m !== null && Number.isSafeInteger(m.ply) && typeof m.move === "string" && m.move.length <= 8;
}

export class PlainConnectFourRoom extends Room {
  private state4: Connect4State = connect4.setup("0");
  private games = 0;
  private readonly seats = new Map<string, Seat>();
  private oneGame = false;
  private over = false;

  onCreate(options?: { oneGame?: unknown }): void {
    this.oneGame = options?.oneGame === true;
    this.maxClients = 2;
    this.patchRate = null; // no Schema state: everything travels as messages
    this.onMessage("move", (client: Client, payload: unknown) => this.move(client, payload));
  }

  onJoin(client: Client): void {
    const seat: Seat = [...this.seats.values()].includes(0) ? 1 : 0;
    this.seats.set(client.sessionId, seat);
    client.send("seat", { seat });
    if (this.seats.size === 2) this.broadcast("start", {});
  }

  onLeave(client: Client): void {
    this.seats.delete(client.sessionId);
  }

  private move(client: Client, payload: unknown): void {
    const refusal = this.check(client, payload);
    if (refusal) {
      client.send("error", { code: refusal, inReplyTo: "move" });
      return;
    }
    const seat = this.seats.get(client.sessionId) as Seat;
    const { ply, move } = payload as MovePayload;
    const r = connect4.apply(this.state4, move, seat);
    if (!r.ok) {
      client.send("error", { code: r.error.code, inReplyTo: "move" });
      return;
    }
    const over = connect4.result(r.state) !== null;
    this.broadcast("moved", { ply: ply + 1, seat, move, over });
    this.over = over && this.oneGame;
    this.state4 = over && !this.oneGame ? connect4.setup(String(++this.games)) : r.state;
  }

  /** Why `payload` from `client` cannot be a move now (a room error code), or null. */
  private check(client: Client, payload: unknown): string | null {
    const seat = this.seats.get(client.sessionId);
    if (seat === undefined || this.seats.size < 2) return "NOT_A_PLAYER";
    if (this.over) return "GAME_OVER";
    if (!isMovePayload(payload)) return "BAD_MESSAGE";
    if (payload.ply !== connect4.ply(this.state4)) return "STALE_PLY";
    return null;
  }
}
