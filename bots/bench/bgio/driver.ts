/**
 * The light load generator for boardgame.io: the benchmark's driver process
 * (see ../types.ts), driving the server through boardgame.io's own client
 * (`boardgame.io/client` with the SocketIO transport), as its users do.
 *
 *   node bots/bench/bgio/driver.ts --server http://127.0.0.1:<port> --players 100 --duration 20000 --warmup 3000
 *
 * `--players` players in players/2 matches, think time 0: a player moves as
 * soon as its client shows its turn, in a random column that is not full, known
 * by counting the discs dropped per column (no rules replay). A move's round
 * trip runs from `client.moves.drop(column)` until the mover's client shows the
 * state with that move applied (the game's move runs on the server only, see
 * game.ts). When a match ends, its pair creates another through the lobby API
 * (create + two joins) and connects two new clients, one WebSocket each; that
 * time is in no move figure. A move unanswered for 10 s is an error and its
 * match is abandoned. Progress goes to stderr; one DriverResult line to stdout.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import type { Connect4State } from "@tabula/shared/rules";
import type { DriverResult } from "../types.ts";
import { Connect4Game, DROP, GAME_NAME } from "./game.ts";

const require = createRequire(import.meta.url);
const { Client, LobbyClient } = require("boardgame.io/client") as typeof import("boardgame.io/client");
const { SocketIO } = require("boardgame.io/multiplayer") as typeof import("boardgame.io/multiplayer");

/** A move (or a match's start) with no answer for this long is an error, ms. */
const MOVE_TIMEOUT_MS = 10_000;
const COLUMNS = 7;
const ROWS = 6;

const { values } = parseArgs({
  options: {
    server: { type: "string" },
    players: { type: "string", default: "100" },
    duration: { type: "string", default: "20000" },
    warmup: { type: "string", default: "3000" },
  },
});
const server = values.server ?? fail("--server <http url> is required");
const players = Number(values.players);
const durationMs = Number(values.duration);
const warmupMs = Number(values.warmup);
if (!Number.isInteger(players) || players < 2 || players % 2) fail(`--players must be an even number ≥ 2, got ${values.players}`);
if (!(durationMs > 0) || !(warmupMs >= 0)) fail("--duration must be > 0 and --warmup ≥ 0 (ms)");

function fail(message: string): never {
  console.error(`bgio driver: ${message}`);
  process.exit(2);
}

const lobby = new LobbyClient({ server });
const started = performance.now();
const windowStart = started + warmupMs;
const windowEnd = windowStart + durationMs;
const inWindow = (t: number) => t >= windowStart && t < windowEnd;
const result: DriverResult = { moves: 0, errors: 0, rttMs: [], connected: 0 };
let stopping = false;
let lastError = "";
/** Every client of a match in play, to count the connected ones when the window closes. */
const live = new Set<ReturnType<typeof Client>>();

function error(why: string): void {
  lastError = why;
  if (inWindow(performance.now())) result.errors++;
}

/**
 * One seat of one match: moves whenever its client shows its turn, and
 * resolves when the client shows the game over (false: it timed out or the
 * driver is stopping).
 */
function playSeat(client: ReturnType<typeof Client>, playerID: string): Promise<boolean> {
  const heights = new Array<number>(COLUMNS).fill(0);
  let seen = 0; // moves of G.moves already counted into heights
  let pending: { ply: number; at: number } | null = null;
  let lastProgress = performance.now();
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearInterval(watchdog);
      unsubscribe();
      resolve(ok);
    };
    const watchdog = setInterval(() => {
      if (stopping) finish(false);
      else if (performance.now() - lastProgress > MOVE_TIMEOUT_MS) {
        const state = client.getState();
        const where = state
          ? `ply ${(state.G as Connect4State).moves.length}, ${state.isConnected ? "connected" : "disconnected"}`
          : "no state yet";
        error(pending ? `move timed out (${where})` : `match made no progress (player ${playerID}: ${where})`);
        finish(false);
      }
    }, 250);
    const unsubscribe = client.subscribe((state) => {
      if (!state) return;
      const G = state.G as Connect4State;
      if (G.moves.length > seen) {
        lastProgress = performance.now();
        for (const m of G.moves.slice(seen)) heights[Number(m)]++;
        seen = G.moves.length;
      }
      if (pending && G.moves.length > pending.ply) {
        const now = performance.now();
        if (inWindow(now)) {
          result.moves++;
          result.rttMs.push(Math.round((now - pending.at) * 100) / 100);
        }
        pending = null;
      }
      if (state.ctx.gameover !== undefined) return finish(true);
      if (pending || stopping || state.ctx.currentPlayer !== playerID) return;
      const open: number[] = [];
      for (let c = 0; c < COLUMNS; c++) if (heights[c] < ROWS) open.push(c);
      const column = open[Math.floor(Math.random() * open.length)];
      pending = { ply: G.moves.length, at: performance.now() };
      lastProgress = pending.at;
      client.moves[DROP](String(column));
    });
  });
}

/** One pair of players: match after match until the driver stops. */
async function playPair(pair: number): Promise<void> {
  while (!stopping) {
    const clients: ReturnType<typeof Client>[] = [];
    try {
      const { matchID } = await lobby.createMatch(GAME_NAME, { numPlayers: 2 });
      // One join after the other: the lobby's join is a read-modify-write of the match's metadata, and with an
      // asynchronous store (bgio-postgres) two joins at once can each overwrite the other's credentials.
      const seats = [];
      for (const playerID of ["0", "1"]) {
        seats.push(await lobby.joinMatch(GAME_NAME, matchID, { playerID, playerName: `p${pair}-${playerID}` }));
      }
      for (const { playerID, playerCredentials } of seats) {
        const client = Client({
          game: Connect4Game,
          numPlayers: 2,
          matchID,
          playerID,
          credentials: playerCredentials,
          // One WebSocket per player (socket.io would otherwise share one connection per server among all clients).
          multiplayer: SocketIO({ server, socketOpts: { transports: ["websocket"], forceNew: true, reconnection: false } }),
        });
        clients.push(client);
      }
      const games = clients.map((client, seat) => playSeat(client, String(seat)));
      for (const client of clients) {
        live.add(client);
        client.start();
      }
      await Promise.all(games);
    } catch (err) {
      error(`match set-up failed: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200)); // do not spin on a server that refuses
    } finally {
      for (const client of clients) {
        live.delete(client);
        client.stop();
      }
    }
  }
}

const progress = setInterval(() => {
  const t = performance.now();
  const phase = t < windowStart ? "warm-up" : "measuring";
  console.error(
    `bgio driver: ${phase}, ${result.moves} moves, ${result.errors} errors${lastError ? ` (last: ${lastError})` : ""}`,
  );
}, 5_000);

const pairs = Array.from({ length: players / 2 }, (_, i) => playPair(i));
await new Promise((r) => setTimeout(r, windowEnd - performance.now()));
result.connected = [...live].filter((c) => c.getState()?.isConnected).length;
stopping = true;
clearInterval(progress);
await Promise.race([Promise.all(pairs), new Promise((r) => setTimeout(r, 2_000))]);
// Exit only once the line is written: a pipe takes 64 KB at a time, and exiting earlier cuts the JSON.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
