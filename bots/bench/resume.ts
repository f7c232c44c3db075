/**
 * `npm run bench:resume`: how long a dead or stalled node's games take to
 * resume, measured from outside.
 *
 * For each fault (SIGKILL, then SIGSTOP held for --stall-s), on a fresh
 * cluster — redis-server, one embedded PostgreSQL, --nodes game-server nodes
 * with the default recovery settings, nginx in front (the compose/ helpers) —
 * it pairs 2 × --games light SDK players (resumePlayer.ts), lets every game
 * get going, then hits the node hosting the most games. Per game of that
 * node: the time from the fault to the first move accepted after it (seen by
 * its players once back in the game), p50 / p95 / max; where the time went
 * (players noticing, the survivor logging the takeover, players back); and the
 * check that every move a player saw acknowledged is in the Move table at its
 * ply, once. Loopback only, bounded (about 30–60 s per fault). Prints a table
 * and one JSON line (also written to --json FILE).
 *
 * --repo DIR runs the nodes from another checkout (e.g. main before a change)
 * with this script and these players, for a side-by-side comparison.
 */
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  freePort,
  type ManagedProcess,
  type NodeAddress,
  silentSink,
  spawnProcess,
  startEmbeddedPostgresProcess,
  startNginx,
  startRedis,
  waitForHttp,
} from "../../compose/processes.ts";
import { percentile } from "../src/stats.ts";
import { ResumePlayer } from "./resumePlayer.ts";

const USAGE = `Usage: node bots/bench/resume.ts [--games 30] [--nodes 3] [--faults kill,stop] [--think-ms 300]
                                 [--stall-s 10] [--repo DIR] [--json FILE]`;

interface Options {
  games: number;
  nodes: number;
  faults: Array<"kill" | "stop">;
  thinkMs: number;
  stallMs: number;
  repo: string;
  json: string | undefined;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      games: { type: "string", default: "30" },
      nodes: { type: "string", default: "3" },
      faults: { type: "string", default: "kill,stop" },
      "think-ms": { type: "string", default: "300" },
      "stall-s": { type: "string", default: "10" },
      repo: { type: "string", default: resolve(import.meta.dirname, "../..") },
      json: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      console.error(`--${name}: expected a whole number from ${min} to ${max}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const faults = values.faults.split(",").map((f) => f.trim());
  if (faults.some((f) => f !== "kill" && f !== "stop")) {
    console.error(`--faults: a list of kill and stop\n${USAGE}`);
    process.exit(2);
  }
  return {
    games: int("games", values.games, 1, 500),
    nodes: int("nodes", values.nodes, 2, 8),
    faults: faults as Options["faults"],
    thinkMs: int("think-ms", values["think-ms"], 0, 5000),
    stallMs: int("stall-s", values["stall-s"], 1, 30) * 1000,
    repo: resolve(values.repo),
    json: values.json,
  };
}

const log = (line: string) => console.error(`[resume] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node extends NodeAddress {
  process: ManagedProcess;
}

interface Cluster {
  url: string;
  databaseUrl: string;
  nodes: Node[];
  /** "took over game" log lines of every node: gameId → epoch ms. */
  takenAt: Map<string, number>;
  stop(): Promise<void>;
}

/** A fresh database on `adminUrl`, returning its URL. */
async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function query<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

async function startCluster(o: Options, dir: string, databaseUrl: string, debugLog?: string): Promise<Cluster> {
  const redis = await startRedis({ dir: join(dir, "redis"), output: silentSink });
  const nginx = await startNginx({ prefix: join(dir, "nginx"), nodes: [], output: silentSink });
  const takenAt = new Map<string, number>();
  const nodes: Node[] = [];
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    PUBLIC_ADDRESS: `127.0.0.1:${nginx.port}`,
    HOST: "127.0.0.1",
    TOKEN_SECRET: "resume-bench-secret-0123456789abcdef",
    CLIENT_DIST: "",
    LOG_JSON: "true",
    LOG_LEVEL: debugLog ? "debug" : "info",
  };
  try {
    // One at a time: the first applies the migrations.
    for (let i = 1; i <= o.nodes; i++) {
      const id = `n${i}`;
      const port = await freePort();
      const proc = spawnProcess({
        name: id,
        command: process.execPath,
        args: ["game-server/src/main.ts"],
        cwd: o.repo,
        env: { ...env, NODE_ID: id, PORT: String(port) },
        output: (line) => {
          if (debugLog) appendFileSync(`${debugLog}-${id}.log`, `${line}\n`);
          if (!line.includes('"took over game"')) return;
          const l = JSON.parse(line) as { time: number; gameId: string };
          if (!takenAt.has(l.gameId)) takenAt.set(l.gameId, l.time);
        },
      });
      nodes.push({ id, port, host: "127.0.0.1", process: proc });
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, { process: proc, ok: (r) => r.status === 200 });
    }
    await nginx.reload(nodes);
  } catch (err) {
    await Promise.all(nodes.map((n) => n.process.stop(2_000)));
    await nginx.stop();
    await redis.stop();
    throw err;
  }
  return {
    url: nginx.url,
    databaseUrl,
    nodes,
    takenAt,
    async stop() {
      for (const n of nodes) if (!n.process.hasExited()) process.kill(n.process.pid, "SIGCONT");
      await Promise.all(nodes.map((n) => n.process.stop(5_000)));
      await nginx.stop();
      await redis.stop();
    },
  };
}

