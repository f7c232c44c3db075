/**
 * One pairing burst through the public protocol: N guest identities are
 * taken first (not timed), then all N quick-plays are sent at once and each
 * ticket is long-polled until it says "matched". A player's pairing time runs
 * from just before its quick-play request to the answer that says matched.
 */
import type { GameKind } from "@tabula/shared/rules";
import { createTokenService } from "../../game-server/src/auth/tokens.ts";
import { createGuest, HttpFailure, liveGames, pollTicket, quickPlay } from "../src/http.ts";

export interface PlayerOutcome {
  player: string;
  /** Request → "matched" answer, ms; null when never matched. */
  pairingMs: number | null;
  gameId: string | null;
  /** Long polls after the quick-play answer. */
  polls: number;
  /** Error kind (e.g. http_503_UNAVAILABLE, unpaired) when not matched. */
  error: string | null;
}

export interface BurstResult {
  outcomes: PlayerOutcome[];
  /** Game id → the node hosting its room (from /api/live-games; games not listed are absent). */
  gameNodes: Record<string, string>;
  /** First request sent → last answer, ms. */
  wallMs: number;
}

/** Guest tokens for `n` players, `concurrency` requests at a time. */
export async function takeGuests(base: string, n: number, run: string, concurrency = 20): Promise<string[]> {
  const tokens: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) tokens[i] = (await createGuest(base, `pair-${run}-${i}`)).token;
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return tokens;
}

/**
 * Account tokens for `n` players: guests signed again as accounts with the cluster's `secret` (what a login
 * gives; the bench's own cluster only), for rated quick play.
 */
export async function takeAccounts(base: string, n: number, run: string, secret: string, concurrency = 20): Promise<string[]> {
  const tokens = createTokenService(secret, 1);
  const out: string[] = new Array(n);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const g = await createGuest(base, `pair-${run}-${i}`);
      out[i] = await tokens.sign({ playerId: g.player.id, name: g.player.name, account: true });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

/** Send every quick-play at once and long-poll each ticket until matched or `timeoutMs` after the burst began. */
export async function burst(opts: {
  base: string;
  tokens: string[];
  game: GameKind;
  timeControl: string;
  timeoutMs: number;
  /** Rated quick play (account tokens). */
  rated?: boolean;
}): Promise<BurstResult> {
  const t0 = performance.now();
  const deadline = t0 + opts.timeoutMs;
  const outcomes = await Promise.all(
    opts.tokens.map(async (token, i): Promise<PlayerOutcome> => {
      const player = `p${i}`;
      const started = performance.now();
      let polls = 0;
      try {
        let t = await quickPlay(opts.base, token, opts.game, opts.timeControl, undefined, opts.rated === true);
        while (t.status === "waiting") {
          const left = deadline - performance.now();
          if (left <= 0) break;
          polls++;
          t = await pollTicket(opts.base, token, t.ticket, Math.max(1, Math.min(20, Math.floor(left / 1000))));
        }
        if (t.status === "matched" && t.gameId) {
          return { player, pairingMs: performance.now() - started, gameId: t.gameId, polls, error: null };
        }
        return { player, pairingMs: null, gameId: null, polls, error: t.status === "waiting" ? "unpaired" : t.status };
      } catch (err) {
        const kind = err instanceof HttpFailure ? err.kind : `error_${(err as Error).name}`;
        return { player, pairingMs: null, gameId: null, polls, error: kind };
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const gameNodes: Record<string, string> = {};
  for (const g of (await liveGames(opts.base).catch(() => null)) ?? []) if (g.node) gameNodes[g.gameId] = g.node;
  return { outcomes, gameNodes, wallMs };
}

/** Games that do not hold exactly two of the burst's players (someone paired twice, or with a stranger). */
export function oddGames(outcomes: PlayerOutcome[]): string[] {
  const count = new Map<string, number>();
  for (const o of outcomes) if (o.gameId) count.set(o.gameId, (count.get(o.gameId) ?? 0) + 1);
  return [...count].filter(([, n]) => n !== 2).map(([id]) => id);
}
