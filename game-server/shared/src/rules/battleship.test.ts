import { describe, expect, it } from "vitest";
import { battleship, bsCell, bsCellName, bsParsePlacement, bsRandomPlacement, type BattleshipState } from "./battleship.ts";
import { chooseBotMove } from "./bot.ts";
import { replay } from "./replay.ts";
import { createRng } from "./rng.ts";
import type { Seat } from "./types.ts";

// Seat 0: carrier a1–e1, battleship a3–a6, cruiser c3–e3, submarine j1–j3, destroyer g9–h9.
const FLEET0 = "a1h,a3v,c3h,j1v,g9h";
// Seat 1: carrier f10–j10 … destroyer a1–b1.
const FLEET1 = "f10h,b3v,d5h,h2v,a1h";

function play(moves: readonly string[], state: BattleshipState = battleship.setup("t")): BattleshipState {
  for (const m of moves) {
    const seat = battleship.toMove(state)!;
    const r = battleship.apply(state, m, seat);
    if (!r.ok) throw new Error(`${m}: ${r.error.message}`);
    state = r.state;
  }
  return state;
}

const cells = (names: string) => names.split(" ").map((n) => bsCell(n)!);

describe("battleship placement", () => {
  it("names cells a1..j10, row-major from the top left", () => {
    expect(bsCell("a1")).toBe(0);
    expect(bsCell("j1")).toBe(9);
    expect(bsCell("a10")).toBe(90);
    expect(bsCell("j10")).toBe(99);
    expect(bsCell("k1") ?? bsCell("a11") ?? bsCell("a0") ?? bsCell("A1")).toBeNull();
    for (let c = 0; c < 100; c++) expect(bsCell(bsCellName(c))).toBe(c);
  });

  it("accepts a fleet of 5, 4, 3, 3, 2 that stays on the board and does not overlap", () => {
    const p = bsParsePlacement(FLEET0);
    expect(p.ok && p.ships.map((s) => s.size)).toEqual([5, 4, 3, 3, 2]);
    expect(p.ok && p.ships[1]!.cells).toEqual(cells("a3 a4 a5 a6"));
  });

  it("refuses a malformed fleet as BAD_MOVE_FORMAT and an impossible one as ILLEGAL_MOVE", () => {
    const s = battleship.setup("t");
    for (const bad of [
      "",
      "a1h",
      "a1h,a3v,c3h,j1v",
      "a1h,a3v,c3h,j1v,g9h,b9h",
      "a1x,a3v,c3h,j1v,g9h",
      "b5",
      "a1h;a3v;c3h;j1v;g9h",
    ])
      expect(battleship.apply(s, bad, 0)).toMatchObject({ ok: false, error: { code: "BAD_MOVE_FORMAT" } });
    // The carrier from g1 rightwards leaves the board; the destroyer down from j10 too.
    expect(battleship.apply(s, "g1h,a3v,c3h,j1v,g9h", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(battleship.apply(s, "a1h,a3v,c3h,j1v,j10v", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    // The cruiser on c1 crosses the carrier.
    expect(battleship.apply(s, "a1h,a3v,c1v,j1v,g9h", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(battleship.apply(s, FLEET0, 1)).toMatchObject({ ok: false, error: { code: "NOT_YOUR_TURN" } });
  });

  it("has seat 0 then seat 1 place, then seat 0 fire first", () => {
    let s = battleship.setup("t");
    expect(battleship.toMove(s)).toBe(0);
    s = play([FLEET0], s);
    expect(battleship.toMove(s)).toBe(1);
    s = play([FLEET1], s);
    expect(battleship.toMove(s)).toBe(0);
    expect(battleship.legalMoves(s, 0)).toHaveLength(100);
    expect(battleship.legalMoves(s, 1)).toEqual([]);
  });

  it("lists placements that apply, and draws random ones that do", () => {
    const s = battleship.setup("t");
    for (const m of battleship.legalMoves(s, 0)) expect(battleship.apply(s, m, 0).ok).toBe(true);
    for (let i = 0; i < 200; i++) expect(battleship.apply(s, bsRandomPlacement(createRng(`r${i}`)), 0).ok).toBe(true);
    expect(bsRandomPlacement(createRng("same"))).toBe(bsRandomPlacement(createRng("same")));
  });
});

describe("battleship shots", () => {
  const placed = () => play([FLEET0, FLEET1]);

  it("tells a miss, a hit and a sinking shot apart, in the notation too", () => {
    const s = placed();
    const miss = battleship.apply(s, "e7", 0);
    expect(miss).toMatchObject({ ok: true, notation: "e7" });
    const hit = battleship.apply(s, "a1", 0);
    expect(hit).toMatchObject({ ok: true, notation: "a1x" });
    // Seat 1's destroyer a1–b1: a1 then (after seat 1's shot) b1 sinks it.
    const after = play(["a1", "e5", "b1"], s);
    expect(after.shots[0].map((x) => x.outcome)).toEqual(["hit", "sunk"]);
    expect(after.shots[1]).toEqual([{ cell: bsCell("e5"), outcome: "miss" }]);
  });

  it("alternates whatever the shot did, and refuses a cell fired at before", () => {
    const s = play(["a1"], placed());
    expect(battleship.toMove(s)).toBe(1);
    expect(battleship.apply(s, "a1", 0)).toMatchObject({ ok: false, error: { code: "NOT_YOUR_TURN" } });
    const t = play(["j10"], s);
    expect(battleship.apply(t, "a1", 0)).toMatchObject({ ok: false, error: { code: "ILLEGAL_MOVE" } });
    expect(battleship.legalMoves(t, 0)).not.toContain("a1");
    expect(battleship.apply(t, "a1h,a3v,c3h,j1v,g9h", 0)).toMatchObject({ ok: false, error: { code: "BAD_MOVE_FORMAT" } });
  });

  it("ends when a whole fleet is sunk: the shooter wins", () => {
    const targets = bsParsePlacement(FLEET1);
    if (!targets.ok) throw new Error("fleet");
    const shots0 = targets.ships.flatMap((s) => s.cells).map(bsCellName);
    const misses1 = ["e5", "e6", "e7", "e8", "f5", "f6", "f7", "f8", "g5", "g6", "g7", "g8", "h5", "h6", "h7", "h8"];
    const moves = [FLEET0, FLEET1];
    for (let i = 0; i < shots0.length; i++) moves.push(shots0[i]!, ...(i < shots0.length - 1 ? [misses1[i]!] : []));
    const end = play(moves);
    expect(battleship.result(end)).toEqual({ winner: 0, reason: "fleet-sunk" });
    expect(battleship.toMove(end)).toBeNull();
    expect(battleship.legalMoves(end, 1)).toEqual([]);
    expect(battleship.apply(end, "a5", 1)).toMatchObject({ ok: false, error: { code: "GAME_OVER" } });
    expect(battleship.canWin(end, 1)).toBe(false);
  });
});

describe("battleship views", () => {
  const enemyShipCells = (v: ReturnType<typeof battleship.view>, seat: Seat) => v.fleets[seat].flatMap((s) => s.cells);

  it("shows a seat its own fleet, never the enemy's unsunk ships; spectators no fleet", () => {
    const s = play([FLEET0, FLEET1, "a1", "e5"]);
    const v0 = battleship.view(s, 0);
    expect(v0.fleets[0]).toHaveLength(5);
    expect(v0.fleets[1]).toEqual([]);
    expect(v0.complete).toEqual([true, false]);
    const v1 = battleship.view(s, 1);
    expect(v1.fleets[0]).toEqual([]);
    expect(v1.fleets[1]).toHaveLength(5);
    const spectator = battleship.view(s, null);
    expect(spectator.fleets).toEqual([[], []]);
    // Shots and their outcomes are public.
    for (const v of [v0, v1, spectator]) expect(v.shots).toEqual(s.shots);
    expect(v0.lastShot).toEqual({ seat: 1, cell: bsCell("e5"), outcome: "miss" });
  });

  it("reveals a ship once sunk, and everything once the game is over", () => {
    const s = play([FLEET0, FLEET1, "a1", "e5", "b1"]);
    for (const you of [0, null] as const) expect(enemyShipCells(battleship.view(s, you), 1)).toEqual(cells("a1 b1"));
    // Over off the board (resignation, time…): `ended` reveals both fleets to everyone.
    for (const you of [0, 1, null] as const) {
      const v = battleship.view(s, you, true);
      expect(v.fleets.map((f) => f.length)).toEqual([5, 5]);
      expect(v.complete).toEqual([true, true]);
    }
  });

  it("a view is a knowledge state: turn, legal shots and pending previews without the enemy fleet", () => {
    const s = play([FLEET0, FLEET1, "a1"]);
    const known = battleship.fromView!(battleship.view(s, 1));
    expect(battleship.toMove(known)).toBe(1);
    expect(battleship.legalMoves(known, 1)).toEqual(battleship.legalMoves(s, 1));
    const preview = battleship.apply(known, "c3", 1);
    expect(preview).toMatchObject({ ok: true, notation: "c3" });
    expect(preview.ok && preview.state.shots[1]).toEqual([{ cell: bsCell("c3"), outcome: "pending" }]);
    // The same shot on the server's state: a hit on seat 0's cruiser.
    expect(battleship.apply(s, "c3", 1)).toMatchObject({ ok: true, notation: "c3x" });
    expect(battleship.view(known, 1)).toEqual(battleship.view(s, 1));
  });

  it("redacts a fleet from everyone but its owner while the game is on", () => {
    const record = { ply: 0, seat: 0 as Seat, move: FLEET0, notation: "fleet" };
    expect(battleship.redactMove!(record, 0)).toEqual({ move: FLEET0, notation: "fleet" });
    expect(battleship.redactMove!(record, 1)).toEqual({ move: "fleet", notation: "fleet" });
    expect(battleship.redactMove!(record, null)).toEqual({ move: "fleet", notation: "fleet" });
    const shot = { ply: 2, seat: 0 as Seat, move: "a1", notation: "a1x" };
    expect(battleship.redactMove!(shot, 1)).toEqual({ move: "a1", notation: "a1x" });
  });
});

describe("battleship bots and replay", () => {
  it("bot games are legal, end with a sunk fleet, and never use the enemy's hidden ships", () => {
    let lengths = 0;
    for (let g = 0; g < 20; g++) {
      let state = battleship.setup(`g${g}`);
      while (battleship.toMove(state) !== null && state.ply < 202) {
        const seat = battleship.toMove(state)!;
        const move = chooseBotMove(battleship, state, seat, createRng(`g${g}:${state.ply}`));
        // The same move from the seat's knowledge alone: the bot does not look at what it may not see.
        if (state.ply >= 2)
          expect(
            chooseBotMove(battleship, battleship.fromView!(battleship.view(state, seat)), seat, createRng(`g${g}:${state.ply}`)),
          ).toBe(move);
        const r = battleship.apply(state, move, seat);
        if (!r.ok) throw new Error(`${move}: ${r.error.message}`);
        state = r.state;
      }
      expect(battleship.result(state)?.reason).toBe("fleet-sunk");
      lengths += state.ply;
    }
    // Hunt and target sinks a fleet in far fewer than the 100 shots of a blind search (about 50 each on average).
    expect(lengths / 20).toBeLessThan(2 + 2 * 75);
  });

  it("replays deterministically from the log, with the same notations", () => {
    const moves = [FLEET0, FLEET1, "a1", "e5", "b1", "a1"];
    const a = replay(battleship, "x", moves);
    const b = replay(battleship, "y", moves);
    expect(a).toEqual(b);
    expect(a.ok && a.notations).toEqual(["fleet", "fleet", "a1x", "e5", "b1#", "a1x"]);
    expect(replay(battleship, "x", [FLEET0, "a1"])).toMatchObject({ ok: false, ply: 1, error: { code: "BAD_MOVE_FORMAT" } });
  });
});
