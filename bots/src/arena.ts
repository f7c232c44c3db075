/**
 * `npm run bots -- --bot-vs-bot`: the built-in bots' levels against each
 * other, played directly through the engines the server uses — the shared
 * Connect Four search (in this process) and Stockfish on the game-server's
 * worker-thread pool — with no server in between. Prints a results table per
 * pairing (each pairing plays half its games with each colour) and the CPU
 * each level spent per move. Exit code 0; 2 for bad arguments.
 */
import { parseArgs } from "node:util";
import {
  BOT_LEVELS,
  type BotLevel,
  type ChessState,
  chess,
  chooseBotMove,
  connect4,
  createRng,
  type GameResult,
} from "@tabula/shared/rules";
import { EnginePool } from "../../game-server/src/bots/enginePool.ts";
import { createLogger } from "../../game-server/src/log.ts";

export const ARENA_USAGE = `npm run bots -- --bot-vs-bot [options]

  --game connect4|chess|both   which games (default both)
  --games N                    games per pairing (default: Connect Four 10, chess 2)
  --pairs a-b,…                pairings of levels (default hard-easy,hard-medium,medium-easy)
  --movetime MS                chess: the engine's time limit per move (default 300; the server gives up to 1000)
`;

type Pair = [BotLevel, BotLevel];

interface Tally {
  game: string;
  a: BotLevel;
  b: BotLevel;
  games: number;
  aWins: number;
  draws: number;
  bWins: number;
  /** A's wins as the first player (Connect Four red, chess white). */
  aFirstWins: number;
}

/** CPU per move, ms, per game and level. */
const cpu = new Map<string, number[]>();
function sample(game: string, level: BotLevel, ms: number): void {
  const k = `${game} ${level}`;
  cpu.set(k, [...(cpu.get(k) ?? []), ms]);
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function playConnect4(levels: [BotLevel, BotLevel], seed: string): Promise<GameResult> {
  let s = connect4.setup(seed);
  while (!s.result) {
    const seat = connect4.toMove(s)!;
    const level = levels[seat];
    const c = process.cpuUsage();
    const move = chooseBotMove(connect4, s, seat, createRng(`${seed}:${s.moves.length}`), level);
    sample("connect4", level, cpuMs(c));
    const r = connect4.apply(s, move, seat);
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
  }
  return s.result;
}

async function playChess(pool: EnginePool, levels: [BotLevel, BotLevel], seed: string, movetimeMs: number): Promise<GameResult> {
  let s: ChessState = chess.setup(seed);
  // Engines are deterministic from the start position: two random opening plies per game vary them.
  const rng = createRng(seed);
  for (let i = 0; i < 2; i++) {
    const moves = chess.legalMoves(s, chess.toMove(s)!);
    const r = chess.apply(s, moves[rng.int(moves.length)]!, chess.toMove(s)!);
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
  }
  while (!s.result && s.moves.length < 300) {
    const seat = chess.toMove(s)!;
    const level = levels[seat];
    // process.cpuUsage counts every thread of the process: the engine worker's thinking included.
    const c = process.cpuUsage();
    const move = await pool.run({ kind: "chess", fen: s.fen, level, movetimeMs }, movetimeMs + 10_000);
    sample("chess", level, cpuMs(c));
    const r = chess.apply(s, move, seat);
    if (!r.ok) throw new Error(`${level} played ${move}: ${r.error.message}`);
    s = r.state;
  }
  return s.result ?? { winner: null, reason: "agreement" }; // 300 plies: called a draw
}

function parsePairs(text: string): Pair[] {
  return text.split(",").map((p) => {
    const [a, b] = p.split("-");
    if (!BOT_LEVELS.includes(a as BotLevel) || !BOT_LEVELS.includes(b as BotLevel)) throw new Error(`bad pairing "${p}"`);
    return [a as BotLevel, b as BotLevel];
  });
}

function table(tallies: Tally[]): string {
  const rows = [
    ["game", "A", "B", "games", "A wins", "draws", "B wins", "A wins as first"],
    ...tallies.map((t) => [t.game, t.a, t.b, t.games, t.aWins, t.draws, t.bWins, t.aFirstWins].map(String)),
  ];
  const cpuRows = [
    ["game", "level", "moves", "CPU ms/move mean", "p95", "max"],
    ...[...cpu.entries()].map(([k, xs]) => {
      const sorted = [...xs].sort((x, y) => x - y);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
      return [...k.split(" "), String(xs.length), mean.toFixed(1), p95.toFixed(1), sorted.at(-1)!.toFixed(1)];
    }),
  ];
  const render = (rs: string[][]) => {
    const w = rs[0]!.map((_, i) => Math.max(...rs.map((r) => r[i]!.length)));
    return rs.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join("  ")).join("\n");
  };
  return `${render(rows)}\n\n${render(cpuRows)}\n`;
}

/** Run the arena with `argv` (the arguments after --bot-vs-bot); resolves with the exit code. */
export async function arenaMain(argv: string[]): Promise<number> {
  let opts: { game: string; games?: string; pairs: string; movetime: string; help?: boolean };
  let pairs: Pair[];
  try {
    opts = parseArgs({
      args: argv,
      options: {
        game: { type: "string", default: "both" },
        games: { type: "string" },
        pairs: { type: "string", default: "hard-easy,hard-medium,medium-easy" },
        movetime: { type: "string", default: "300" },
        help: { type: "boolean" },
      },
    }).values as typeof opts;
    pairs = parsePairs(opts.pairs);
    if (!["connect4", "chess", "both"].includes(opts.game)) throw new Error(`unknown game ${opts.game}`);
  } catch (err) {
    process.stderr.write(`bots: ${(err as Error).message}\n${ARENA_USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(ARENA_USAGE);
    return 0;
  }
  const tallies: Tally[] = [];
  const games = (fallback: number) => (opts.games ? Math.max(1, Number(opts.games)) : fallback);
  const pool = new EnginePool({ size: 1, log: createLogger({ level: "warn", json: false, nodeId: "arena" }) });
  try {
    for (const game of opts.game === "both" ? ["connect4", "chess"] : [opts.game]) {
      for (const [a, b] of pairs) {
        const t: Tally = { game, a, b, games: 0, aWins: 0, draws: 0, bWins: 0, aFirstWins: 0 };
        const n = games(game === "chess" ? 2 : 10);
        for (let i = 0; i < n; i++) {
          const aFirst = i % 2 === 0;
          const levels: [BotLevel, BotLevel] = aFirst ? [a, b] : [b, a];
          const seed = `arena-${game}-${a}-${b}-${i}`;
          const result =
            game === "chess" ? await playChess(pool, levels, seed, Number(opts.movetime)) : await playConnect4(levels, seed);
          t.games++;
          const aSeat = aFirst ? 0 : 1;
          if (result.winner === null) t.draws++;
          else if (result.winner === aSeat) {
            t.aWins++;
            if (aFirst) t.aFirstWins++;
          } else t.bWins++;
          process.stderr.write(
            `${game} ${levels[0]} vs ${levels[1]}: ${result.winner === null ? "draw" : `${levels[result.winner]} won`} (${result.reason})\n`,
          );
        }
        tallies.push(t);
      }
    }
  } finally {
    await pool.close();
  }
  process.stdout.write(table(tallies));
  return 0;
}
