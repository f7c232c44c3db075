/**
 * What a participant is sent: the table as one seat (or a spectator) may see
 * it. Pure: time, presence and the spectator count are passed in.
 *
 * A message goes to every socket of a game at once, so each builder here
 * returns a function of the recipient that computes the rules view once per
 * seat — and once for everyone when the game has no hidden information
 * (`GameDefinition.publicView`). A `moved` of such a game is then one object
 * for all, which the room encodes once (rooms/fanout.ts).
 */
import type { GameSnapshot, Heartbeat, MovedMessage, PlayerInfo } from "@tabula/shared/protocol";
import { type BotLevel, DEFAULT_BOT_LEVEL, type Seat } from "@tabula/shared/rules";
import { ratingsView } from "../ratings/seats.ts";
import type { GameRecord } from "./record.ts";
import type { GameTable } from "./table.ts";

export type SeatPresence = Pick<PlayerInfo, "connected" | "reconnectDeadline">;

/** Everything around the table a snapshot also carries. */
export interface SnapshotContext {
  now: number;
  presence: [SeatPresence, SeatPresence];
  spectators: number;
  heartbeat: Heartbeat;
}

/** One value per recipient: built once per seat (0, 1, spectators), or once for all when `shared`. */
function perRecipient<T>(shared: boolean, build: (you: Seat | null) => T): (you: Seat | null) => T {
  const built = new Map<Seat | null, T>();
  return (you) => {
    const key = shared ? null : you;
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      built.set(key, value);
    }
    return value;
  };
}

/** The rules view for each recipient (a public view is computed once, as a spectator's). */
function viewsOf(table: GameTable): (you: Seat | null) => unknown {
  return perRecipient(table.def.publicView === true, (you) => table.def.view(table.rulesState, you));
}

/** The full picture for each participant (`you`: a seat, or null for a spectator): everything needed to draw the game. */
export function snapshotsOf(table: GameTable, ctx: SnapshotContext): (you: Seat | null) => GameSnapshot {
  const { record } = table;
  const view = viewsOf(table);
  const players: GameSnapshot["players"] = [
    { ...record.players[0], ...ctx.presence[0] },
    { ...record.players[1], ...ctx.presence[1] },
  ];
  const moves = table.moves.slice();
  const clocks = table.clockState(ctx.now);
  const ratings = ratingsView(table.ratings);
  // `you` differs per seat, so a snapshot is never shared between seats; its parts are.
  return perRecipient(false, (you) => ({
    gameId: record.id,
    kind: record.kind,
    timeControl: record.timeControl,
    mode: record.mode,
    status: table.status,
    players,
    you: you === null ? { role: "spectator", seat: null } : { role: "player", seat: you },
    seed: record.seed,
    moves,
    ply: table.ply,
    view: view(you),
    clocks,
    result: table.result,
    ...table.offers,
    spectators: ctx.spectators,
    heartbeat: ctx.heartbeat,
    rated: ratings !== null,
    ratings,
    botLevel: botLevelOf(record),
  }));
}

/** The full picture for one participant. */
export function snapshotOf(table: GameTable, you: Seat | null, ctx: SnapshotContext): GameSnapshot {
  return snapshotsOf(table, ctx)(you);
}

/** The message sent after a committed move, for each recipient: one object for all when the view is public. */
export function movedOf(table: GameTable, now: number): (you: Seat | null) => MovedMessage {
  const view = viewsOf(table);
  const clocks = table.clockState(now);
  return perRecipient(table.def.publicView === true, (you) => ({
    gameId: table.gameId,
    record: table.moves[table.moves.length - 1],
    ply: table.ply,
    view: view(you),
    clocks,
    status: table.status,
    result: table.result,
  }));
}

/** The level a bot plays this game at; null when no bot plays (a bot game older than levels: the default). */
function botLevelOf(record: Pick<GameRecord, "players" | "botLevel">): BotLevel | null {
  if (!record.players[0].isBot && !record.players[1].isBot) return null;
  return record.botLevel ?? DEFAULT_BOT_LEVEL;
}
