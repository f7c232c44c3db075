import { describe, expect, it } from "vitest";
import { ClientMessages } from "./index.ts";

describe("move message schema", () => {
  const ok = (ply: unknown) => ClientMessages.move.safeParse({ ply, move: "e2e4" }).success;

  it("accepts any non-negative safe integer ply, however far from the game's (the room answers STALE_PLY)", () => {
    for (const ply of [0, 1, 10_000, 10_001, 1_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER])
      expect(ok(ply), String(ply)).toBe(true);
  });

  it("refuses a ply that is not a non-negative safe integer (BAD_MESSAGE)", () => {
    for (const ply of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, "1", null]) {
      expect(ok(ply), String(ply)).toBe(false);
    }
  });
});
