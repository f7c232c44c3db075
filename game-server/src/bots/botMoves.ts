/**
 * The node's bot players (the host's `BotMoves` port, game/ports.ts): what to
 * play, at which level, and how long to look human about it.
 *
 * Moves: chess at every level, and Connect Four's searching levels (medium,
 * hard), are worked out by the engine pool (enginePool.ts) on a worker thread;
 * Connect Four's easy level and any game without an engine use the shared
 * built-in policy inline (well under 10 ms). When the engine fails, times out
 * or answers a move that is not legal, the bot plays the built-in policy for
 * that move and says so in the log: a bot never hangs a game.
 */
import type { ChessState, Connect4State, GameDefinition } from "@tabula/shared/rules";
import { type BotLevel, chooseBotMove, createRng } from "@tabula/shared/rules";
import type { BotMoveRequest, BotMoves } from "../game/ports.ts";
import type { Logger } from "../log.ts";
import type { EnginePool } from "./enginePool.ts";
import type { EngineJob } from "./engineJobs.ts";

/** Slack over a job's own limit before the engine counts as hung (loading Stockfish takes ~1-3 s the first time). */
const ENGINE_GRACE_MS = 8_000;

/**
 * Bot moves through `pool` (null: the built-in policy inline for everything, e.g. with
 * BOT_ENGINE_WORKERS=0). The returned move is always legal for `req.seat`.
 */
export function createBotMoves(pool: EnginePool | null, log: Logger): BotMoves {
  return {
    async choose(req: BotMoveRequest): Promise<string> {
      const job = pool ? engineJob(req) : null;
      if (job && pool) {
        const started = performance.now();
        try {
          const move = await pool.run(job, jobLimitMs(job) + ENGINE_GRACE_MS);
          if (req.def.legalMoves(req.state, req.seat).includes(move)) {
            log.debug(
              { game: req.def.id, level: req.level, move, ms: Math.round(performance.now() - started) },
              "bot engine move",
            );
            return move;
          }
          log.warn(
            { game: req.def.id, level: req.level, move },
            "bot engine answered an illegal move; playing the built-in policy",
          );
        } catch (err) {
          const why = (err as Error).message;
          // At shutdown the pool closes under a pending move: nothing is wrong, the game is leaving this node.
          if (why === "engine pool closed") log.debug({ game: req.def.id }, "bot engine closed; playing the built-in policy");
          else log.warn({ game: req.def.id, level: req.level, err: why }, "bot engine failed; playing the built-in policy");
        }
        return builtIn(req, fallbackLevel(req.level));
      }
      return builtIn(req, req.level);
    },
  };
}

function builtIn(req: BotMoveRequest, level: BotLevel): string {
  return chooseBotMove(req.def as GameDefinition<unknown>, req.state, req.seat, createRng(req.seed), level);
}

/** The inline fallback: never a level whose search would hold the event loop (hard Connect Four ≈ 200 ms). */
function fallbackLevel(level: BotLevel): BotLevel {
  return level === "hard" ? "medium" : level;
}

/** The engine's job for `req`, or null when the shared policy answers inline. */
function engineJob(req: BotMoveRequest): EngineJob | null {
  if (req.def.id === "chess") {
    return { kind: "chess", fen: (req.state as ChessState).fen, level: req.level, movetimeMs: req.budgetMs };
  }
  if (req.def.id === "connect4" && req.level !== "easy") {
    return { kind: "connect4", board: (req.state as Connect4State).board, level: req.level, seed: req.seed };
  }
  return null;
}

/** How long the job may take by its own limits, ms. */
function jobLimitMs(job: EngineJob): number {
  return job.kind === "chess" ? Math.max(1_000, job.movetimeMs) : 2_000;
}
