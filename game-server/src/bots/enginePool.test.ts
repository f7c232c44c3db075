/**
 * The engine pool on real worker threads: Stockfish answers a legal move at
 * every level, the Connect Four search answers too, a killed worker is
 * replaced, and a hung one is terminated and replaced — and each failed move
 * falls back to the built-in policy (botMoves.ts).
 */
import { BOT_LEVELS, chess, chessFromFen, connect4, type GameDefinition } from "@tabula/shared/rules";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { createBotMoves } from "./botMoves.ts";
import { EnginePool } from "./enginePool.ts";

const lines: Array<{ msg: string }> = [];
const log = pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
const pool = new EnginePool({ size: 1, log });
afterAll(() => pool.close());

// After 1.e4 e5 2.Nf3 Nc6 3.Bb5 a6: white to move, plenty of choice.
const FEN = "r1bqkbnr/1ppp1ppp/p1n5/1B2p3/4P3/5N2/PPPP1PPP/RNBQK2R w KQkq - 0 4";
const chessState = chessFromFen(FEN);

describe("bot engine pool (worker threads)", () => {
  it("Stockfish answers a legal chess move at every level", { timeout: 120_000 }, async () => {
    const legal = chess.legalMoves(chessState, 0);
    for (const level of BOT_LEVELS) {
      const move = await pool.run({ kind: "chess", fen: FEN, level, movetimeMs: 300 }, 60_000);
      expect(legal, level).toContain(move);
    }
  });

  it("the hard level finds a mate in one", { timeout: 60_000 }, async () => {
    // Scholar's mate pattern: Qxf7#.
    const fen = "r1bqkbnr/pppp1ppp/2n5/4p2Q/2B1P3/8/PPPP1PPP/RNB1K1NR w KQkq - 2 4";
    expect(await pool.run({ kind: "chess", fen, level: "hard", movetimeMs: 500 }, 60_000)).toBe("h5f7");
  });

  it("answers Connect Four searches", { timeout: 60_000 }, async () => {
    const board = new Array(42).fill(-1);
    for (const c of [0, 1, 2]) board[c] = 0; // red a1 b1 c1: d1 wins
    board[7] = 1;
    board[14] = 1;
    board[21] = 1;
    expect(await pool.run({ kind: "connect4", board, level: "hard", seed: "s" }, 30_000)).toBe("3");
  });

  it("replaces a killed worker, failing only the job it had", { timeout: 120_000 }, async () => {
    const [before] = pool.threadIds();
    const running = pool.run({ kind: "chess", fen: FEN, level: "hard", movetimeMs: 5_000 }, 60_000);
    await pool.kill(before!);
    await expect(running).rejects.toThrow(/exited/);
    expect(pool.threadIds()).not.toContain(before);
    expect(lines.some((l) => l.msg.includes("worker exited"))).toBe(true);
    // The new worker plays.
    expect(chess.legalMoves(chessState, 0)).toContain(
      await pool.run({ kind: "chess", fen: FEN, level: "easy", movetimeMs: 100 }, 60_000),
    );
  });

  it("terminates and replaces a worker that overruns its deadline; the bot then plays its built-in move", {
    timeout: 120_000,
  }, async () => {
    const restarts = pool.restarts;
    const [before] = pool.threadIds();
    // A deadline far shorter than the search: the engine "hangs" as far as the pool can tell.
    await expect(pool.run({ kind: "chess", fen: FEN, level: "hard", movetimeMs: 5_000 }, 50)).rejects.toThrow(/timed out/);
    expect(pool.restarts).toBe(restarts + 1);
    expect(pool.threadIds()).not.toContain(before);

    // Through the bot players: a pool that cannot answer still gives a legal move, and says why in the log.
    const closed = new EnginePool({ size: 1, log });
    await closed.close();
    const bots = createBotMoves(closed, log);
    const def = chess as GameDefinition<unknown>;
    const move = await bots.choose({ def, state: chessState, seat: 0, level: "hard", seed: "s", budgetMs: 500 });
    expect(chess.legalMoves(chessState, 0)).toContain(move);
    expect(lines.some((l) => l.msg.includes("playing the built-in policy"))).toBe(true);
  });

  it("a job that cannot get a worker in time fails (the bot then plays its built-in move)", { timeout: 60_000 }, async () => {
    const busy = new EnginePool({ size: 1, log, maxWaitMs: 100 });
    try {
      const long = busy.run({ kind: "chess", fen: FEN, level: "hard", movetimeMs: 3_000 }, 60_000);
      await expect(busy.run({ kind: "chess", fen: FEN, level: "easy", movetimeMs: 100 }, 60_000)).rejects.toThrow(/busy/);
      expect(chess.legalMoves(chessState, 0)).toContain(await long);
    } finally {
      await busy.close();
    }
  });

  it("the bot players use the engine for Connect Four's searching levels and answer legal moves", {
    timeout: 60_000,
  }, async () => {
    const bots = createBotMoves(pool, log);
    const state = connect4.setup("s");
    const def = connect4 as GameDefinition<unknown>;
    for (const level of BOT_LEVELS) {
      const move = await bots.choose({ def, state, seat: 0, level, seed: `s-${level}`, budgetMs: 500 });
      expect(connect4.legalMoves(state, 0)).toContain(move);
    }
  });
});
