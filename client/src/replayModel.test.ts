import { describe, expect, it } from "vitest";
import { ReplayModel, replayViews } from "./replayModel.ts";
import { gameRecord, records } from "./testing/fixtures.ts";
import { isChessView, isConnect4View } from "./views.ts";

describe("replayViews", () => {
  it("gives every position from the start, as a spectator sees it", () => {
    const views = replayViews("connect4", "s", records("connect4", ["3", "3"]));
    expect(views).toHaveLength(3);
    expect(views.every(isConnect4View)).toBe(true);
    expect(replayViews("chess", "s", records("chess", ["e2e4"])).every(isChessView)).toBe(true);
  });
  it("stops at the first move the rules refuse", () => {
    expect(replayViews("connect4", "s", [{ move: "3" }, { move: "x" }, { move: "4" }])).toHaveLength(2);
  });
});

describe("ReplayModel", () => {
  it("opens on the last position, steps within bounds, says when the position changed", () => {
    const r = new ReplayModel(gameRecord(["3", "4", "3"]), "b");
    expect(r.you).toBe(1);
    expect([r.index, r.last]).toEqual([3, 3]);
    expect(r.go(5)).toBe(false);
    expect(r.go(1)).toBe(true);
    expect(r.index).toBe(1);
    expect(r.go(-4)).toBe(true);
    expect(r.index).toBe(0);
    expect(r.view).toMatchObject({ ply: 0 });
  });
  it("shows each seat's clock after the shown position: its last move's time, else the initial time", () => {
    const r = new ReplayModel(gameRecord(["3", "4", "3"]), "a");
    expect(r.you).toBe(0);
    expect(r.initialMs).toBe(60_000);
    expect([r.clockAt(0), r.clockAt(1)]).toEqual([60_000 - 2, 60_000 - 1]);
    r.go(1);
    expect([r.clockAt(0), r.clockAt(1)]).toEqual([60_000, 60_000]);
  });
  it("a stranger has no seat; an unknown time control no clock", () => {
    const r = new ReplayModel(gameRecord([], { timeControl: "99+0" }), "zed");
    expect(r.you).toBeNull();
    expect(r.clockAt(0)).toBeNull();
    expect(r.last).toBe(0);
  });
});
