/** Options of `npm run bench` (bots/bench/bench.ts): parsing, defaults, usage. */
import { parseArgs } from "node:util";

/** Every system, in table order. */
export const SYSTEM_IDS = ["colyseus", "colyseus-rooms", "bgio-memory", "bgio-postgres", "tabula-1", "tabula-2"] as const;

export interface BenchOptions {
  systems: string[];
  /** Concurrency levels (players connected at once), ascending. */
  players: number[];
  warmupMs: number;
  durationMs: number;
  quick: boolean;
  /** Where the JSON goes (a folder: one file per run, named by its start time). */
  outDir: string;
  /** Where the SVG chart goes; "" for none. */
  chart: string;
  help: boolean;
}

/** Full run: three levels × five systems × (setup + 2 s + 8 s) ≈ 5 minutes on 2 cores. */
export const FULL = { players: [20, 100, 200], warmupMs: 2_000, durationMs: 8_000 };
/** `--quick`: one level, short windows, no chart: under a minute. */
export const QUICK = { players: [40], warmupMs: 1_000, durationMs: 3_000 };

export const USAGE = `Usage: npm run bench -- [options]

Runs each system at each concurrency level with the same light driver
(think time 0, Connect Four), side by side, and prints a table.

Options:
  --quick               one level (40 players), 1 s warm-up + 3 s measured: under a minute
  --systems a,b         systems to run (default: all): ${SYSTEM_IDS.join(", ")}
  --players 20,100,200  concurrency levels (players connected at once, 2 per game)
  --warmup S            warm-up before each measured window, seconds (default 2)
  --duration S          measured window, seconds (default 8)
  --out DIR             JSON results folder (default .artifacts/bench/)
  --chart FILE          SVG chart of throughput and p99 against players
                        (default docs/benchmarks/throughput.svg; not written with --quick unless given)
  -h, --help            this text

Exit codes: 0 done (timings never fail the run), 1 a system could not start or
every run failed, 2 bad options or a missing tool (redis-server, nginx).`;

export class UsageError extends Error {}

function list(v: string, what: string): number[] {
  const out = v.split(",").map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 2 || n > 10_000))
    throw new UsageError(`${what}: whole numbers from 2 to 10000, got "${v}"`);
  return [...new Set(out)].sort((a, b) => a - b);
}

function seconds(v: string, what: string, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > 60) throw new UsageError(`${what}: seconds from ${min} to 60, got "${v}"`);
  return Math.round(n * 1000);
}

/** Parse `argv` (without node and the script); throws UsageError for bad options. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const base = v.quick ? QUICK : FULL;
  const systems = v.systems ? v.systems.split(",").map((s) => s.trim()) : [...SYSTEM_IDS];
  const unknown = systems.filter((s) => !(SYSTEM_IDS as readonly string[]).includes(s));
  if (unknown.length) throw new UsageError(`--systems: unknown ${unknown.join(", ")} (known: ${SYSTEM_IDS.join(", ")})`);
  return {
    systems: SYSTEM_IDS.filter((id) => systems.includes(id)),
    players: v.players ? list(v.players, "--players") : base.players,
    warmupMs: v.warmup !== undefined ? seconds(v.warmup, "--warmup", 0) : base.warmupMs,
    durationMs: v.duration !== undefined ? seconds(v.duration, "--duration", 1) : base.durationMs,
    quick: Boolean(v.quick),
    outDir: v.out ?? ".artifacts/bench",
    chart: v.chart ?? (v.quick ? "" : "docs/benchmarks/throughput.svg"),
    help: Boolean(v.help),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean" },
      systems: { type: "string" },
      players: { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      out: { type: "string" },
      chart: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}
