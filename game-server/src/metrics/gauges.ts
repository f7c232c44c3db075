/**
 * Gauges read at scrape time from what the node already holds: its rooms (live
 * games by kind, connected players and spectators) and the matchmaking queues.
 * Nothing is counted up and down as rooms come and go, so the figures cannot
 * drift from the truth.
 */
import { GAMES } from "@tabula/shared/rules";
import { Gauge, type Registry } from "prom-client";

/** What a hosted room tells the gauges (rooms/GameRoom.ts implements it). */
export interface LiveRoom {
  gauge(): { kind: string; active: boolean; players: number; spectators: number };
}

/** Quick-play tickets waiting, per queue (the matchmaker's `queued`). */
export type QueueSource = () => Promise<Array<{ game: string; timeControl: string; waiting: number }>>;

/** Register the scrape-time gauges in `registry`. */
export function roomGauges(registry: Registry, rooms: ReadonlySet<LiveRoom>, queues: () => QueueSource | undefined): void {
  const registers = [registry];
  new Gauge({
    name: "tabula_games_live",
    help: "Live (active) games hosted on this node, by game kind",
    labelNames: ["kind"],
    registers,
    collect() {
      const byKind = new Map<string, number>(Object.keys(GAMES).map((k) => [k, 0]));
      for (const r of rooms) {
        const g = r.gauge();
        if (g.active) byKind.set(g.kind, (byKind.get(g.kind) ?? 0) + 1);
      }
      for (const [kind, n] of byKind) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: "tabula_connections",
    help: "WebSocket connections to this node's game rooms, by role (player, spectator)",
    labelNames: ["role"],
    registers,
    collect() {
      let players = 0;
      let spectators = 0;
      for (const r of rooms) {
        const g = r.gauge();
        players += g.players;
        spectators += g.spectators;
      }
      this.set({ role: "player" }, players);
      this.set({ role: "spectator" }, spectators);
    },
  });
  new Gauge({
    name: "tabula_matchmaking_queue_length",
    help: "Quick-play tickets waiting to be paired, by queue (cluster-wide with Redis: every node reports the same figure)",
    labelNames: ["game", "time_control"],
    registers,
    async collect() {
      const source = queues();
      if (!source) return;
      this.reset();
      try {
        for (const q of await source()) this.set({ game: q.game, time_control: q.timeControl }, q.waiting);
      } catch {
        // Redis down: no figure this scrape (the gap is the signal; tabula_redis_errors_total says why)
      }
    },
  });
}
