/**
 * What the table's plans return: a change to commit (then apply), or a
 * refusal with a code from the protocol's closed set. A plan changes nothing;
 * the host commits the change to the database and only then applies it.
 */
import type { ErrorCode, MoveRecord } from "@tabula/shared/protocol";
import type { GameKind } from "@tabula/shared/rules";
import type { ClockFields, Ending, Expected, GameMode, NewGame, Offers } from "./record.ts";

export type Refusal = { ok: false; code: ErrorCode; message: string };

export const refuse = (code: ErrorCode, message: string): Refusal => ({ ok: false, code, message });

/** A move that passed every check. Committing it also clears a pending draw offer. */
export interface MoveChange {
  ok: true;
  kind: "move";
  record: MoveRecord;
  rulesState: unknown;
  clocks: ClockFields;
  ending: Ending | null;
}

/** A result not made by a move: resignation, timeout, agreement, abort, abandonment. */
export interface EndChange {
  ok: true;
  kind: "end";
  ply: number;
  clocks: ClockFields;
  ending: Ending;
}

/** New offers (draw offered or declined, rematch offered, declined or created). */
export interface OffersChange {
  ok: true;
  kind: "offers";
  expected: Expected;
  offers: Offers;
  /** The rematch these offers record, created in the same write (GameTable.rematchCreated). */
  creates?: NewGame;
}

/** Restarted clocks of a game rebuilt after its node stopped (see GameTable.planResume). */
export interface ClocksChange {
  ok: true;
  kind: "clocks";
  ply: number;
  clocks: ClockFields;
}

/** Either a change to commit, or nothing to write. */
export type Change = MoveChange | EndChange | OffersChange | ClocksChange;

/** A rematch both sides want: make its row (HostDeps.newGame), then commit `GameTable.rematchCreated(row)`. */
export interface RematchRequest {
  ok: true;
  kind: "create-rematch";
  game: GameKind;
  timeControl: string;
  mode: GameMode;
  /** Seats of the new game: colours swapped. */
  playerIds: [string, string];
  rematchOfId: string;
  /** A rematch of a rated game is rated too. */
  rated: boolean;
}

/** Nothing to write; the sender just needs the current picture (e.g. a bot declined the draw at once). */
export interface Unchanged {
  ok: true;
  kind: "unchanged";
}
