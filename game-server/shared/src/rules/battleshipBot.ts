/**
 * The built-in Battleship policy: a random fleet, then hunt and target.
 *
 * It plays from what its seat may know only — the seat's view turned back
 * into a knowledge state (`battleship.fromView`) — so a bot hosted next to the
 * whole state can never peek at the enemy fleet.
 *
 * Hunt: fire at random on a checkerboard whose spacing is the shortest ship
 * still afloat cannot fit between (every ship of length ≥ 2 covers a black
 * cell). Target: once a ship is hit and not yet sunk, extend a line of two or
 * more hits along its direction, else try the four neighbours of a hit.
 */
import { BS_SIZE, battleship, bsCellName, bsRandomPlacement, type BattleshipState } from "./battleship.ts";
import type { Rng } from "./rng.ts";
import { opponentOf, type Seat } from "./types.ts";

/** The bot's move for `seat` (which must be to move) in the full or known state `state`. */
export function battleshipBotMove(state: BattleshipState, seat: Seat, rng: Rng): string | undefined {
  if (battleship.toMove(state) !== seat) return undefined;
  if (state.ply < 2) return bsRandomPlacement(rng);
  const known = battleship.fromView!(battleship.view(state, seat));
  const shots = known.shots[seat];
  const fired = new Set(shots.map((s) => s.cell));
  const sunkCells = new Set(known.fleets[opponentOf(seat)].flatMap((s) => s.cells));
  // Hits on ships still afloat.
  const open = shots.filter((s) => (s.outcome === "hit" || s.outcome === "sunk") && !sunkCells.has(s.cell)).map((s) => s.cell);
  const free = (cell: number) => cell >= 0 && cell < BS_SIZE * BS_SIZE && !fired.has(cell);
  const neighbours = (cell: number): number[] => {
    const row = Math.floor(cell / BS_SIZE);
    const col = cell % BS_SIZE;
    const out: number[] = [];
    if (col > 0) out.push(cell - 1);
    if (col < BS_SIZE - 1) out.push(cell + 1);
    if (row > 0) out.push(cell - BS_SIZE);
    if (row < BS_SIZE - 1) out.push(cell + BS_SIZE);
    return out.filter(free);
  };

  if (open.length > 0) {
    const hits = new Set(open);
    // Line ends: a free cell next to a hit that continues a hit on the other side, along the same row or column.
    const ends: number[] = [];
    for (const cell of open) {
      for (const step of [1, -1, BS_SIZE, -BS_SIZE]) {
        const back = cell - step;
        const next = cell + step;
        const sameLine = step === 1 || step === -1 ? Math.floor(back / BS_SIZE) === Math.floor(cell / BS_SIZE) : true;
        const nextInLine = step === 1 || step === -1 ? Math.floor(next / BS_SIZE) === Math.floor(cell / BS_SIZE) : true;
        if (sameLine && nextInLine && hits.has(back) && free(next)) ends.push(next);
      }
    }
    const targets = ends.length > 0 ? ends : open.flatMap(neighbours);
    if (targets.length > 0) return bsCellName(targets[rng.int(targets.length)]!);
  }

  const afloat = battleship.view(state, seat).fleetSizes.slice();
  for (const ship of known.fleets[opponentOf(seat)]) afloat.splice(afloat.indexOf(ship.size), 1);
  const spacing = Math.max(2, Math.min(...afloat));
  const all = [...Array(BS_SIZE * BS_SIZE).keys()].filter(free);
  const hunt = all.filter((c) => (Math.floor(c / BS_SIZE) + (c % BS_SIZE)) % spacing === 0);
  const pool = hunt.length > 0 ? hunt : all;
  return pool.length > 0 ? bsCellName(pool[rng.int(pool.length)]!) : undefined;
}
