/**
 * What the chaos, failover and stall tests share: robots playing many games on
 * a cluster, the node hosting the most of them, and the checks — every move a
 * player saw acknowledged is in the log exactly once, and how long after a
 * fault each of a node's games moved again (measured from outside, by the
 * robots' own clocks).
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { expect } from "vitest";
import { percentile } from "../../../bots/src/stats.ts";
import { newPlayer, type Player, quickPlay } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";
import { Robot } from "../support/robot.ts";
import { sdkClient } from "../../../bots/src/sdk.ts";

/** Game leases so long that only the fast paths (node heartbeats, rescue at rejoin) can resume a game within a test. */
export const GAME_LEASE_MS = 60_000;

/** The 3-node cluster the recovery tests (chaos, stall) run on, with GAME_LEASE_MS leases. */
export function startRecoveryCluster(): Promise<Cluster> {
  return startCluster({
    nodes: 3,
    env: {
      LEASE_TTL_MS: String(GAME_LEASE_MS),
      RECONNECT_WINDOW_S: "30",
      ...(process.env.RECOVERY_DEBUG ? { LOG_LEVEL: "info" } : {}),
    },
  });
}

/** A guest whose HTTP requests go to node `i mod N` directly, and whose room sockets go through nginx. */
export async function clusterPlayer(cluster: Cluster, i: number, tag: string): Promise<Player> {
  const p = await newPlayer(cluster.nodes[i % cluster.nodes.length].url, `${tag}-${i}`);
  p.sdk = sdkClient(cluster.url, p.token);
  return p;
}

export interface RobotGames {
  /** Distinct game ids. */
  gameIds: string[];
  robots: Robot[];
  /** robots[i] plays byGame[i]. */
  byGame: string[];
  /** Each robot's run (resolves with its final status). */
  runs: Promise<string>[];
}

/** `n` Connect Four games (3+5) between 2n robots; resolves once paired, with their runs in flight. */
export async function playGames(cluster: Cluster, n: number, tag: string, thinkMs = 150, runMs = 120_000): Promise<RobotGames> {
  const players = await Promise.all(Array.from({ length: n * 2 }, (_, i) => clusterPlayer(cluster, i, tag)));
  const byGame = await Promise.all(players.map((p) => quickPlay(p, "connect4", "3+5")));
  const robots = players.map((p, i) => new Robot(p, byGame[i], thinkMs));
  const gameIds = [...new Set(byGame)];
  expect(gameIds).toHaveLength(n);
  return { gameIds, robots, byGame, runs: robots.map((r) => r.run(runMs)) };
}

/** The node owning the most of `gameIds` still active (or node `only`), and those games. */
export async function busiestNode(
  databaseUrl: string,
  gameIds: string[],
  only?: string,
): Promise<{ nodeId: string; games: string[] }> {
  const rows = (
    await query<{ id: string; ownerNode: string }>(
      databaseUrl,
      `SELECT id, "ownerNode" FROM "Game" WHERE id = ANY($1) AND status = 'active'`,
      [gameIds],
    )
  ).filter((r) => only === undefined || r.ownerNode === only);
  const byNode = new Map<string, string[]>();
  for (const r of rows) byNode.set(r.ownerNode, [...(byNode.get(r.ownerNode) ?? []), r.id]);
  const [nodeId, games] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ["", []];
  return { nodeId, games };
}

/**
 * Every move a robot saw acknowledged is in the log at its ply, each game's
 * plies run 0..n-1 once each, and no robot saw an unexpected error (besides `allowed`).
 */
export async function checkNothingLost(databaseUrl: string, g: RobotGames, allowed: string[] = []): Promise<void> {
  const rows = await query<{ gameId: string; ply: number; move: string }>(
    databaseUrl,
    `SELECT "gameId", ply, move FROM "Move" WHERE "gameId" = ANY($1) ORDER BY "gameId", ply`,
    [g.gameIds],
  );
  for (const id of g.gameIds) {
    const mine = rows.filter((r) => r.gameId === id);
    expect(mine.map((r) => r.ply)).toEqual(mine.map((_, i) => i));
    for (const robot of g.robots.filter((_, i) => g.byGame[i] === id)) {
      for (const [ply, move] of robot.acked) expect(mine[ply]?.move, `${id} ply ${ply}`).toBe(move);
    }
  }
  expect(g.robots.flatMap((r) => r.errors).filter((e) => !allowed.includes(e))).toEqual([]);
}

/**
 * For each of `games`: ms from `since` (epoch ms, a fault) to the first sign,
 * seen from outside, that it went on: a move one of its players saw
 * acknowledged after being back in its room (a `moved` racing the fault from
 * the old node does not count), or the game seen over after being back; null
 * when neither happened.
 */
export function resumedAfter(g: RobotGames, games: string[], since: number): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const id of games) {
    const signs = robotsOf(g, id).flatMap((r) => {
      const back = r.joinedAt.find((t) => t > since);
      if (back === undefined) return [];
      return [...r.movedAt.filter((t) => t > back), ...(r.endSeenAt !== null && r.endSeenAt >= back ? [r.endSeenAt] : [])];
    });
    out.set(id, signs.length ? Math.min(...signs) - since : null);
  }
  return out;
}

const robotsOf = (g: RobotGames, id: string) => g.robots.filter((_, i) => g.byGame[i] === id);

/**
 * Where the recovery time of each of `games` went, ms after `since`: when its
 * robots noticed (silence), when a node logged taking it over (needs
 * LOG_LEVEL=info), when a robot was back in its room, when it moved again.
 */
export function recoveryTimeline(cluster: Cluster, g: RobotGames, games: string[], since: number): string[] {
  const first = (xs: number[]) => {
    const after = xs.filter((t) => t > since);
    return after.length ? Math.min(...after) - since : null;
  };
  const takenAt = new Map<string, number>();
  for (const { line } of cluster.logs) {
    if (!line.includes('"took over game"')) continue;
    const l = JSON.parse(line) as { time: number; gameId: string };
    takenAt.set(l.gameId, l.time - since);
  }
  return games.map((id) => {
    const rs = robotsOf(g, id);
    const row = {
      silent: first(rs.flatMap((r) => r.silentAt)),
      takenOver: takenAt.get(id) ?? null,
      back: first(rs.flatMap((r) => r.joinedAt)),
      moved: first(rs.flatMap((r) => r.movedAt.filter((t) => t > (r.joinedAt.find((j) => j > since) ?? Infinity)))),
    };
    return `${id}: ${JSON.stringify(row)}`;
  });
}

/** p50 / p95 / max of `xs`, ms, rounded. */
export function spread(xs: number[]): { p50: number | null; p95: number | null; max: number | null } {
  const r = (v: number | null) => (v === null ? null : Math.round(v));
  return { p50: r(percentile(xs, 50)), p95: r(percentile(xs, 95)), max: r(xs.length ? Math.max(...xs) : null) };
}

/**
 * Run the bot-players script (`bots/src/main.ts` with `args`) as a child process to its end; its
 * stdout and stderr together, and its exit code. On a non-zero exit its last lines are printed.
 */
export async function runBotsScript(args: string[]): Promise<{ code: number | null; output: string }> {
  const root = resolve(import.meta.dirname, "../../..");
  const child = spawn(process.execPath, ["bots/src/main.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  if (code !== 0) console.log(output.slice(-4000));
  return { code, output };
}
