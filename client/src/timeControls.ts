/**
 * Games and time controls on offer, straight from the shared rules.
 */
import { GAMES } from "@tabula/shared/rules";
import type { GameDefinition, GameKind, TimeControl } from "@tabula/shared/rules";
import { timeControlLabel } from "./format.ts";

export function gameDefinitions(): GameDefinition[] {
  return Object.values(GAMES as Record<string, GameDefinition>);
}

export function timeControlsOf(kind: GameKind): readonly TimeControl[] {
  return gameDefinitions().find((d) => d.id === kind)?.timeControls ?? [];
}

/** "3 min + 2 s" for a time control id such as "3+2" (the id itself if unknown). */
export function timeControlLabelById(kind: GameKind, id: string): string {
  const tc = timeControlsOf(kind).find((t) => t.id === id);
  return tc ? timeControlLabel(tc) : id;
}
