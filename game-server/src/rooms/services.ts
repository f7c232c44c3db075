/**
 * What rooms need from the rest of the node. Colyseus constructs rooms itself
 * (and, in a cluster, from options that must be plain JSON), so services are
 * handed over here once at start-up instead of through room options.
 */
import type { Config } from "../config.ts";
import type { GameRepository } from "../db/games.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { Logger } from "../log.ts";
import type { GameFactory } from "../game/factory.ts";
import type { OnlineTracker } from "../game/online.ts";
import type { Leases } from "../cluster/leases.ts";
import type { HostClock } from "../game/clock.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { AuditSink } from "../audit/writer.ts";
import type { PasswordGate } from "../privateGames/passwordGate.ts";
import type { ChatService } from "../chat/service.ts";
import type { BotMoves } from "../game/ports.ts";

export interface RoomServices {
  config: Config;
  games: GameRepository;
  tokens: TokenService;
  factory: GameFactory;
  online: OnlineTracker;
  leases: Leases;
  log: Logger;
  /** Time and timers of the live games (tests drive a fake one). */
  clock: HostClock;
  /** This node's metrics: rooms register themselves for the live-games and connections gauges. */
  metrics?: Metrics;
  /** The node's audit log: refused reservations, message floods and fenced-out writes are recorded there. */
  audit?: AuditSink;
  /** Whether `playerId` may reserve one more seat now (JOIN_RATE_PER_MIN, shared by the nodes); unset: no limit. */
  joinLimit?: (playerId: string) => Promise<boolean>;
  /** Checks and throttles private games' passwords (spectators' seat reservations), shared with the API. */
  passwords: PasswordGate;
  /** Chat (chat/service.ts): a game's two channels ride its room. Unset: chat messages are answered UNAVAILABLE. */
  chat?: ChatService;
  /** The bot players (bots/botMoves.ts: engines on worker threads). Unset: the shared built-in bot, inline. */
  bots?: BotMoves;
}

let services: RoomServices | undefined;

export function setRoomServices(s: RoomServices): void {
  services = s;
}

export function roomServices(): RoomServices {
  if (!services) throw new Error("room services are not set (setRoomServices must run before rooms are created)");
  return services;
}
