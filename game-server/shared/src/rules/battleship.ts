/**
 * Battleship: each seat hides a fleet on its own 10×10 grid, then the seats
 * take turns firing at the other's grid. The first game here with hidden
 * information: a seat never sees the other's ships until they are sunk, and
 * spectators see only the shots, until the game is over.
 *
 * Cells: columns a–j (left to right), rows 1–10 (top to bottom); a cell's
 * index is (row − 1) × 10 + column, 0..99. Moves:
 * - ply 0 (seat 0) and ply 1 (seat 1): the whole fleet at once, the five ships
 *   in the order of FLEET (5, 4, 3, 3, 2 cells), each as its first cell (top or
 *   left end) and "h" (rightwards) or "v" (downwards), comma-separated:
 *   "a1h,c3v,e5h,g7v,j1v". Ships may touch but not overlap. Notation "fleet".
 * - then shots, seat 0 first, one each in turn (hit or not): the cell, "b5".
 *   Notation: the cell, with "x" for a hit and "#" for a hit that sinks a ship.
 * The seat that sinks the whole enemy fleet wins ("fleet-sunk").
 *
 * Hidden information. `view(state, seat)` shows a seat its own fleet, every
 * shot on both grids, and of the enemy fleet only the sunk ships; spectators
 * see the shots and the sunk ships. A view is also a *knowledge state* the
 * rules can run on (`fromView`): the client computes whose turn it is, legal
 * shots and previews from it without ever holding the enemy fleet — a shot at
 * a fleet it does not know is "pending" until the server's view says more.
 * `redactMove` hides a placement from everyone but its owner while the game is
 * on. Once the game is over (by the rules or not: `ended`), everything shows.
 */
import type { Rng } from "./rng.ts";
import type { ApplyResult, GameDefinition, GameResult, RuleError, Seat, TimeControl } from "./types.ts";
import { opponentOf } from "./types.ts";

export const BS_SIZE = 10;
/** Ship lengths, in the order a placement lists them. */
export const BS_FLEET: readonly number[] = [5, 4, 3, 3, 2];
const COLUMNS = "abcdefghij";
const CELL = /^([a-j])(10|[1-9])$/;
const SHIP = /^([a-j])(10|[1-9])([hv])$/;

/** One ship: its length and its cells, from the top/left end. */
export interface BsShip {
  size: number;
  cells: number[];
}

/** One shot at the enemy grid. "pending": fired at a fleet this state does not know (a client's preview). */
export interface BsShot {
  cell: number;
  outcome: "miss" | "hit" | "sunk" | "pending";
}

/**
 * The state, indexed by seat. In the server's state both fleets are complete;
 * in a knowledge state (a view) a fleet the viewer may not see lists only its
 * sunk ships, and `complete` is false for it.
 */
export interface BattleshipState {
  ply: number;
  /** Each seat's ships (empty before it placed them). */
  fleets: [BsShip[], BsShip[]];
  /** Whether `fleets[seat]` is the whole fleet (false: only its sunk ships are known). */
  complete: [boolean, boolean];
  /** Shots fired BY each seat (at the other's grid), in order. */
  shots: [BsShot[], BsShot[]];
  result: GameResult | null;
}

/** What a seat or spectator sees: a knowledge state, plus what drawing it needs. */
export interface BattleshipView extends BattleshipState {
  kind: "battleship";
  size: 10;
  /** Ship lengths of a fleet (the order of a placement). */
  fleetSizes: number[];
  toMove: Seat | null;
  /** The last shot: who fired, where, and what it did. Null before the first shot. */
  lastShot: { seat: Seat; cell: number; outcome: BsShot["outcome"] } | null;
}

const TIME_CONTROLS: readonly TimeControl[] = [
  { id: "2+3", initialSeconds: 120, incrementSeconds: 3 },
  { id: "5+5", initialSeconds: 300, incrementSeconds: 5 },
];

/** The cell index of "b5", or null when it is not a cell. */
export function bsCell(name: string): number | null {
  const m = CELL.exec(name);
  return m ? (Number(m[2]) - 1) * BS_SIZE + COLUMNS.indexOf(m[1]!) : null;
}

/** The name ("b5") of cell index 0..99. */
export function bsCellName(cell: number): string {
  return COLUMNS[cell % BS_SIZE]! + String(Math.floor(cell / BS_SIZE) + 1);
}

/** The cells of a ship of `size` from `cell` in direction `dir`, or null if it leaves the board. */
export function bsShipCells(cell: number, size: number, dir: "h" | "v"): number[] | null {
  const row = Math.floor(cell / BS_SIZE);
  const col = cell % BS_SIZE;
  if (dir === "h" ? col + size > BS_SIZE : row + size > BS_SIZE) return null;
  return Array.from({ length: size }, (_, i) => cell + i * (dir === "h" ? 1 : BS_SIZE));
}

