/**
 * What a room gives its GameHost (game/ports.ts HostDeps): the node's
 * repository, clock and game factory, the room's outbox and logger, and the
 * settings of a live game, taken from the node's configuration.
 */
import { heartbeatFor } from "../config.ts";
import type { RematchRequest } from "../game/changes.ts";
import type { HostDeps, Outbox } from "../game/host.ts";
import type { Logger } from "../log.ts";
import type { RoomServices } from "./services.ts";

export function hostDepsFor<C>(s: RoomServices, outbox: Outbox<C>, log: Logger): HostDeps<C> {
  const { config, games, factory } = s;
  return {
    storage: games,
    outbox,
    clock: s.clock, // the host clears its timers when the room is disposed (host.close)
    random: Math.random,
    bots: s.bots,
    // A rematch keeps the colours it was agreed with (the table swapped them).
    newGame: (r: RematchRequest) =>
      factory.prepare({
        game: r.game,
        timeControl: r.timeControl,
        mode: r.mode,
        playerIds: r.playerIds,
        seatsFixed: true,
        rematchOfId: r.rematchOfId,
        rated: r.rated,
      }),
    hostGame: (gameId: string) => factory.host(gameId),
    log,
    metrics: s.metrics,
    audit: s.audit,
    settings: {
      firstMoveTimeoutMs: config.firstMoveTimeoutMs,
      reconnectWindowMs: config.reconnectWindowMs,
      botThinkScale: config.botThinkScale,
      heartbeat: heartbeatFor(config.nodeAliveTtlMs),
    },
  };
}
