import { describe, expect, it } from "vitest";
import type { ClockAnchor } from "./clock.ts";
import { GameModel } from "./gameModel.ts";
import {
  awayNotice,
  controlsFor,
  countdownLine,
  namesOf,
  playerStatus,
  rematchLine,
  spectatorLine,
  titleLine,
  turnLine,
} from "./gameStatus.ts";
import { CLOCKS, snapshot } from "./testing/fixtures.ts";

const model = (...a: Parameters<typeof snapshot>) => GameModel.fromSnapshot(snapshot(...a));
const over = { status: "finished" as const, result: { winner: 0 as const, reason: "resign" as const } };
const spectator = { you: { role: "spectator" as const, seat: null } };

describe("controlsFor", () => {
  it("a player to move may move, resign, abort before their first move, offer a draw", () => {
    const c = controlsFor(model());
    expect(c).toMatchObject({ canMove: true, canResign: true, canAbort: true, canOfferDraw: true, canOfferRematch: false });
  });
  it("no abort once you have moved; no move out of turn", () => {
    const c = controlsFor(model(["3"]));
    expect(c.canMove).toBe(false);
    expect(model(["3", "4"]).hasMoved(0)).toBe(true);
    expect(controlsFor(model(["3", "4"])).canAbort).toBe(false);
    expect(controlsFor(model(["3"], { you: { role: "player", seat: 1 } })).canAbort).toBe(true);
  });
  it("tells whose draw offer is pending", () => {
    expect(controlsFor(model([], { drawOffer: 0 }))).toMatchObject({
      drawOfferedByMe: true,
      drawOfferedToMe: false,
      canOfferDraw: false,
    });
    expect(controlsFor(model([], { drawOffer: 1 }))).toMatchObject({ drawOfferedByMe: false, drawOfferedToMe: true });
  });
  it("after the game: rematch offers, and nothing else", () => {
    expect(controlsFor(model([], over))).toMatchObject({ canMove: false, canResign: false, canOfferRematch: true });
    expect(controlsFor(model([], { ...over, rematchOffer: 1 }))).toMatchObject({
      rematchOfferedToMe: true,
      canOfferRematch: false,
    });
    expect(controlsFor(model([], { ...over, rematchOffer: 0 }))).toMatchObject({ rematchOfferedByMe: true });
    expect(controlsFor(model([], { ...over, rematchOffer: 1, rematchGameId: "g2" })).rematchOfferedToMe).toBe(false);
  });
  it("a spectator has no actions", () => {
    expect(Object.values(controlsFor(model([], spectator))).every((v) => v === false)).toBe(true);
  });
});

describe("turnLine", () => {
  const connected = { pending: false, connection: "connected" as const };
  it("your turn, the opponent's, a move in flight, reconnecting", () => {
    expect(turnLine(model(), connected)).toEqual({ text: "Your turn", key: "you" });
    expect(turnLine(model(["3"]), connected)).toEqual({ text: "Opponent's turn", key: "opponent" });
    expect(turnLine(model(), { ...connected, pending: true })).toEqual({ text: "Sending move…", key: "pending" });
    expect(turnLine(model(), { pending: false, connection: "reconnecting" })).toEqual({
      text: "Reconnecting…",
      key: "reconnecting",
    });
  });
  it("a spectator reads who is to move; a finished game its result", () => {
    expect(turnLine(model(["3"], spectator), connected)).toEqual({ text: "Yellow to move", key: "spectator" });
    expect(turnLine(model([], over), connected)).toEqual({ text: "You won!", key: "over" });
    expect(turnLine(model([], { status: "aborted" }), connected)).toEqual({ text: "Game over", key: "over" });
  });
});

