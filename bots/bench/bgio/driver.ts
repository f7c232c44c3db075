/**
 * The light load generator for boardgame.io: the benchmark's driver process
 * (see ../types.ts), driving the server through boardgame.io's own client
 * (`boardgame.io/client` with the SocketIO transport), as its users do.
 *
 *   node bots/bench/bgio/driver.ts --server http://127.0.0.1:<port> --players 100 --duration 20000 --warmup 3000
 *
 * It sets up players/2 pairs (SETUP_CONCURRENCY at a time: create a match,
 * join both seats, start both clients; a pair plays as soon as it is set up),
 * then, once every pair is playing, warms up for --warmup ms and measures for
 * --duration ms, marking the window on stderr (`BENCH_WINDOW open` /
 * `BENCH_WINDOW close`). Think time 0: a player moves as soon as its client
 * shows its turn, in a random column that is not full, known by counting the
 * discs dropped per column (no rules replay). A move's round trip runs from
 * `client.moves.drop(column)` until the mover's client shows the state with
 * that move applied (the game's move runs on the server only, see game.ts).
 * When a match ends, its pair plays a new one (see pair.ts); that set-up time
 * is in no move figure. Progress goes to stderr; one DriverResult line to
 * stdout, plus `games` (matches finished in the window), `windowMs` and
 * `allMoves` (moves acknowledged in every phase, for check.ts).
 */
import { parseArgs } from "node:util";
import { type DriverResult, WINDOW_CLOSE, WINDOW_OPEN } from "../types.ts";
import { measuredWindow, setUpPairs } from "../driver/setup.ts";
import { Recorder } from "../driver/recorder.ts";
import { type Pair, startPair } from "./pair.ts";

/** Pairs being set up at the same time: enough to be quick, few enough not to be a burst test. */
const SETUP_CONCURRENCY = 16;
/** Setting up every pair may take at most this long, ms. */
const SETUP_TIMEOUT_MS = 60_000;

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
if (!/^http:\/\/(127\.|localhost)/.test(server)) fail(`--server must be a loopback http URL, got ${server}`);
if (!Number.isInteger(players) || players < 2 || players % 2) fail(`--players must be an even number ≥ 2, got ${values.players}`);
if (!(durationMs > 0) || !(warmupMs >= 0)) fail("--duration must be > 0 and --warmup ≥ 0 (ms)");

function fail(message: string): never {
  console.error(`bgio driver: ${message}`);
  process.exit(2);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
// What is counted, and when: the same recorder as the Colyseus and Tabula drivers (driver/recorder.ts).
const rec = new Recorder();

const pairCount = players / 2;
const pairs: Pair[] = [];
let lastMoves = 0;
const progress = setInterval(() => {
  const rate = (rec.allMoves - lastMoves) / 2;
  lastMoves = rec.allMoves;
  const errors = Object.entries(rec.errorKinds).map(([k, n]) => `${k}=${n}`);
  console.error(
    `bgio driver: ${rec.phase} · ${pairs.length}/${pairCount} pairs · ${rate.toFixed(0)} moves/s${errors.length ? ` · errors ${errors.join(" ")}` : ""}`,
  );
}, 2_000);

const { failures: setupFailures } = await setUpPairs({
  count: pairCount,
  concurrency: SETUP_CONCURRENCY,
  deadline: Date.now() + SETUP_TIMEOUT_MS,
  into: pairs,
  make: (i) => startPair(server, `p${i}`, rec),
  onError: (err, failures) => {
    rec.error("setup");
    if (failures <= 3) console.error(`bgio driver: a pair could not be set up: ${err.message}`);
  },
});
if (pairs.length === 0) fail(`no pair could be set up at ${server} (${setupFailures} failures)`);

rec.phase = "warmup";
await sleep(warmupMs);
rec.phase = "measured";
console.error(WINDOW_OPEN);
const windowMs = await measuredWindow(durationMs);
const connected = pairs.reduce((n, p) => n + p.connected(), 0);
rec.phase = "done";
console.error(WINDOW_CLOSE);
clearInterval(progress);
for (const p of pairs) p.stop();

const counted = rec.result(connected);
const result: DriverResult & { games: number; windowMs: number; allMoves: number } = {
  ...counted,
  games: counted.games ?? 0,
  windowMs: Math.round(windowMs),
  allMoves: rec.allMoves,
};
// Exit only once the line is written: a pipe takes 64 KB at a time, and exiting earlier cuts the JSON.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
