/**
 * The bot engine's worker thread (node:worker_threads): it thinks so the
 * node's event loop does not. One job at a time (enginePool.ts queues them):
 * a chess move from Stockfish 19 (the `stockfish` package's single-threaded
 * lite WASM build, spoken to over UCI) or a Connect Four move from the shared
 * solver. Messages: EngineJob in, EngineAnswer out (enginePool.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runInThisContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import { type Connect4State, c4LevelMove, createRng } from "@tabula/shared/rules";
import type { EngineAnswer, EngineRequest } from "./engineJobs.ts";
import { uciLimits } from "./engineJobs.ts";

interface StockfishModule {
  ccall(name: string, ret: null, types: string[], args: string[], opts: { async: boolean }): void;
  _isReady?: () => boolean;
}

const require = createRequire(import.meta.url);

/** The UCI engine, loaded on the first chess job (~1 s), with its one listener. */
let engine: Promise<StockfishModule> | null = null;
let onLine: (line: string) => void = () => {};

/**
 * The engine's factory. Loaded as a CommonJS module would be, with one difference: inside any
 * worker thread the build takes itself for one of its own pthreads and exports nothing, so its
 * `require("worker_threads")` answers `isMainThread: true` (this build is single-threaded).
 */
function engineFactory(bin: string): () => (m: object) => Promise<StockfishModule> {
  const wrapped = runInThisContext(
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(bin, "utf8")}\n})`,
    {
      filename: bin,
    },
  ) as (e: object, r: NodeJS.Require, m: { exports: unknown }, f: string, d: string) => void;
  const shim = ((id: string) =>
    id === "worker_threads" || id === "node:worker_threads"
      ? { ...require(id), isMainThread: true }
      : require(id)) as NodeJS.Require;
  const module: { exports: unknown } = { exports: {} };
  wrapped(module.exports as object, shim, module, bin, dirname(bin));
  if (typeof module.exports !== "function") throw new Error(`${bin} did not export the engine`);
  return module.exports as () => (m: object) => Promise<StockfishModule>;
}

function loadEngine(): Promise<StockfishModule> {
  const bin = join(dirname(require.resolve("stockfish/package.json")), "bin", "stockfish-19-lite-single.js");
  const init = engineFactory(bin);
  // The listener is set from the start: otherwise the engine's banner goes to stdout, into the node's logs.
  const module = {
    locateFile: (path: string) => (path.endsWith(".wasm") ? bin.replace(/\.js$/, ".wasm") : bin),
    listener: (line: string) => onLine(line),
  };
  return init()(module).then(async (m) => {
    while (m._isReady && !m._isReady()) await new Promise((r) => setTimeout(r, 10));
    return m;
  });
}

function send(m: StockfishModule, cmd: string): void {
  // As the package's own loader does: "go" runs asynchronously inside the WASM module.
  m.ccall("command", null, ["string"], [cmd], { async: /^go\b/.test(cmd) });
}

/** Send `cmds`, then wait for the first line starting with `until`. */
function exchange(m: StockfishModule, cmds: string[], until: string): Promise<string> {
  return new Promise((resolve) => {
    onLine = (line) => {
      if (line.startsWith(until)) {
        onLine = () => {};
        resolve(line);
      }
    };
    for (const c of cmds) send(m, c);
  });
}

async function chessMove(fen: string, level: EngineRequest["job"]["level"], movetimeMs: number): Promise<string> {
  engine ??= loadEngine();
  const m = await engine;
  const limits = uciLimits(level, movetimeMs);
  await exchange(m, ["uci", ...limits.options.map((o) => `setoption name ${o.name} value ${o.value}`), "isready"], "readyok");
  const line = await exchange(m, [`position fen ${fen}`, limits.go], "bestmove");
  const move = line.split(/\s+/)[1];
  if (!move || move === "(none)") throw new Error(`no move from the engine: ${line}`);
  return move;
}

async function answer(req: EngineRequest): Promise<EngineAnswer> {
  const started = performance.now();
  try {
    const { job } = req;
    let move: string;
    if (job.kind === "chess") move = await chessMove(job.fen, job.level, job.movetimeMs);
    else {
      const level = job.level === "easy" ? "medium" : job.level; // easy never comes here (it is cheap: inline)
      const board = { board: job.board } as Pick<Connect4State, "board"> as Connect4State;
      move = String(c4LevelMove(board, level, createRng(job.seed)).column);
    }
    return { id: req.id, ok: true, move, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { id: req.id, ok: false, error: (err as Error).message ?? String(err) };
  }
}

parentPort?.on("message", (req: EngineRequest) => {
  void answer(req).then((a) => parentPort?.postMessage(a));
});
