/**
 * What a participant is sent: the table as one seat (or a spectator) may see
 * it. Pure: time, presence and the spectator count are passed in.
 */
import type { GameSnapshot, Heartbeat, MovedMessage, PlayerInfo } from "@tabula/shared/protocol";
import type { Seat } from "@tabula/shared/rules";
import type { GameTable } from "./table.ts";

export type SeatPresence = Pick<PlayerInfo, "connected" | "reconnectDeadline">;

/** Everything around the table a snapshot also carries. */
export interface SnapshotContext {
  now: number;
  presence: [SeatPresence, SeatPresence];
  spectators: number;
  heartbeat: Heartbeat;
}

/** Everything a participant (`you`: a seat, or null for a spectator) needs to draw the game. */
export function snapshotOf(table: GameTable, you: Seat | null, ctx: SnapshotContext): GameSnapshot {
  const { record } = table;
  return {
    gameId: record.id,
    kind: record.kind,
    timeControl: record.timeControl,
    mode: record.mode,
    status: table.status,
    players: [
      { ...record.players[0], ...ctx.presence[0] },
      { ...record.players[1], ...ctx.presence[1] },
    ],
    you: you === null ? { role: "spectator", seat: null } : { role: "player", seat: you },
    seed: record.seed,
    moves: table.moves.slice(),
    ply: table.ply,
    view: table.def.view(table.rulesState, you),
    clocks: table.clockState(ctx.now),
    result: table.result,
    ...table.offers,
    spectators: ctx.spectators,
    heartbeat: ctx.heartbeat,
  };
}

/** The message sent after a committed move, as `you` sees it. */
export function movedOf(table: GameTable, you: Seat | null, now: number): MovedMessage {
  return {
    gameId: table.gameId,
    record: table.moves[table.moves.length - 1],
    ply: table.ply,
    view: table.def.view(table.rulesState, you),
    clocks: table.clockState(now),
    status: table.status,
    result: table.result,
  };
}
