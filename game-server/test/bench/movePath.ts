/**
 * CPU per move of the node's own move path, in process, without sockets or a
 * database: the protocol check the room does (zod), the host's plan → commit
 * → apply with an in-memory store that commits at once, the views, and the
 * room's fan-out encoding frames for two players (and spectators) whose
 * sockets discard them. What it leaves out — syscalls, the WebSocket and
 * PostgreSQL drivers — is measured end to end (docs/performance.md).
 *
 *   node game-server/test/bench/movePath.ts [--games N] [--spectators N]
 *
 * Prints µs of CPU (process.cpuUsage, user + system) per move. A benchmark: it reports, it never fails.
 */
import { parseArgs } from "node:util";
import { ClientMessages } from "@tabula/shared/protocol";
import { chooseBotMove, connect4, createRng, type Seat } from "@tabula/shared/rules";
import { pino } from "pino";
import { systemClock } from "../../src/game/clock.ts";
import { GameHost, type HostStorage, type Outbox } from "../../src/game/host.ts";
import type { GameRecord } from "../../src/game/record.ts";
import { fanOut } from "../../src/rooms/fanout.ts";
import { newRecord } from "../support/records.ts";

const { values } = parseArgs({
  options: { games: { type: "string", default: "2000" }, spectators: { type: "string", default: "0" } },
});
const GAMES = Number(values.games);
const SPECTATORS = Number(values.spectators);

/** Whole games of Connect Four, chosen by the shared bot before the clock starts. */
function gameMoves(n: number): string[][] {
  const games: string[][] = [];
  for (let g = 0; g < n; g++) {
    let state = connect4.setup(`bench-${g}`);
    const moves: string[] = [];
    for (let seat = connect4.toMove(state); seat !== null; seat = connect4.toMove(state)) {
      const move = chooseBotMove(connect4, state, seat, createRng(`bench-${g}-${moves.length}`));
      const next = connect4.apply(state, move, seat);
      if (!next.ok) throw new Error(next.error.message);
      moves.push(move);
      state = next.state;
    }
    games.push(moves);
  }
  return games;
}

/** A store that accepts every write at once (the database is measured elsewhere). */
const storage = (record: GameRecord): HostStorage => ({
  load: async () => record,
  commitMove: async () => true,
  finishGame: async () => true,
  saveOffers: async () => true,
  createRematch: async () => true,
  resumeGame: async () => true,
  endRated: async () => null,
});

class Socket {
  frames = 0;
  bytes = 0;
  readonly seat: Seat | null;
  constructor(seat: Seat | null) {
    this.seat = seat;
  }
  enqueueRaw(frame: Uint8Array) {
    this.frames++;
    this.bytes += frame.byteLength;
  }
}

const sockets = [new Socket(0), new Socket(1), ...Array.from({ length: SPECTATORS }, () => new Socket(null))];
const outbox: Outbox<Socket> = {
  send: () => {},
  sendEach: (type, body) => fanOut(sockets, (s) => s.seat, type, body),
  spectators: () => SPECTATORS,
  gameOver: () => {},
  relinquish: () => {},
};
const settings = {
  firstMoveTimeoutMs: 30_000,
  reconnectWindowMs: 60_000,
  botThinkScale: 1,
  heartbeat: { intervalMs: 1000, timeoutMs: 1500 },
};
const log = pino({ level: "info" }, { write: () => {} });

async function play(id: number, moves: string[]): Promise<void> {
  const record = {
    ...newRecord("connect4", { id: `g${id}`, seed: `bench-${id}` }),
    clocks: { clock0Ms: 60_000, clock1Ms: 60_000, turnStartedAt: Date.now(), deadlineAt: Date.now() + 30_000 },
  };
  const deps = {
    storage: storage(record),
    outbox,
    clock: systemClock,
    random: Math.random,
    newGame: () => {
      throw new Error("no rematch in this benchmark");
    },
    hostGame: async () => {},
    log,
    settings,
  };
  const host = await GameHost.open(record, deps, false);
  if (!host) throw new Error("not hostable");
  for (let ply = 0; ply < moves.length; ply++) {
    const parsed = ClientMessages.move.safeParse({ ply, move: moves[ply] });
    if (!parsed.success) throw new Error("bad move");
    await host.receive(sockets[ply % 2], (ply % 2) as Seat, { type: "move", ...parsed.data });
  }
  if (host.state.isActive) throw new Error(`game ${id} did not end`);
  host.close();
}

const games = gameMoves(GAMES);
const total = games.reduce((n, g) => n + g.length, 0);
for (let g = 0; g < Math.min(200, GAMES); g++) await play(g, games[g]); // warm up the JIT
for (const s of sockets) s.frames = s.bytes = 0;
const before = process.cpuUsage();
for (let g = 0; g < GAMES; g++) await play(g, games[g]);
const used = process.cpuUsage(before);
const us = (used.user + used.system) / total;
const frames = sockets.reduce((n, s) => n + s.frames, 0);
console.log(
  `move path: ${total} moves in ${GAMES} games, ${sockets.length} sockets: ${us.toFixed(1)} µs CPU per move ` +
    `(${(frames / total).toFixed(2)} frames, ${(sockets.reduce((n, s) => n + s.bytes, 0) / total).toFixed(0)} bytes sent per move)`,
);
