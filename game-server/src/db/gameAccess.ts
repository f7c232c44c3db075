/**
 * Who may watch a game without its password: the seat reservation of any
 * node asks this of a game it may not host (rooms/reservation.ts). One
 * primary-key read, as a named prepared statement on the pg pool like the
 * other statements of a live game (liveGames.ts); never the replica, so a
 * game made a moment ago is seen. A game's seats and password never change
 * once it is made, so each node remembers the answer (the newest
 * ACCESS_REMEMBER games): a player's joins and rejoins of a game cost one
 * read per node, not one each.
 */
import type { Sql } from "./client.ts";
import { guard } from "./errors.ts";

/** The game's seats and its password hash (null: not private). */
export interface GameAccess {
  seatIds: [string, string];
  passwordHash: string | null;
}

const ACCESS = `SELECT "seat0Id", "seat1Id", "passwordHash" FROM "Game" WHERE id = $1`;

/** Games whose access a node remembers at most (oldest forgotten first). */
export const ACCESS_REMEMBER = 20_000;

export function createGameAccessStatements(sql: Pick<Sql, "query">) {
  const known = new Map<string, GameAccess>();
  return {
    /** The seats and password hash of game `gameId`, or null when there is no such game (not remembered). */
    async accessOf(gameId: string): Promise<GameAccess | null> {
      const hit = known.get(gameId);
      if (hit) return hit;
      const { rows } = await guard(() => sql.query({ name: "tabula_game_access", text: ACCESS, values: [gameId] }));
      const r = rows[0] as { seat0Id: string; seat1Id: string; passwordHash: string | null } | undefined;
      if (!r) return null;
      const access: GameAccess = { seatIds: [r.seat0Id, r.seat1Id], passwordHash: r.passwordHash };
      if (known.size >= ACCESS_REMEMBER) known.delete(known.keys().next().value as string);
      known.set(gameId, access);
      return access;
    },
  };
}
