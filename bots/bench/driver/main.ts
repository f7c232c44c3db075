/**
 * The light load generator of `npm run bench`, one process per run so that
 * its CPU is measured apart from the servers':
 *
 *   node bots/bench/driver/main.ts --protocol colyseus|colyseus-rooms|tabula --url URL \
 *        --players N --warmup-ms MS --duration-ms MS
 *
 * It sets up N/2 pairs (a pair plays as soon as it is ready: at most
 * SETUP_CONCURRENCY pairs are being set up at once), then, once every pair is
 * playing, warms up for --warmup-ms and measures for --duration-ms. Think time
 * is 0: a player sends its move as soon as it sees it is its turn. Progress
 * goes to stderr, with the marker lines `BENCH_WINDOW open` and
 * `BENCH_WINDOW close` (the runner samples CPU and counts rows at them), and
 * the DriverResult goes to stdout as one JSON line. Exit 1 (with the reason
 * on stderr) when not a single pair could be set up.
 */
import { parseArgs } from "node:util";
import { WINDOW_CLOSE, WINDOW_OPEN } from "../types.ts";
import { plainPair } from "./plain.ts";
import { Recorder } from "./recorder.ts";
import { measuredWindow, setUpPairs } from "./setup.ts";
import { type Pair, tabulaPair } from "./tabula.ts";

/** Pairs being set up at the same time (HTTP + joins): enough to be quick, few enough not to be a burst test. */
const SETUP_CONCURRENCY = 16;
/** Setting up every pair may take at most this long, ms. */
const SETUP_TIMEOUT_MS = 60_000;

const { values } = parseArgs({
  options: {
    protocol: { type: "string" },
    url: { type: "string" },
    players: { type: "string", default: "20" },
    "warmup-ms": { type: "string", default: "2000" },
    "duration-ms": { type: "string", default: "10000" },
  },
});
const protocol = values.protocol;
const url = values.url ?? "";
const players = Number(values.players);
const warmupMs = Number(values["warmup-ms"]);
const durationMs = Number(values["duration-ms"]);
const PROTOCOLS = ["colyseus", "colyseus-rooms", "tabula"];
if (!PROTOCOLS.includes(protocol ?? "") || !/^http:\/\/(127\.|localhost)/.test(url)) {
  fail(
    "usage: --protocol colyseus|colyseus-rooms|tabula --url http://127.0.0.1:PORT (loopback only) [--players N] [--warmup-ms] [--duration-ms]",
  );
}
if (!(players >= 2 && warmupMs >= 0 && durationMs > 0)) fail("--players ≥ 2, --warmup-ms ≥ 0, --duration-ms > 0");

function fail(message: string): never {
  process.stderr.write(`driver: ${message}\n`);
  process.exit(1);
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const rec = new Recorder();
// colyseus: the next game in the same room; colyseus-rooms: a new room per game.
const makePair = protocol === "tabula" ? tabulaPair : (u: string, r: Recorder) => plainPair(u, r, protocol === "colyseus-rooms");
const pairCount = Math.floor(players / 2);
const pairs: Pair[] = [];

// Progress every 2 s: phase, moves acknowledged (all phases), recent rate.
let lastMoves = 0;
const progress = setInterval(() => {
  const rate = (rec.allMoves - lastMoves) / 2;
  lastMoves = rec.allMoves;
  const errs = Object.entries(rec.errorKinds).map(([k, v]) => `${k}=${v}`);
  say(
    `driver: ${rec.phase} · ${pairs.length}/${pairCount} pairs · ${rate.toFixed(0)} moves/s${errs.length ? ` · errors ${errs.join(" ")}` : ""}`,
  );
}, 2_000);

const { failures: setupFailures } = await setUpPairs({
  count: pairCount,
  concurrency: SETUP_CONCURRENCY,
  deadline: Date.now() + SETUP_TIMEOUT_MS,
  into: pairs,
  make: () => makePair(url, rec),
  onError: (err, failures) => {
    rec.error(`setup_${(err as { code?: number }).code ?? err.message.split(" ")[0]}`);
    if (failures <= 3) say(`driver: a pair could not be set up: ${err.message}`);
  },
});
if (pairs.length === 0) fail(`no pair could be set up at ${url} (${setupFailures} failures; see above)`);

rec.phase = "warmup";
await sleep(warmupMs);
rec.phase = "measured";
say(WINDOW_OPEN);
const windowMs = await measuredWindow(durationMs);
const connected = pairs.reduce((n, p) => n + p.connected(), 0);
rec.phase = "done";
say(WINDOW_CLOSE);
clearInterval(progress);

await Promise.race([Promise.all(pairs.map((p) => p.finish())), sleep(5_000)]);
// Exit once the line is written: a large result on a pipe is written in parts, and exit() would cut it.
process.stdout.write(`${JSON.stringify({ ...rec.result(connected), windowMs: Math.round(windowMs) })}\n`, () => process.exit(0));