/** A placement move for ships given as [first cell, direction], in fleet order. */
export function bsPlacement(ships: readonly (readonly [number, "h" | "v"])[]): string {
  return ships.map(([cell, dir]) => bsCellName(cell) + dir).join(",");
}

/**
 * The ships of a placement move, or a refusal: BAD_MOVE_FORMAT when it is not
 * five ships in the notation, ILLEGAL_MOVE when a ship leaves the board or two overlap.
 */
export function bsParsePlacement(move: string): { ok: true; ships: BsShip[] } | { ok: false; error: RuleError } {
  const parts = move.split(",");
  if (parts.length !== BS_FLEET.length || parts.some((p) => !SHIP.test(p)))
    return {
      ok: false,
      error: { code: "BAD_MOVE_FORMAT", message: `a fleet is ${BS_FLEET.length} ships such as "a1h,c3v,e5h,g7v,j1v"` },
    };
  const ships: BsShip[] = [];
  const taken = new Set<number>();
  for (const [i, part] of parts.entries()) {
    const size = BS_FLEET[i]!;
    const cells = bsShipCells(bsCell(part.slice(0, -1))!, size, part.slice(-1) as "h" | "v");
    if (!cells)
      return { ok: false, error: { code: "ILLEGAL_MOVE", message: `ship ${i + 1} (${part}, ${size} cells) leaves the board` } };
    if (cells.some((c) => taken.has(c)))
      return { ok: false, error: { code: "ILLEGAL_MOVE", message: `ship ${i + 1} (${part}) overlaps another` } };
    for (const c of cells) taken.add(c);
    ships.push({ size, cells });
  }
  return { ok: true, ships };
}

/** A uniformly drawn valid fleet (each ship at a random free place, in order), as a placement move. */
export function bsRandomPlacement(rng: Rng): string {
  for (;;) {
    const taken = new Set<number>();
    const ships: [number, "h" | "v"][] = [];
    for (const size of BS_FLEET) {
      // 17 cells of 100 leave room for every ship whatever came before; the cap only guards the loop.
      for (let attempt = 0; attempt < 200; attempt++) {
        const dir = rng.int(2) === 0 ? "h" : "v";
        const cell = rng.int(BS_SIZE * BS_SIZE);
        const cells = bsShipCells(cell, size, dir);
        if (!cells || cells.some((c) => taken.has(c))) continue;
        for (const c of cells) taken.add(c);
        ships.push([cell, dir]);
        break;
      }
    }
    if (ships.length === BS_FLEET.length) return bsPlacement(ships);
  }
}

/** Whether every cell of `ship` was fired at. */
function sunk(ship: BsShip, fired: ReadonlySet<number>): boolean {
  return ship.cells.every((c) => fired.has(c));
}

function firedAt(shots: readonly BsShot[]): Set<number> {
  return new Set(shots.map((s) => s.cell));
}

function toMove(state: BattleshipState): Seat | null {
  return state.result ? null : ((state.ply % 2) as Seat);
}

function fail(code: RuleError["code"], message: string): ApplyResult<BattleshipState> {
  return { ok: false, error: { code, message } };
}

/** Ten fleets, one ship a row on every other row (the rows shifted by k): the placements `legalMoves` lists. */
const LISTED_PLACEMENTS: readonly string[] = Array.from({ length: 10 }, (_, k) =>
  bsPlacement(BS_FLEET.map((_, i) => [((k + 2 * i) % BS_SIZE) * BS_SIZE, "h"] as const)),
);

function applyShot(state: BattleshipState, move: string, seat: Seat): ApplyResult<BattleshipState> {
  const cell = bsCell(move);
  if (cell === null) return fail("BAD_MOVE_FORMAT", `a shot is a cell a1..j10, got ${JSON.stringify(move)}`);
  if (state.result) return fail("GAME_OVER", "the game is over");
  if (toMove(state) !== seat) return fail("NOT_YOUR_TURN", "it is not your turn");
  const fired = firedAt(state.shots[seat]);
  if (fired.has(cell)) return fail("ILLEGAL_MOVE", `you already fired at ${move}`);
  fired.add(cell);
  const enemy = opponentOf(seat);
  const fleet = state.fleets[enemy];
  let outcome: BsShot["outcome"] = "pending";
  let result: GameResult | null = null;
  if (state.complete[enemy]) {
    const ship = fleet.find((s) => s.cells.includes(cell));
    outcome = !ship ? "miss" : sunk(ship, fired) ? "sunk" : "hit";
    if (outcome === "sunk" && fleet.every((s) => sunk(s, fired))) result = { winner: seat, reason: "fleet-sunk" };
  }
  const shots: [BsShot[], BsShot[]] = [state.shots[0], state.shots[1]];
  shots[seat] = [...state.shots[seat], { cell, outcome }];
  const notation = move + (outcome === "hit" ? "x" : outcome === "sunk" ? "#" : "");
  return { ok: true, state: { ...state, ply: state.ply + 1, shots, result }, notation };
}

