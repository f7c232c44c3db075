/**
 * Every system the runner knows, by id: the plain-Colyseus ceiling and
 * Tabula's (this folder), boardgame.io's two (bots/bench/bgio/systems.ts).
 */
import { bgioSystems } from "../bgio/systems.ts";
import type { BenchSystem } from "../types.ts";
import { colyseusRoomsSystem, colyseusSystem } from "./colyseus.ts";
import { missingTools, tabulaSystem } from "./tabula.ts";

export interface Catalogue {
  systems: Map<string, BenchSystem>;
  /** Systems that cannot run here, and why. */
  unavailable: Map<string, string>;
}

/** The systems available here (and why the others are not). */
export async function catalogue(): Promise<Catalogue> {
  const systems = new Map<string, BenchSystem>([
    [colyseusSystem.id, colyseusSystem],
    [colyseusRoomsSystem.id, colyseusRoomsSystem],
  ]);
  const unavailable = new Map<string, string>();
  for (const s of bgioSystems) systems.set(s.id, s);
  for (const n of [1, 2] as const) {
    const missing = missingTools(n);
    if (missing.length)
      unavailable.set(`tabula-${n}`, `${missing.join(" and ")} not installed (Debian: apt-get install ${missing.join(" ")})`);
    else systems.set(`tabula-${n}`, tabulaSystem(n));
  }
  return { systems, unavailable };
}
