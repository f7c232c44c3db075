/**
 * The Watch list's data (pure; no DOM): reading `GET /api/live-games`,
 * wording its entries, and the spectator link.
 */
import type { GameKind } from "@tabula/shared/rules";
import { ago, GAME_NAMES } from "./format.ts";
import { t } from "./i18n/index.ts";

export interface LivePlayer {
  name: string;
  isBot: boolean;
}

/** One live game as the Watch list shows it. */
export interface LiveGame {
  gameId: string;
  kind: GameKind;
  /** Time control id, e.g. "3+2". */
  timeControl: string;
  players: [LivePlayer, LivePlayer];
  spectators: number;
  /** Node hosting the game. */
  node: string;
  /** Start time, epoch ms (server clock). */
  createdAt: number;
  /** A private game: watching needs its password. */
  private: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function player(v: unknown): LivePlayer | null {
  if (!isObject(v) || typeof v.name !== "string") return null;
  return { name: v.name, isBot: v.isBot === true };
}

/**
 * The games of a `GET /api/live-games` body, in the server's order (newest
 * first). Entries this client cannot show (unknown game, malformed) are skipped
 * rather than breaking the whole list.
 */
export function parseLiveGames(body: unknown): LiveGame[] {
  const games = isObject(body) && Array.isArray(body.games) ? body.games : null;
  if (!games) throw new Error("unexpected answer from the server");
  const out: LiveGame[] = [];
  const seen = new Set<string>();
  for (const g of games) {
    if (!isObject(g) || typeof g.gameId !== "string" || g.gameId === "" || seen.has(g.gameId)) continue;
    if (typeof g.kind !== "string" || !Object.hasOwn(GAME_NAMES, g.kind)) continue;
    const players = Array.isArray(g.players) ? g.players.map(player) : [];
    if (players.length !== 2 || !players[0] || !players[1]) continue;
    seen.add(g.gameId);
    out.push({
      gameId: g.gameId,
      kind: g.kind as GameKind,
      timeControl: typeof g.timeControl === "string" ? g.timeControl : "",
      players: [players[0], players[1]],
      spectators: typeof g.spectators === "number" && g.spectators > 0 ? Math.floor(g.spectators) : 0,
      node: typeof g.node === "string" ? g.node : "",
      createdAt: typeof g.createdAt === "number" ? g.createdAt : Number.NaN,
      private: g.private === true,
    });
  }
  return out;
}

/** "started just now", "started 40 seconds ago", "started 3 minutes ago", "started 1 h 5 min ago" (current language). */
export function startedAgo(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 10) return t("lobby:startedJustNow");
  const m = Math.floor(s / 60);
  if (m < 60) return t("lobby:started", { ago: ago(s < 60 ? s * 1000 : m * 60_000) });
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest === 0 ? t("lobby:started", { ago: ago(h * 3_600_000) }) : t("lobby:startedHours", { h, m: rest });
}

/** "nobody watching", "1 watching", "12 watching". */
export function watchingLabel(n: number): string {
  return n > 0 ? t("lobby:watching", { count: n }) : t("lobby:nobodyWatching");
}

/** The link that opens a game as a spectator. */
export function watchUrl(origin: string, gameId: string): string {
  return `${origin.replace(/\/$/, "")}/?watch=${encodeURIComponent(gameId)}`;
}

/** "Alice vs Bob" (plain text; the list adds the bot badges itself). */
export function matchup(players: readonly [LivePlayer, LivePlayer]): string {
  return t("common:vs", { a: players[0].name, b: players[1].name });
}