async function http<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Two guests paired by quick-play: resolves with their tokens and the game id. */
async function pairedPlayers(url: string, i: number): Promise<Array<{ token: string; gameId: string }>> {
  const guests = await Promise.all(
    [0, 1].map((k) => http<{ token: string }>(url, "POST", "/api/guest", undefined, { name: `resume-${i}-${k}` })),
  );
  return Promise.all(
    guests.map(async ({ token }) => {
      let t = await http<{ status: string; ticket: string; gameId?: string }>(url, "POST", "/api/matchmaking/quick", token, {
        game: "connect4",
        timeControl: "3+5",
      });
      while (t.status === "waiting") t = await http(url, "GET", `/api/matchmaking/tickets/${t.ticket}?wait=10`, token);
      if (!t.gameId) throw new Error(`not matched: ${JSON.stringify(t)}`);
      return { token, gameId: t.gameId };
    }),
  );
}

interface FaultResult {
  fault: "kill" | "stop";
  games: number;
  gamesOnVictim: number;
  resumed: number;
  /** Fault → first move accepted after it, per game of the victim node, ms. */
  resumeMs: { p50: number | null; p95: number | null; max: number | null };
  /** Where it went (p50 over the victim's games, ms after the fault): noticed, taken over, back, moved. */
  timelineP50Ms: { noticed: number | null; takenOver: number | null; back: number | null; moved: number | null };
  acknowledgedMoves: number;
  lostAcknowledgedMoves: number;
  playerErrors: string[];
}