describe("countdownLine and playerStatus", () => {
  const anchor: ClockAnchor = { clocks: CLOCKS, receivedAt: 5000, transitMs: 0 };
  it("counts down the first move to whoever must make it", () => {
    // Deadline 31 000 server time = 30 s after serverNow 1000; 4.5 s have passed locally.
    expect(countdownLine(model(), anchor, 9500)).toEqual({
      text: "Make your first move within 26 s, or the game is aborted",
      seconds: 26,
    });
    expect(countdownLine(model(["3"]), anchor, 5000)?.text).toBe("Opponent must move within 30 s, or the game is aborted");
    expect(countdownLine(model(["3"], spectator), anchor, 5000)?.text).toBe("Yellow must move within 30 s");
    expect(countdownLine(model(), { ...anchor, clocks: { ...CLOCKS, firstMoveDeadline: null } }, 5000)).toBeNull();
    expect(countdownLine(model([], over), anchor, 5000)).toBeNull();
  });
  it("counts down a disconnected player's return", () => {
    const s = snapshot();
    s.players[1] = { ...s.players[1], connected: false, reconnectDeadline: 21_000 };
    const m = GameModel.fromSnapshot(s);
    expect(playerStatus(m, 1, anchor, 5000)).toBe("Disconnected · 20 s to return");
    expect(playerStatus(m, 0, anchor, 5000)).toBe("");
  });
});

describe("awayNotice: an opponent who left", () => {
  const anchor: ClockAnchor = { clocks: CLOCKS, receivedAt: 5000, transitMs: 0 };
  const away = (seat: 0 | 1, deadline: number, over = {}) => {
    const s = snapshot(["3", "4"], over);
    s.players[seat] = { ...s.players[seat], connected: false, reconnectDeadline: deadline };
    return GameModel.fromSnapshot(s);
  };
  it("the player still here reads the countdown, then gets the claim", () => {
    // Deadline 21 000 server time = 20 s after serverNow 1000.
    expect(awayNotice(away(1, 21_000), anchor, 5000)).toEqual({
      text: "Your opponent left the game. You can claim the win in 20 s.",
      seconds: 20,
      claim: false,
    });
    expect(awayNotice(away(1, 21_000), anchor, 25_000)).toEqual({
      text: "Your opponent left the game. Claim the win, or wait for them.",
      seconds: 0,
      claim: true,
    });
    expect(playerStatus(away(1, 21_000), 1, anchor, 25_000)).toBe("Left the game");
  });
  it("nothing while both are here, about ourselves, or once the game is over", () => {
    expect(awayNotice(model(["3", "4"]), anchor, 5000)).toBeNull();
    expect(awayNotice(away(0, 21_000), anchor, 5000)).toBeNull();
    expect(awayNotice(away(1, 21_000, over), anchor, 5000)).toBeNull();
  });
  it("a spectator reads who left, and never gets a claim", () => {
    expect(awayNotice(away(0, 21_000, spectator), anchor, 5000)).toEqual({
      text: "Alice left the game · 20 s to return",
      seconds: 20,
      claim: false,
    });
    expect(awayNotice(away(0, 21_000, spectator), anchor, 25_000)?.claim).toBe(false);
  });
});

describe("rematchLine, spectatorLine, titleLine, namesOf", () => {
  it("says where a rematch stands, for players and spectators", () => {
    expect(rematchLine(model([], { ...over, rematchOffer: 1 }))).toBe("Your opponent wants a rematch.");
    expect(rematchLine(model([], { ...over, rematchOffer: 0 }))).toBe("Waiting for your opponent to accept…");
    expect(rematchLine(model([], { ...over, rematchGameId: "g2" }))).toBe("Starting the rematch…");
    expect(rematchLine(model([], over))).toBe("");
    expect(rematchLine(model([], { ...over, ...spectator, rematchOffer: 1 }))).toBe("Bob offers a rematch.");
    expect(rematchLine(model([], { ...over, ...spectator, rematchGameId: "g2" }))).toBe(
      "The players start a rematch — following it…",
    );
    expect(rematchLine(model([], { ...over, ...spectator }))).toBe("");
    expect(rematchLine(model([], over), true)).toBe("Your opponent declined the rematch.");
  });
  it("counts spectators, the viewer included when watching", () => {
    expect(spectatorLine(0, false)).toEqual({ text: "", title: "0 spectators" });
    expect(spectatorLine(1, true)).toEqual({ text: "1 watching", title: "1 spectator, you included" });
    expect(spectatorLine(3, false)).toEqual({ text: "3 watching", title: "3 spectators" });
  });
  it("titles the game", () => {
    expect(titleLine({ kind: "chess", mode: "bot" }, "3+2", false)).toBe("Chess · 3+2 · vs bot");
    expect(titleLine({ kind: "connect4", mode: "quick" }, "1 min", true)).toBe("Connect Four · 1 min · quick · spectating");
    expect(namesOf(model())).toEqual(["Alice", "Bob"]);
  });
});
