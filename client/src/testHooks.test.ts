// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { installTestHooks } from "./testHooks.ts";
import { FakeBoard } from "./testing/dom.ts";
import { snapshot } from "./testing/fixtures.ts";

describe("window.tabula", () => {
  it("reports the screen, a copy of the game, the seat and the latency; board points", () => {
    const s = snapshot(["3"], { you: { role: "player", seat: 1 } });
    installTestHooks({ screen: () => "game", snapshot: () => s, latencyMs: () => 12, board: new FakeBoard().asBoard() });
    const state = window.tabula.state();
    expect(state).toMatchObject({ screen: "game", seat: 1, latencyMs: 12 });
    expect(state.snapshot).toEqual(s);
    expect(state.snapshot).not.toBe(s);
    expect(window.tabula.columnPoint(3)).toEqual({ x: 3, y: 0 });
    expect(window.tabula.squarePoint("e2")).toBeNull();
    installTestHooks({ screen: () => "lobby", snapshot: () => null, latencyMs: () => null, board: new FakeBoard().asBoard() });
    expect(window.tabula.state()).toEqual({ screen: "lobby", snapshot: null, seat: null, latencyMs: null });
  });
});
