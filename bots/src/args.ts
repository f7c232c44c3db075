/**
 * Command line of the bot-players stress script: parsing, validation and the
 * `--help` text. Pure (no I/O): main.ts prints the errors and exits with 2.
 */
import { type ParseArgsConfig, parseArgs as parseArgv } from "node:util";
import { findTimeControl, GAMES, type GameKind } from "@tabula/shared/rules";

export type GameChoice = GameKind | "mix";

export interface BotsConfig {
  /** Server base URL without a trailing slash, e.g. http://localhost:8080 */
  url: string;
  /** Total bots (players + spectators). */
  bots: number;
  game: GameChoice;
  /** Time control per game; a game missing here uses its default (the first of its list). */
  timeControl: Partial<Record<GameKind, string>>;
  /** Length of the run phase, ms. A grace period (at most GRACE_MS) follows. */
  durationMs: number;
  /** Think time before each move, ms: drawn uniformly in [min, max]. */
  thinkMs: [number, number];
  /** Share of the bots (0..1) that spectate instead of playing. */
  spectatorShare: number;
  /** Worker processes the bots are spread over. */
  procs: number;
  /** Path of the JSON report. */
  out: string;
  /** Exit with 1 when errors / (moves + joins) exceeds this. */
  maxErrorRate: number;
  /** Exit with 1 when the error count exceeds this (null: no limit). */
  maxErrors: number | null;
  /** Allow a URL whose host is not the loopback interface. */
  allowRemote: boolean;
  /** Let the SDK's own console chatter (reconnection notices) through. */
  verbose: boolean;
}

export const MAX_BOTS = 5000;
export const MAX_PROCS = 64;
/** Longest accepted --duration. */
export const MAX_DURATION_MS = 24 * 3600_000;
/** Longest accepted think time. */
export const MAX_THINK_MS = 60_000;
/** After the run phase, bots finish or resign their games and disconnect within this. */
export const GRACE_MS = 15_000;

export const DEFAULTS = {
  url: "http://localhost:8080",
  bots: 20,
  game: "connect4" as GameChoice,
  duration: "60s",
  think: "300ms-900ms",
  spectators: "10%",
  procs: 1,
  out: "bots-report.json",
  maxErrorRate: 0.01,
};

export const USAGE = `Usage: npm run bots -- [options]
       node bots/src/main.ts [options]

Bot players for load tests: guests that quick-play, play legal moves chosen by
the shared rules, accept/offer rematches, and spectate live games, through the
public protocol only. Prints progress every 2 s, then a report (table + JSON).
(\`npm run bots -- --bot-vs-bot --help\`: the built-in bots' levels against each other.)

Options:
  --url URL              server base URL (default ${DEFAULTS.url})
  --bots N               number of bots, 1..${MAX_BOTS} (default ${DEFAULTS.bots})
  --game G               connect4 | chess | mix (mix: half each; default ${DEFAULTS.game})
  --time-control TC      a time control id such as 3+2 (must exist for every game
                         played), or per game: connect4=3+5,chess=5+3
                         (default: each game's default: connect4 1+5, chess 3+2)
  --duration D           run phase: 500ms, 60s, 2m, 1h (default ${DEFAULTS.duration}, max 24h);
                         then bots finish or resign their games within a
                         grace period of at most ${GRACE_MS / 1000} s and disconnect
  --think T              think time before each move: 200ms, or a range
                         100ms-400ms (default ${DEFAULTS.think}, max 60s)
  --spectators S         share of the bots that watch live games instead of
                         playing: 10% or 0.1 (default ${DEFAULTS.spectators})
  --procs N              spread the bots over N worker processes (default ${DEFAULTS.procs})
  --out FILE             JSON report path (default ${DEFAULTS.out})
  --max-error-rate R     exit 1 if errors / (moves + joins) > R (default ${DEFAULTS.maxErrorRate})
  --max-errors N         exit 1 if errors > N (default: no limit)
  --allow-remote         allow a server that is not on this machine (refused
                         by default: load tests target loopback only)
  --verbose              show the SDK's own console messages (reconnections)
  -h, --help             this text

Exit codes: 0 ok, 1 error threshold exceeded, 2 bad arguments,
            3 server unreachable.

Example:
  npm run bots -- --url http://localhost:8080 --bots 200 --game connect4 --duration 60s
`;

export class ArgsError extends Error {}

export type ParsedArgs = { help: true } | { help: false; config: BotsConfig };

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000 };

