// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { LowTimeAlarm, MUTE_KEY, movedSounds, moveSound, SoundPlayer, snapshotSounds } from "./sounds.ts";

describe("which event plays which sound", () => {
  it("a move by its notation: chess check, capture or plain move; a Connect Four disc is a move", () => {
    expect(moveSound("chess", "e4")).toBe("move");
    expect(moveSound("chess", "exd5")).toBe("capture");
    expect(moveSound("chess", "Bxf7+")).toBe("check");
    expect(moveSound("chess", "Qh4#")).toBe("check");
    expect(moveSound("chess", "O-O")).toBe("move");
    expect(moveSound("connect4", "d1")).toBe("move");
    expect(movedSounds("chess", "Rd8#", true)).toEqual(["check", "end"]);
    expect(movedSounds("connect4", "d4", false)).toEqual(["move"]);
  });

  it("snapshots: a new game's start and a game ending while we watch; never a resync or a game joined late", () => {
    const g = (gameId: string, active: boolean, ply: number) => ({ gameId, active, ply });
    expect(snapshotSounds(null, g("a", true, 0))).toEqual(["start"]);
    expect(snapshotSounds(g("a", false, 9), g("b", true, 0))).toEqual(["start"]); // a rematch
    expect(snapshotSounds(null, g("a", true, 7))).toEqual([]); // joined (or reloaded) a game under way
    expect(snapshotSounds(null, g("a", false, 7))).toEqual([]); // a finished game
    expect(snapshotSounds(g("a", true, 4), g("a", true, 4))).toEqual([]); // a resync: nothing new
    expect(snapshotSounds(g("a", true, 4), g("a", true, 6))).toEqual([]); // caught up after a reconnection
    expect(snapshotSounds(g("a", true, 0), g("a", true, 0))).toEqual([]); // presence or offers changed
    expect(snapshotSounds(g("a", true, 4), g("a", false, 4))).toEqual(["end"]); // resigned, timed out, claimed…
    expect(snapshotSounds(g("a", false, 4), g("a", false, 4))).toEqual([]); // a rematch offer after the end
  });

  it("low time: once per game, when the clock drops under a tenth of the initial time (at most 20 s)", () => {
    const alarm = new LowTimeAlarm();
    expect(alarm.check("a", 30_000, 180_000)).toBe(false);
    expect(alarm.check("a", 18_001, 180_000)).toBe(false);
    expect(alarm.check("a", 17_999, 180_000)).toBe(true);
    expect(alarm.check("a", 12_000, 180_000)).toBe(false); // once
    expect(alarm.check("a", 30_000, 180_000)).toBe(false); // not again after an increment
    expect(alarm.check("a", 10_000, 180_000)).toBe(false);
    expect(alarm.check("b", 25_000, 600_000)).toBe(false); // 10 min: 20 s at most
    expect(alarm.check("b", 19_900, 600_000)).toBe(true);
    expect(alarm.check("c", 5_000, 60_000)).toBe(false); // joined already low: not a drop
  });
});

describe("SoundPlayer", () => {
  afterEach(() => localStorage.removeItem(MUTE_KEY));

  it("remembers the mute switch; a muted player still records what it was asked (and plays nothing)", () => {
    const a = new SoundPlayer();
    expect(a.muted).toBe(false);
    a.setMuted(true);
    expect(localStorage.getItem(MUTE_KEY)).toBe("1");
    expect(new SoundPlayer().muted).toBe(true);
    a.play("check");
    expect([a.last, a.count]).toEqual(["check", 1]);
    a.setMuted(false);
    expect(new SoundPlayer().muted).toBe(false);
  });
});
