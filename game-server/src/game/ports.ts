/**
 * What a GameHost is given (storage, outbox, clock, randomness, settings) and
 * what it is told (player actions): the ports between the authority and the
 * rest of the node. db/games.ts implements the storage, rooms/GameRoom.ts the
 * outbox.
 */
import type { ClientMessage, Heartbeat, MoveRecord, ServerMessages } from "@tabula/shared/protocol";
import type { BotLevel, GameDefinition, Seat } from "@tabula/shared/rules";
import type { AuditSink } from "../audit/kinds.ts";
import type { Logger } from "../log.ts";
import type { RatedEndingWrite } from "../db/ratedEnding.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { StoredChange } from "../ratings/seats.ts";
import type { RematchRequest } from "./changes.ts";
import type { HostClock } from "./clock.ts";
import type { ClockFields, Ending, Expected, GameRecord, NewGame, Offers } from "./record.ts";

/** What the host needs from the repository (db/games.ts implements it). Each write returns false when it changed nothing. */
export interface HostStorage {
  load(gameId: string): Promise<GameRecord | null>;
  commitMove(fence: bigint, gameId: string, move: MoveRecord, clocks: ClockFields, ending: Ending | null): Promise<boolean>;
  finishGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields, ending: Ending): Promise<boolean>;
  saveOffers(fence: bigint, gameId: string, expected: Expected, offers: Offers): Promise<boolean>;
  /** `saveOffers` and the insert of the rematch `game` they record, in one write: both or neither. */
  createRematch(fence: bigint, gameId: string, expected: Expected, offers: Offers, game: NewGame): Promise<boolean>;
  resumeGame(fence: bigint, gameId: string, ply: number, clocks: ClockFields): Promise<boolean>;
  /**
   * End a rated game (its final move, or a result at `w.ply`) and rate both players, in one transaction.
   * Resolves with each seat's change, or null when the ending's guard failed (nothing written).
   */
  endRated(w: RatedEndingWrite): Promise<[StoredChange, StoredChange] | null>;
}

/** Who gets what. `C` is the transport's handle of one participant. */
export interface Outbox<C> {
  send<K extends keyof ServerMessages>(to: C, type: K, body: ServerMessages[K]): void;
  /**
   * Every connected participant gets `body(seat)`: its own seat, or null for a spectator; one whose
   * body is undefined gets nothing. `body` may return the same object for several seats (a public
   * view): such a body is encoded once.
   */
  sendEach<K extends keyof ServerMessages>(type: K, body: (you: Seat | null) => ServerMessages[K] | undefined): void;
  /** Spectators watching now. */
  spectators(): number;
  /** The game ended: give up ownership, update the listing, close once everyone has left. */
  gameOver(): void;
  /** Another node owns the game now (or this one is stopping): send everyone there, write nothing more. */
  relinquish(reason: string): void;
}

export interface HostSettings {
  /** First-move deadline, ms. */
  firstMoveTimeoutMs: number;
  /**
   * How long an empty seat is held before the opponent may claim the win by abandonment, ms; the game
   * ends by itself one more window later if nobody claimed (presence.ts).
   */
  reconnectWindowMs: number;
  /** BOT_THINK_SCALE: multiplies the bot's human-like think time (bots/thinkTime.ts); 0 moves at once. */
  botThinkScale: number;
  /** Sent in every snapshot. */
  heartbeat: Heartbeat;
}

export interface HostDeps<C> {
  storage: HostStorage;
  outbox: Outbox<C>;
  clock: HostClock;
  /** Uniform in [0, 1): the bot's think time (rules randomness is seeded, never this). */
  random: () => number;
  /** The bot players (bots/botMoves.ts: engines on worker threads). Unset: the shared built-in bot, inline. */
  bots?: BotMoves;
  /** The row of an agreed rematch (the game factory: id, seed, clocks); nothing is written yet. */
  newGame: (req: RematchRequest) => NewGame;
  /** Build the room of a created game (the game factory); rejects when it cannot be built here. */
  hostGame: (gameId: string) => Promise<void>;
  log: Logger;
  settings: HostSettings;
  /** Move handling time, fenced-out writes and refusals are counted here (optional). */
  metrics?: Pick<Metrics, "moveHandlingSeconds" | "fencedWrites" | "refusedMessages">;
  /** Where a fenced-out write is recorded (optional; audit/). */
  audit?: AuditSink;
}

/** A player's action, validated against the protocol (the room's job). */
export type PlayerAction =
  | ({ type: "move" } & ClientMessage<"move">)
  | { type: "resign" }
  | { type: "abort" }
  | ({ type: "draw" } & ClientMessage<"draw">)
  | ({ type: "rematch" } & ClientMessage<"rematch">)
  | { type: "claimWin" };

/** One bot move to choose. */
export interface BotMoveRequest {
  def: GameDefinition<unknown>;
  state: unknown;
  seat: Seat;
  level: BotLevel;
  /** Seeds the move's randomness (the game's seed and the ply). */
  seed: string;
  /** The longest the engine should think, ms (the clock's share; the level may use less). */
  budgetMs: number;
}

/** Where a bot's moves come from (bots/botMoves.ts). */
export interface BotMoves {
  /** A legal move for `req.seat`; never rejects for an engine's failure (it falls back to the built-in policy). */
  choose(req: BotMoveRequest): Promise<string>;
}