/** "500ms", "60s", "2m", "1.5h", "0" → milliseconds. A unit is required except for 0. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new ArgsError(`${what}: "${text}" is not a duration (examples: 500ms, 60s, 2m)`);
  const n = Number(m[1]);
  if (m[2] === undefined) {
    if (n === 0) return 0;
    throw new ArgsError(`${what}: "${text}" needs a unit: ms, s, m or h (e.g. ${text}s)`);
  }
  return Math.round(n * UNITS[m[2]]!);
}

/** "200ms" → [200, 200]; "100ms-400ms" → [100, 400]. */
export function parseThink(text: string): [number, number] {
  const parts = text.split("-");
  if (parts.length > 2 || parts.some((p) => p.trim() === ""))
    throw new ArgsError(`--think: "${text}" must be a duration (200ms) or a range (100ms-400ms)`);
  const min = parseDuration(parts[0]!, "--think");
  const max = parts.length === 2 ? parseDuration(parts[1]!, "--think") : min;
  if (min > max) throw new ArgsError(`--think: the range ${text} goes backwards (min > max)`);
  if (max > MAX_THINK_MS) throw new ArgsError(`--think: at most ${MAX_THINK_MS / 1000}s`);
  return [min, max];
}

/** "10%" or "0.1" → 0.1 */
export function parseShare(text: string, what: string): number {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  const value = pct ? Number(pct[1]) / 100 : /^\d+(?:\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isFinite(value)) throw new ArgsError(`${what}: "${text}" must be a percentage (10%) or a fraction (0.1)`);
  if (value < 0 || value > 1) throw new ArgsError(`${what}: "${text}" must be between 0% and 100%`);
  return value;
}

function parseInteger(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new ArgsError(`${what}: "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new ArgsError(`${what}: ${n} is out of range ${min}..${max}`);
  return n;
}

/** Whether `hostname` (as URL.hostname gives it) is this machine's loopback interface. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  // IPv4-mapped IPv6 loopback as Node's URL normalises it (::ffff:127.0.0.1 → ::ffff:7f00:1).
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)) return true;
  return false;
}

export function parseUrl(text: string, allowRemote: boolean): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ArgsError(`--url: "${text}" is not a URL (example: http://localhost:8080)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new ArgsError(`--url: use an http:// or https:// URL, not ${u.protocol}//`);
  if (u.search || u.hash) throw new ArgsError(`--url: no query string or fragment, just the server's base URL`);
  if (!allowRemote && !isLoopbackHost(u.hostname)) {
    throw new ArgsError(
      `--url: ${u.hostname} is not this machine. Load tests must target this machine only ` +
        `(localhost, 127.x.x.x, ::1); pass --allow-remote if you really mean to load another host.`,
    );
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}

/** "3+2" (for every game played) or "connect4=3+5,chess=5+3". */
export function parseTimeControl(text: string, games: GameKind[]): Partial<Record<GameKind, string>> {
  const out: Partial<Record<GameKind, string>> = {};
  const t = text.trim();
  if (t.includes("=")) {
    for (const part of t.split(",")) {
      const [kind, id, ...rest] = part.split("=").map((s) => s.trim());
      if (!kind || !id || rest.length) throw new ArgsError(`--time-control: "${part}" should look like connect4=3+5`);
      if (!Object.hasOwn(GAMES, kind)) throw new ArgsError(`--time-control: unknown game "${kind}" (connect4 or chess)`);
      out[kind as GameKind] = id;
    }
  } else {
    for (const g of games) out[g] = t;
  }
  for (const [kind, id] of Object.entries(out) as [GameKind, string][]) {
    if (!findTimeControl(kind, id)) {
      const offered = GAMES[kind].timeControls.map((tc) => tc.id).join(", ");
      throw new ArgsError(`--time-control: ${kind} has no time control "${id}" (it offers ${offered})`);
    }
  }
  return out;
}

const VALUE_OPTIONS = [
  "url",
  "bots",
  "game",
  "time-control",
  "duration",
  "think",
  "spectators",
  "procs",
  "out",
  "max-error-rate",
  "max-errors",
] as const;

const OPTIONS = {
  ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: "string", multiple: true }])),
  "allow-remote": { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} satisfies NonNullable<ParseArgsConfig["options"]>;

