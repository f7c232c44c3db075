/**
 * The Watch list: live games across every node, read from Colyseus' room
 * listings (in Redis with the RedisDriver, in memory on a single node). Each
 * GameRoom keeps its listing's metadata up to date.
 */
import { matchMaker } from "@colyseus/core";
import { GAME_ROOM } from "@tabula/shared/protocol";

/** What a game room publishes in its listing. */
export interface GameListingMetadata {
  kind: string;
  timeControl: string;
  players: Array<{ name: string; isBot: boolean }>;
  spectators: number;
  status: string;
  node: string;
  createdAt: number;
  /** A game with a password: watching it needs the password. */
  private?: boolean;
}

export interface LiveGame {
  gameId: string;
  kind: string;
  timeControl: string;
  players: Array<{ name: string; isBot: boolean }>;
  spectators: number;
  node: string;
  createdAt: number;
  /** Watching needs the game's password (join option `password`). */
  private: boolean;
}

/** Live (not yet finished) games, newest first. */
export async function listLiveGames(limit = 200): Promise<LiveGame[]> {
  const rooms = await matchMaker.query({ name: GAME_ROOM });
  return rooms
    .filter((r) => (r.metadata as GameListingMetadata | undefined)?.status === "active")
    .map((r) => {
      const m = r.metadata as GameListingMetadata;
      return {
        gameId: r.roomId,
        kind: m.kind,
        timeControl: m.timeControl,
        players: m.players,
        spectators: m.spectators,
        node: m.node,
        createdAt: m.createdAt,
        private: m.private === true,
      };
    })
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, limit);
}