async function runFault(o: Options, fault: "kill" | "stop", adminUrl: string, dir: string): Promise<FaultResult> {
  const databaseUrl = await createDatabase(adminUrl, `resume_${fault}_${Date.now()}`);
  const debugLog = process.env.RESUME_DEBUG ? join(tmpdir(), `resume-${fault}`) : undefined;
  const cluster = await startCluster(o, join(dir, fault), databaseUrl, debugLog);
  const players: ResumePlayer[] = [];
  try {
    log(`${fault}: ${o.nodes} nodes up at ${cluster.url}; pairing ${o.games} games`);
    const pairs = await Promise.all(Array.from({ length: o.games }, (_, i) => pairedPlayers(cluster.url, i)));
    for (const pair of pairs) for (const p of pair) players.push(new ResumePlayer(cluster.url, p.token, p.gameId, o.thinkMs));
    const runs = players.map((p) => p.run());
    // (Quick-play pairs whoever is waiting: the two guests of one pair may land in different games.)
    const gameIds = [...new Set(players.map((p) => p.gameId))];
    // Every game going (two moves seen), at most 20 s.
    const going = Date.now() + 20_000;
    while (players.some((p) => p.acked.size < 2 && p.status === "active") && Date.now() < going) await sleep(100);

    const owners = await query<{ id: string; ownerNode: string }>(
      databaseUrl,
      `SELECT id, "ownerNode" FROM "Game" WHERE status = 'active' AND id = ANY($1)`,
      [gameIds],
    );
    const byNode = new Map<string, string[]>();
    for (const r of owners) byNode.set(r.ownerNode, [...(byNode.get(r.ownerNode) ?? []), r.id]);
    const [victimId, victimGames] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    const victim = cluster.nodes.find((n) => n.id === victimId)!;
    log(
      `${fault}: ${victimId} hosts ${victimGames.length} of ${owners.length} live games; ${fault === "kill" ? "SIGKILL" : "SIGSTOP"} now`,
    );

    const faultAt = Date.now();
    process.kill(victim.process.pid, fault === "kill" ? "SIGKILL" : "SIGSTOP");
    const playersOf = (id: string) => players.filter((p) => p.gameId === id);
    const firstAfter = (xs: number[], t: number) => xs.filter((x) => x > t).sort((a, b) => a - b)[0];
    /** Fault → first move seen by one of the game's players after being back in its room. */
    const resumedAt = (id: string) => {
      const ts = playersOf(id).flatMap((p) => {
        const back = firstAfter(p.joinedAt, faultAt);
        return back === undefined ? [] : p.movedAt.filter((t) => t > back);
      });
      return ts.length ? Math.min(...ts) - faultAt : null;
    };
    const watchUntil = faultAt + (fault === "stop" ? o.stallMs : 15_000);
    while (Date.now() < watchUntil && victimGames.some((id) => resumedAt(id) === null)) await sleep(100);
    // Measured while the node is still stopped; only then is it woken.
    const resumed = victimGames.map(resumedAt).filter((t): t is number => t !== null);
    const p50 = (xs: Array<number | undefined>) => {
      const v = xs.filter((x): x is number => x !== undefined);
      return v.length ? Math.round(percentile(v, 50)!) : null;
    };
    const timelineP50Ms = {
      noticed: p50(victimGames.map((id) => min(playersOf(id).map((p) => firstAfter(p.lostAt, faultAt))) - faultAt)),
      takenOver: p50(victimGames.map((id) => (cluster.takenAt.get(id) ?? Number.NaN) - faultAt)),
      back: p50(victimGames.map((id) => min(playersOf(id).map((p) => firstAfter(p.joinedAt, faultAt))) - faultAt)),
      moved: p50(victimGames.map((id) => resumedAt(id) ?? undefined)),
    };
    if (process.env.RESUME_DEBUG) {
      for (const id of victimGames) {
        const rel = (xs: number[]) => xs.filter((x) => x > faultAt).map((x) => x - faultAt);
        const who = playersOf(id).map((p) => ({ lost: rel(p.lostAt), back: rel(p.joinedAt), moved: rel(p.movedAt).slice(0, 3) }));
        log(`${id} taken ${(cluster.takenAt.get(id) ?? Number.NaN) - faultAt}: ${JSON.stringify(who)}`);
      }
    }
    if (fault === "stop") await sleep(Math.max(0, faultAt + o.stallMs - Date.now()));
    if (fault === "stop") process.kill(victim.process.pid, "SIGCONT");
    await sleep(2_000); // a little more play (and a woken node's attempts to write) before the check
    for (const p of players) p.stop();
    await Promise.all(runs);

    // Every acknowledged move is in the log at its ply, once.
    const rows = await query<{ gameId: string; ply: number; move: string }>(
      databaseUrl,
      `SELECT "gameId", ply, move FROM "Move" WHERE "gameId" = ANY($1) ORDER BY "gameId", ply`,
      [gameIds],
    );
    const logged = new Map<string, string>(rows.map((r) => [`${r.gameId}:${r.ply}`, r.move]));
    let acknowledged = 0;
    let lost = 0;
    for (const p of players) {
      for (const [ply, move] of p.acked) {
        acknowledged++;
        if (logged.get(`${p.gameId}:${ply}`) !== move) {
          lost++;
          if (process.env.RESUME_DEBUG && lost < 5)
            log(`lost? ${p.gameId} ply ${ply}: saw ${move}, log has ${logged.get(`${p.gameId}:${ply}`)}`);
        }
      }
    }
    return {
      fault,
      games: gameIds.length,
      gamesOnVictim: victimGames.length,
      resumed: resumed.length,
      resumeMs: spread(resumed),
      timelineP50Ms,
      acknowledgedMoves: acknowledged,
      lostAcknowledgedMoves: lost,
      playerErrors: [...new Set(players.flatMap((p) => p.errors))].slice(0, 10),
    };
  } finally {
    for (const p of players) p.stop();
    await cluster.stop();
  }
}