/** node:util's parse errors, in this script's words. */
function argvError(err: unknown): ArgsError {
  const e = err as { code?: string; message: string };
  const quoted = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new ArgsError(`unknown option ${quoted}`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new ArgsError(`unexpected argument "${/'([^']*)'/.exec(e.message)?.[1]}" (options start with --)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(e.message)) return new ArgsError(`${quoted} takes no value`);
      if (/ambiguous/.test(e.message))
        return new ArgsError(`${quoted} needs a value (one starting with "-" is written ${quoted}=-1)`);
      return new ArgsError(`${quoted} needs a value`);
    default:
      return new ArgsError(e.message);
  }
}

/** Parse argv (without `node script`). Throws ArgsError with a message fit for the user. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgv<{ args: string[]; options: typeof OPTIONS; strict: true }>>;
  try {
    parsed = parseArgv({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw argvError(err);
  }
  const flags = parsed.values;
  const values = new Map<string, string>();
  for (const name of VALUE_OPTIONS) {
    const given = (parsed.values as Record<string, string[] | undefined>)[name];
    if (!given) continue;
    if (given.length > 1) throw new ArgsError(`--${name} given twice`);
    values.set(name, given[0]!);
  }
  if (flags.help) return { help: true };

  const allowRemote = flags["allow-remote"] === true;
  const url = parseUrl(values.get("url") ?? DEFAULTS.url, allowRemote);
  const bots = values.has("bots") ? parseInteger(values.get("bots")!, "--bots", 1, MAX_BOTS) : DEFAULTS.bots;

  const gameText = values.get("game") ?? DEFAULTS.game;
  if (gameText !== "connect4" && gameText !== "chess" && gameText !== "mix")
    throw new ArgsError(`--game: "${gameText}" is not one of connect4, chess, mix`);
  const game = gameText as GameChoice;
  const kinds: GameKind[] = game === "mix" ? ["connect4", "chess"] : [game];

  const timeControl = values.has("time-control") ? parseTimeControl(values.get("time-control")!, kinds) : {};
  for (const kind of Object.keys(timeControl) as GameKind[]) {
    if (!kinds.includes(kind)) throw new ArgsError(`--time-control: ${kind} is not played with --game ${game}`);
  }

  const durationMs = parseDuration(values.get("duration") ?? DEFAULTS.duration, "--duration");
  if (durationMs <= 0) throw new ArgsError(`--duration must be more than 0`);
  if (durationMs > MAX_DURATION_MS) throw new ArgsError(`--duration: at most 24h`);

  const thinkMs = parseThink(values.get("think") ?? DEFAULTS.think);
  const spectatorShare = parseShare(values.get("spectators") ?? DEFAULTS.spectators, "--spectators");
  const procs = values.has("procs") ? parseInteger(values.get("procs")!, "--procs", 1, MAX_PROCS) : DEFAULTS.procs;
  if (procs > bots) throw new ArgsError(`--procs ${procs} is more than --bots ${bots}`);

  const out = values.get("out") ?? DEFAULTS.out;
  if (out.trim() === "") throw new ArgsError(`--out needs a file name`);

  let maxErrorRate = DEFAULTS.maxErrorRate;
  if (values.has("max-error-rate")) {
    const t = values.get("max-error-rate")!.trim();
    maxErrorRate = /^\d+(\.\d+)?(e-?\d+)?$/i.test(t) ? Number(t) : Number.NaN;
    if (!(maxErrorRate >= 0 && maxErrorRate <= 1))
      throw new ArgsError(`--max-error-rate: "${t}" must be a number between 0 and 1`);
  }
  const maxErrors = values.has("max-errors")
    ? parseInteger(values.get("max-errors")!, "--max-errors", 0, Number.MAX_SAFE_INTEGER)
    : null;

  return {
    help: false,
    config: {
      url,
      bots,
      game,
      timeControl,
      durationMs,
      thinkMs,
      spectatorShare,
      procs,
      out,
      maxErrorRate,
      maxErrors,
      allowRemote,
      verbose: flags.verbose === true,
    },
  };
}

/** The time control id each game of `config` is played with. */
export function timeControlOf(config: BotsConfig, kind: GameKind): string {
  return config.timeControl[kind] ?? GAMES[kind].timeControls[0]!.id;
}

/** The games played with `config`. */
export function gamesOf(config: BotsConfig): GameKind[] {
  return config.game === "mix" ? ["connect4", "chess"] : [config.game];
}

/** How the bots split: which global indices spectate, and which game each player plays. */
export interface Roster {
  players: number;
  spectators: number;
}

export function rosterOf(config: BotsConfig): Roster {
  const spectators = Math.min(config.bots, Math.round(config.bots * config.spectatorShare));
  return { players: config.bots - spectators, spectators };
}

/**
 * Role of the bot with global index `i`: players first (0..players-1), then
 * spectators. With --game mix, players alternate by pairs (0,1 connect4;
 * 2,3 chess; …) so each game gets an even share.
 */
export function roleOf(config: BotsConfig, i: number): { kind: "player"; game: GameKind } | { kind: "spectator" } {
  const { players } = rosterOf(config);
  if (i >= players) return { kind: "spectator" };
  if (config.game !== "mix") return { kind: "player", game: config.game };
  return { kind: "player", game: Math.floor(i / 2) % 2 === 0 ? "connect4" : "chess" };
}
