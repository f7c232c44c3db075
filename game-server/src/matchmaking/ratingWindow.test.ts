import { describe, expect, it } from "vitest";
import { compatible, pairOff, pickOpponent, type RatedSeeker, windowPoints } from "./ratingWindow.ts";

const seeker = (playerId: string, rating: number, since: number): RatedSeeker => ({ playerId, rating, since });

describe("rated pairing window", () => {
  it("starts at ±100, widens by 10 points a second, and stops at ±500", () => {
    expect(windowPoints(0)).toBe(100);
    expect(windowPoints(5_000)).toBe(150);
    expect(windowPoints(40_000)).toBe(500);
    expect(windowPoints(600_000)).toBe(500);
    expect(windowPoints(-1_000)).toBe(100); // a clock step back never narrows it below the start
  });

  it("pairs two seekers only when each is within the other's window", () => {
    const now = 100_000;
    const veteran = seeker("v", 1500, now - 40_000); // ±500
    const newcomer = seeker("n", 1800, now); // ±100
    expect(compatible(veteran, newcomer, now)).toBe(false);
    expect(compatible(veteran, newcomer, now + 20_000)).toBe(true); // the newcomer's window is ±300 by then
    expect(compatible(veteran, seeker("v", 1500, now), now)).toBe(false); // never with oneself
  });

  it("prefers the longest-waiting compatible opponent, then the closest rating", () => {
    const now = 100_000;
    const me = seeker("me", 1500, now - 10_000); // ±200
    const queue = [
      seeker("close-new", 1510, now - 1_000),
      seeker("far-old", 1900, now - 60_000), // waited longest, but 400 away: outside my window
      seeker("mid-old", 1650, now - 30_000),
      seeker("near-old", 1600, now - 30_000),
    ];
    expect(pickOpponent(me, queue, now)?.playerId).toBe("near-old");
    expect(pickOpponent(me, [seeker("far", 2200, now - 90_000)], now)).toBeUndefined();
  });

  it("never pairs two players where either blocked the other", () => {
    const now = 100_000;
    const a = { ...seeker("a", 1500, now - 5_000), avoid: ["b"] };
    const b = seeker("b", 1500, now - 4_000);
    const c = seeker("c", 1500, now - 1_000);
    expect(compatible(a, b, now)).toBe(false);
    expect(compatible(b, a, now)).toBe(false);
    expect(pickOpponent(b, [a, c], now)?.playerId).toBe("c");
  });

  it("pairs a queue off longest waiting first, no one twice, and leaves the incompatible waiting", () => {
    const now = 100_000;
    const queue = [
      seeker("new", 1500, now),
      seeker("old", 1520, now - 20_000),
      seeker("far", 2400, now - 30_000),
      seeker("mid", 1490, now - 10_000),
      seeker("lone", 1000, now - 1_000),
    ];
    const pairs = pairOff(queue, now).map(([x, y]) => [x.playerId, y.playerId]);
    // "far" waited longest but nobody is within 500 of 2400; "old" takes the longest-waiting compatible one ("mid").
    expect(pairs).toEqual([["old", "mid"]]);
    const later = pairOff(queue, now + 40_000).map(([x, y]) => [x.playerId, y.playerId]);
    expect(later).toEqual([
      ["old", "mid"],
      ["lone", "new"], // 500 apart: both windows are ±500 by now
    ]);
    expect(new Set(later.flat()).size).toBe(later.flat().length);
  });
});
