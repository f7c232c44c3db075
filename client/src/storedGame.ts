/**
 * The game open in this tab, kept in sessionStorage so that a reload rejoins
 * it (as a player or a spectator). Storage may be missing or refuse writes
 * (private modes): then a reload simply starts in the lobby.
 */
const CURRENT_GAME_KEY = "tabula.currentGame";

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

function session(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** Remember the open game. */
export function rememberGame(gameId: string, spectate: boolean, storage: Storage | null = session()): void {
  try {
    storage?.setItem(CURRENT_GAME_KEY, JSON.stringify({ gameId, spectate }));
  } catch {
    // storage refused: no resume after reload
  }
}

/** The game to resume after a reload, if one was open (anything malformed counts as none). */
export function storedGame(storage: Storage | null = session()): { gameId: string; spectate: boolean } | null {
  try {
    const raw = storage?.getItem(CURRENT_GAME_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as { gameId?: unknown; spectate?: unknown } | null;
    return typeof v?.gameId === "string" ? { gameId: v.gameId, spectate: v.spectate === true } : null;
  } catch {
    return null;
  }
}

/** Forget it (the game was left for good, or cannot be joined any more). */
export function forgetStoredGame(storage: Storage | null = session()): void {
  try {
    storage?.removeItem(CURRENT_GAME_KEY);
  } catch {
    // ignore
  }
}