/** What `you` may know of the state: a knowledge state. `revealed`: everything (the game is over). */
function knowledge(state: BattleshipState, you: Seat | null, revealed: boolean): BattleshipState {
  if (revealed) return state;
  const fleets: [BsShip[], BsShip[]] = [state.fleets[0], state.fleets[1]];
  const complete: [boolean, boolean] = [state.complete[0], state.complete[1]];
  for (const seat of [0, 1] as const) {
    if (seat === you) continue;
    const fired = firedAt(state.shots[opponentOf(seat)]);
    fleets[seat] = state.fleets[seat].filter((s) => sunk(s, fired));
    complete[seat] = false;
  }
  return { ...state, fleets, complete };
}

/** Battleship rules. Seat 0 places first and fires first. */
export const battleship: GameDefinition<BattleshipState, BattleshipView> = {
  id: "battleship",
  name: "Battleship",
  seatNames: ["Blue", "Orange"],
  timeControls: TIME_CONTROLS,

  setup() {
    return { ply: 0, fleets: [[], []], complete: [true, true], shots: [[], []], result: null };
  },

  ply(state) {
    return state.ply;
  },

  toMove,

  // A fleet can be placed in some 30 billion ways: during placement only ten canonical fleets are
  // listed (bots and the client draw random ones with bsRandomPlacement); `apply` accepts any valid fleet.
  legalMoves(state, seat) {
    if (toMove(state) !== seat) return [];
    if (state.ply < 2) return LISTED_PLACEMENTS.slice();
    const fired = firedAt(state.shots[seat]);
    const moves: string[] = [];
    for (let cell = 0; cell < BS_SIZE * BS_SIZE; cell++) if (!fired.has(cell)) moves.push(bsCellName(cell));
    return moves;
  },

  apply(state, move, seat) {
    if (typeof move !== "string") return fail("BAD_MOVE_FORMAT", "a move is a string");
    if (state.ply >= 2) return applyShot(state, move, seat);
    if (state.result) return fail("GAME_OVER", "the game is over");
    const parsed = bsParsePlacement(move);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (toMove(state) !== seat) return fail("NOT_YOUR_TURN", "it is not your turn");
    const fleets: [BsShip[], BsShip[]] = [state.fleets[0], state.fleets[1]];
    const complete: [boolean, boolean] = [state.complete[0], state.complete[1]];
    fleets[seat] = parsed.ships;
    complete[seat] = true;
    return { ok: true, state: { ...state, ply: state.ply + 1, fleets, complete }, notation: "fleet" };
  },

  result(state) {
    return state.result;
  },

  canWin(state, seat) {
    return state.result === null || state.result.winner === seat;
  },

  view(state, you, ended = false) {
    const k = knowledge(state, you, ended || state.result !== null);
    let lastShot: BattleshipView["lastShot"] = null;
    if (state.ply > 2) {
      const seat = ((state.ply - 1) % 2) as Seat;
      const shot = state.shots[seat][state.shots[seat].length - 1]!;
      lastShot = { seat, cell: shot.cell, outcome: shot.outcome };
    }
    return {
      kind: "battleship",
      size: 10,
      fleetSizes: BS_FLEET.slice(),
      ply: k.ply,
      toMove: toMove(k),
      fleets: [k.fleets[0].map(copyShip), k.fleets[1].map(copyShip)],
      complete: [k.complete[0], k.complete[1]],
      shots: [k.shots[0].map((s) => ({ ...s })), k.shots[1].map((s) => ({ ...s }))],
      result: k.result,
      lastShot,
    };
  },

  fromView(view) {
    return {
      ply: view.ply,
      fleets: [view.fleets[0].map(copyShip), view.fleets[1].map(copyShip)],
      complete: [view.complete[0], view.complete[1]],
      shots: [view.shots[0].map((s) => ({ ...s })), view.shots[1].map((s) => ({ ...s }))],
      result: view.result,
    };
  },

  redactMove(move, you) {
    // A fleet is its owner's secret; a shot (and its outcome) both seats and the spectators see.
    return move.ply < 2 && you !== move.seat
      ? { move: "fleet", notation: "fleet" }
      : { move: move.move, notation: move.notation };
  },
};

function copyShip(s: BsShip): BsShip {
  return { size: s.size, cells: s.cells.slice() };
}
