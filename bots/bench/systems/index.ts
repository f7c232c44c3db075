/**
 * Every system the runner knows, by id. boardgame.io's two systems come from
 * bots/bench/bgio/systems.ts (its own module, `bgioSystems`), loaded only
 * when that file exists: until then they are "not available".
 */
import { existsSync } from "node:fs";
import type { BenchSystem } from "../types.ts";
import { colyseusSystem } from "./colyseus.ts";
import { missingTools, tabulaSystem } from "./tabula.ts";

export interface Catalogue {
  systems: Map<string, BenchSystem>;
  /** Systems that cannot run here, and why. */
  unavailable: Map<string, string>;
}

const BGIO_MODULE = new URL("../bgio/systems.ts", import.meta.url);

/** The systems available here (and why the others are not). */
export async function catalogue(): Promise<Catalogue> {
  const systems = new Map<string, BenchSystem>([[colyseusSystem.id, colyseusSystem]]);
  const unavailable = new Map<string, string>();
  if (existsSync(BGIO_MODULE)) {
    const mod = (await import(BGIO_MODULE.href)) as { bgioSystems?: BenchSystem[] };
    for (const s of mod.bgioSystems ?? []) systems.set(s.id, s);
  }
  for (const id of ["bgio-memory", "bgio-postgres"]) {
    if (!systems.has(id)) unavailable.set(id, "bots/bench/bgio/systems.ts is not on this branch yet");
  }
  for (const n of [1, 2] as const) {
    const missing = missingTools(n);
    if (missing.length)
      unavailable.set(`tabula-${n}`, `${missing.join(" and ")} not installed (Debian: apt-get install ${missing.join(" ")})`);
    else systems.set(`tabula-${n}`, tabulaSystem(n));
  }
  return { systems, unavailable };
}