function min(xs: Array<number | undefined>): number {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.min(...v) : Number.NaN;
}

function spread(xs: number[]): FaultResult["resumeMs"] {
  const r = (v: number | undefined) => (v === undefined ? null : Math.round(v));
  return {
    p50: r(percentile(xs, 50) ?? undefined),
    p95: r(percentile(xs, 95) ?? undefined),
    max: r(xs.length ? Math.max(...xs) : undefined),
  };
}

function table(results: FaultResult[]): string {
  const ms = (v: number | null) => (v === null ? "—" : `${(v / 1000).toFixed(2)} s`);
  const head = ["fault", "games on victim", "resumed", "p50", "p95", "max", "noticed/taken/back (p50)", "acked moves", "lost"];
  const rows = results.map((r) => [
    r.fault === "kill" ? "SIGKILL" : "SIGSTOP",
    `${r.gamesOnVictim} of ${r.games}`,
    `${r.resumed}`,
    ms(r.resumeMs.p50),
    ms(r.resumeMs.p95),
    ms(r.resumeMs.max),
    `${ms(r.timelineP50Ms.noticed)} / ${ms(r.timelineP50Ms.takenOver)} / ${ms(r.timelineP50Ms.back)}`,
    `${r.acknowledgedMoves}`,
    `${r.lostAcknowledgedMoves}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" | ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}

/**
 * The SDK's notes about rooms we dropped on purpose (late duplicates of a rejoin, a room
 * silenced by a stall or closed by a woken node with 4100) say nothing about the result.
 */
function quietSdkNoise(): void {
  const noise = /^(@colyseus\/sdk: onMessage\(\) not registered|Room connection was closed unexpectedly)/;
  for (const level of ["log", "warn", "error", "info"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === "string" && noise.test(args[0])) return;
      original(...args);
    };
  }
}

async function main(): Promise<void> {
  const o = options();
  quietSdkNoise();
  const dir = mkdtempSync(join(tmpdir(), "tabula-resume-"));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root: it must reach its data dir
  const pgHandle = await startEmbeddedPostgresProcess({ dataDir: join(dir, "pg"), output: silentSink });
  const results: FaultResult[] = [];
  try {
    for (const fault of o.faults) results.push(await runFault(o, fault, pgHandle.url, dir));
  } finally {
    await pgHandle.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(table(results));
  const out = {
    bench: "resume",
    repo: o.repo,
    nodes: o.nodes,
    thinkMs: o.thinkMs,
    stallMs: o.stallMs,
    at: new Date().toISOString(),
    results,
  };
  console.log(JSON.stringify(out));
  if (o.json) writeFileSync(o.json, `${JSON.stringify(out, null, 2)}\n`);
}

await main();
