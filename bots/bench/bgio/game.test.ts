/**
 * The boardgame.io Connect Four of the benchmark, played in-process through
 * boardgame.io's own Client (no server): legal drops apply the shared rules,
 * anything the rules refuse is INVALID_MOVE and changes nothing, a connect-four
 * or a full board ends the game with the rules' result.
 */
import { createRequire } from "node:module";
import type { Connect4State } from "@tabula/shared/rules";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Connect4Game, DROP, seatOf } from "./game.ts";

const require = createRequire(import.meta.url);
const { Client } = require("boardgame.io/client") as typeof import("boardgame.io/client");
const { Local } = require("boardgame.io/multiplayer") as typeof import("boardgame.io/multiplayer");

/** A single-process client (both seats, no multiplayer): boardgame.io runs the whole reducer in it. */
function localGame() {
  const client = Client({ game: Connect4Game, numPlayers: 2 });
  client.start();
  return client;
}

/** The client's state; fails the test when it has none yet. */
function stateOf(client: ReturnType<typeof localGame>) {
  const state = client.getState();
  if (!state) throw new Error("the client has no state");
  return { ...state, G: state.G as Connect4State };
}

/** Play `columns` in order, each by the player whose turn it is. */
function play(client: ReturnType<typeof localGame>, columns: string[]) {
  for (const c of columns) client.moves[DROP](c);
}

afterEach(() => vi.restoreAllMocks());

describe("boardgame.io Connect Four", () => {
  it("drops discs with the shared rules and alternates the players", () => {
    const client = localGame();
    play(client, ["3", "3", "4"]);
    const state = stateOf(client);
    const G = state.G;
    expect(G.moves).toEqual(["3", "3", "4"]);
    expect(G.board[3]).toBe(0); // bottom row, column 3: red
    expect(G.board[7 + 3]).toBe(1); // second row, column 3: yellow
    expect(G.board[4]).toBe(0);
    expect(state.ctx.currentPlayer).toBe("1");
    expect(state.ctx.gameover).toBeUndefined();
  });

  it("refuses a bad column, a full column and a non-string with INVALID_MOVE, changing nothing", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const client = localGame();
    play(client, ["0", "0", "0", "0", "0", "0"]); // column 0 full, red to move
    const before = stateOf(client);
    for (const bad of ["0", "7", "-1", "x", ""]) client.moves[DROP](bad);
    client.moves[DROP](3 as unknown as string);
    const after = stateOf(client);
    expect(after.G).toBe(before.G);
    expect(after._stateID).toBe(before._stateID);
    expect(errors.mock.calls.filter((c) => String(c[1]).startsWith("invalid move"))).toHaveLength(6);
    // The move function itself answers boardgame.io's INVALID_MOVE marker.
    const drop = Connect4Game.moves?.[DROP];
    if (!drop || typeof drop === "function") throw new Error("drop is a long-form move");
    const G = before.G;
    expect(drop.move({ G, playerID: "0" } as never, "0")).toBe("INVALID_MOVE");
    expect(drop.move({ G, playerID: "2" } as never, "3")).toBe("INVALID_MOVE");
    expect((drop.move({ G, playerID: "0" } as never, "3") as Connect4State).moves).toHaveLength(7);
  });

  it("ends the game on a connect-four with the rules' result, and refuses moves after it", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const client = localGame();
    play(client, ["0", "1", "0", "1", "0", "1", "0"]); // red: four in column 0
    expect(stateOf(client).ctx.gameover).toEqual({ winner: 0, reason: "connect-four" });
    play(client, ["2"]);
    expect(stateOf(client).G.moves).toHaveLength(7);
  });

  it("ends a full board as a draw", () => {
    const client = localGame();
    // Columns filled in pairs in the order 0,1 / 2,3 / 4,5, each pair three discs high twice with the
    // pairs' colours swapped, then column 6: no four in a row anywhere (a known drawn filling).
    const order = [0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 2, 3, 2, 3, 2, 3, 3, 2, 3, 2, 3, 2, 4, 5, 4, 5, 4, 5, 5, 4, 5, 4, 5, 4];
    play(client, order.map(String));
    expect(stateOf(client).ctx.gameover).toBeUndefined();
    play(client, ["6", "6", "6", "6", "6", "6"]);
    expect(stateOf(client).ctx.gameover).toEqual({ winner: null, reason: "board-full" });
  });

  it("runs the move on the master only: seated clients over boardgame.io's Local transport see it when the master answers", () => {
    // Local's master answers at once; hold the sent actions back to see what a client shows meanwhile.
    const local = Local();
    const held: (() => void)[] = [];
    const multiplayer: typeof local = (opts) => {
      const transport = local(opts);
      const send = transport.sendAction.bind(transport);
      transport.sendAction = (state, action) => void held.push(() => send(state, action));
      return transport;
    };
    const red = Client({ game: Connect4Game, numPlayers: 2, multiplayer, playerID: "0", matchID: "m" });
    const yellow = Client({ game: Connect4Game, numPlayers: 2, multiplayer, playerID: "1", matchID: "m" });
    red.start();
    yellow.start();
    red.moves[DROP]("5");
    expect(held).toHaveLength(1);
    // No prediction on the client (client: false): the mover still shows the position before its move.
    expect(stateOf(red).G.moves).toEqual([]);
    for (const release of held.splice(0)) release();
    expect(stateOf(red).G.moves).toEqual(["5"]);
    expect(stateOf(yellow).G.moves).toEqual(["5"]);
    expect(stateOf(yellow).ctx.currentPlayer).toBe("1");
    red.stop();
    yellow.stop();
  });

  it("maps playerIDs to seats", () => {
    expect([seatOf("0"), seatOf("1"), seatOf("2"), seatOf(null), seatOf(undefined)]).toEqual([0, 1, null, null, null]);
  });
});
