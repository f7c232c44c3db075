/**
 * Connect Four as a boardgame.io Game, for the benchmark's boardgame.io peer.
 *
 * The rules work is Tabula's own (`connect4.apply` from the shared rules), so
 * every system in the benchmark validates and applies a move the same way;
 * what differs is only the framework around it. G is the shared rules' plain
 * JSON state (board, moves, result); one move, `drop(column)`, with the column
 * as the rules' notation "0".."6". Seat = boardgame.io playerID ("0" red, "1" yellow).
 */
import { createRequire } from "node:module";
import { type Connect4State, connect4, type GameResult, type Seat } from "@tabula/shared/rules";
import type { Game } from "boardgame.io";

// boardgame.io ships CommonJS sub-packages (folders with their own package.json), which ESM cannot import by name.
const require = createRequire(import.meta.url);
const { INVALID_MOVE } = require("boardgame.io/core") as typeof import("boardgame.io/core");

/** The game's name: boardgame.io's lobby path (/games/connect4) and socket.io namespace. */
export const GAME_NAME = "connect4";

/** The one move's name: `client.moves.drop("3")`. */
export const DROP = "drop";

/** The seat a boardgame.io playerID stands for, or null for anything but "0" / "1". */
export function seatOf(playerID: string | null | undefined): Seat | null {
  return playerID === "0" ? 0 : playerID === "1" ? 1 : null;
}

export const Connect4Game: Game<Connect4State> = {
  name: GAME_NAME,
  minPlayers: 2,
  maxPlayers: 2,
  // Connect Four has no take-backs: without this, boardgame.io keeps an undo copy of G in every state it stores and sends.
  disableUndo: true,
  setup: () => connect4.setup(GAME_NAME),
  // One disc per turn: the turn ends by itself after the move, in the same state update.
  turn: { minMoves: 1, maxMoves: 1 },
  moves: {
    [DROP]: {
      /** Drop a disc in `column` ("0".."6"); INVALID_MOVE for anything the rules refuse. */
      move: ({ G, playerID }, column: unknown) => {
        const seat = seatOf(playerID);
        if (seat === null || typeof column !== "string") return INVALID_MOVE;
        const applied = connect4.apply(G, column, seat);
        return applied.ok ? applied.state : INVALID_MOVE;
      },
      // Server only: clients neither predict nor replay the rules (the benchmark's driver does no rules work),
      // so what a mover sees is the server's answer, and its round trip is a real one.
      client: false,
    },
  },
  /** Ends the game with the rules' result ({ winner: 0 | 1 | null, reason }) as ctx.gameover. */
  endIf: ({ G }): GameResult | undefined => G.result ?? undefined,
};
