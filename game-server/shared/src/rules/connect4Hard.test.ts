/**
 * The hard Connect Four bot as the FIRST player never loses: against every
 * first reply of the opponent, continued by the medium bot (seeded, so every
 * run plays the same games). Its own file: the games take ~10 s of CPU (a
 * minute or more on a loaded machine), and Vitest runs files in parallel.
 * `npm run bots -- --bot-vs-bot` plays longer matches (the easy bot too).
 */
import { describe, expect, it } from "vitest";
import { chooseBotMove } from "./bot.ts";
import { connect4, type Connect4State } from "./connect4.ts";
import { createRng } from "./rng.ts";
import type { BotLevel, GameResult } from "./types.ts";

type Opponent = BotLevel | "random";

function opponentMove(who: Opponent, s: Connect4State, seed: string): string {
  const rng = createRng(seed);
  if (who === "random") {
    const moves = connect4.legalMoves(s, 1);
    return moves[rng.int(moves.length)]!;
  }
  return chooseBotMove(connect4, s, 1, rng, who);
}

/** Hard (red, seat 0) against `who` (yellow), whose first reply is `reply`. */
function play(reply: number, who: Opponent): { result: GameResult; moves: string } {
  let s = connect4.setup("hard-first");
  while (!s.result) {
    const seat = connect4.toMove(s)!;
    const ply = s.moves.length;
    const move =
      seat === 0
        ? chooseBotMove(connect4, s, 0, createRng(`hard:${ply}`), "hard")
        : ply === 1
          ? String(reply)
          : opponentMove(who, s, `${who}:${reply}:${ply}`);
    const r = connect4.apply(s, move, seat);
    if (!r.ok) throw new Error(r.error.message);
    s = r.state;
  }
  return { result: s.result, moves: s.moves.join("") };
}

describe("hard Connect Four bot as the first player", () => {
  for (const who of ["medium"] as const) {
    it(`never loses against ${who} play after each of the seven first replies`, { timeout: 180_000 }, () => {
      const games = [0, 1, 2, 3, 4, 5, 6].map((reply) => play(reply, who));
      for (const g of games) expect(g.result.winner, `lost: ${g.moves}`).not.toBe(1);
      // Not by drawing everything: it wins nearly all of them.
      expect(games.filter((g) => g.result.winner === 0).length).toBeGreaterThanOrEqual(6);
    });
  }
});
