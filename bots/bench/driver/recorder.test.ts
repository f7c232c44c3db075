import { describe, expect, it } from "vitest";
import { Recorder } from "./recorder.ts";

describe("Recorder", () => {
  it("counts moves, round trips, errors and games only while the window is open", () => {
    const r = new Recorder();
    r.ack(5);
    r.error("setup_x");
    r.gameOver();
    r.phase = "warmup";
    r.ack(6);
    r.phase = "measured";
    r.ack(1.23456);
    r.ack(2);
    r.error("move_STALE_PLY");
    r.gameOver();
    r.phase = "done";
    r.ack(9);
    r.error("timeout_move");
    expect(r.result(38)).toEqual({ moves: 2, errors: 1, rttMs: [1.235, 2], connected: 38, games: 1 });
    expect(r.allMoves).toBe(5);
    expect(r.errorKinds).toEqual({ setup_x: 1, move_STALE_PLY: 1, timeout_move: 1 });
  });
});
