/**
 * The operator API across a real cluster (two node processes, redis-server,
 * nginx, PostgreSQL): through nginx, or asked of either node directly, it
 * lists both nodes with a fresh heartbeat and
 * answers the same cluster-wide figures, which count every move played on
 * either node. A node killed with SIGKILL shows as down (its heartbeat gone)
 * with the games it last reported, and is left out of the totals.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { createTestDatabase } from "../support/db.ts";

const CLI = resolve(import.meta.dirname, "../../src/ops/admin/adminCli.ts");
const SECRET = "cluster-tests-secret-0123456789abcdef";
const INTERVAL_MS = 500;

let cluster: Cluster;
let token: string;
const seats: Seat[] = [];

type Node = { nodeId: string; status: string; heartbeatAgeMs: number | null; self: boolean; games: number; version: string };
type Overview = { nodes: Node[]; totals: { nodesUp: number; games: number } };
type Figures = { source: string; intervalMs: number; points: Array<{ movesPerS: number; nodes: number }> };

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("c");
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, "create", "Cluster Ops"], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TOKEN_SECRET: SECRET, NODE_ENV: "test" },
  });
  const id = /^id:\s+(\S+)$/m.exec(stdout)?.[1];
  token = /^token:\s+(\S+)$/m.exec(stdout)?.[1] ?? "";
  if (!id || !token) throw new Error(`unexpected output of npm run admin:\n${stdout}`);
  cluster = await startCluster({
    nodes: 2,
    databaseUrl,
    env: { ADMIN_PLAYER_IDS: id, FIGURES_INTERVAL_MS: String(INTERVAL_MS), NODE_ALIVE_TTL_MS: "1000" },
  });
});
/** Leave every game (before a node is killed: a socket to a dead node is not waited on). */
async function leaveAll(): Promise<void> {
  await Promise.all(
    seats.splice(0).map((s) => Promise.race([s.room.leave(true).catch(() => 0), new Promise((r) => setTimeout(r, 2000))])),
  );
}

afterAll(async () => {
  await leaveAll();
  await cluster?.stop();
});

/** GET `path` through nginx, or of one node (`nodeId`) directly. */
const ask = async <T>(path: string, nodeId?: string): Promise<T> => {
  const base = nodeId ? cluster.nodes.find((n) => n.id === nodeId)?.url : cluster.url;
  if (!base) throw new Error(`no node ${nodeId}`);
  const r = await http<T>(base, "GET", path, token);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const movesIn = (f: Figures) => Math.round(f.points.reduce((s, p) => s + (p.movesPerS * f.intervalMs) / 1000, 0));

/** Poll `read` until `done` holds (or `timeoutMs` passes), returning the last value. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("operator API on a cluster", () => {
  it("either node lists both nodes and answers the same cluster-wide figures, counting every move", async () => {
    // Games until both nodes host one (new rooms go to the less busy of two random nodes).
    const hosts = new Set<string>();
    let moves = 0;
    for (let i = 0; i < 8 && hosts.size < 2; i++) {
      const a = await newPlayer(cluster.url);
      const b = await newPlayer(cluster.url);
      const [gameId] = await Promise.all([quickPlay(a, "connect4", "3+5"), quickPlay(b, "connect4", "3+5")]);
      const pair = await Promise.all([Seat.join(a, gameId), Seat.join(b, gameId)]);
      seats.push(...pair);
      const [first, second] = pair[0].seat === 0 ? pair : [pair[1], pair[0]];
      for (const col of ["0", "1", "0", "1"]) await (col === "0" ? first : second).play(col);
      moves += 4;
      const live = await ask<{ games: Array<{ gameId: string; node: string }> }>("/api/admin/games");
      const host = live.games.find((g) => g.gameId === gameId)?.node;
      if (host) hosts.add(host);
    }
    expect([...hosts].sort()).toEqual(["n1", "n2"]);

    for (const nodeId of ["n1", "n2"]) {
      const o = await until(
        () => ask<Overview>("/api/admin/overview", nodeId),
        (v) => v.nodes.filter((n) => n.status === "up").length === 2,
      );
      expect(o.nodes.map((n) => n.nodeId).sort()).toEqual(["n1", "n2"]);
      expect(o.nodes.find((n) => n.self)?.nodeId).toBe(nodeId);
      for (const n of o.nodes) {
        expect(n.status).toBe("up");
        expect(n.heartbeatAgeMs).not.toBeNull();
        expect(n.heartbeatAgeMs).toBeLessThan(1000);
        expect(n.version).toBe("0.1.0");
      }
      expect(o.totals).toMatchObject({ nodesUp: 2, games: seats.length / 2 });
      // Every move, whichever node committed it, in this node's answer.
      const f = await until(
        () => ask<Figures>("/api/admin/figures", nodeId),
        (v) => movesIn(v) >= moves,
      );
      expect(f.source).toBe("cluster");
      expect(movesIn(f)).toBe(moves);
      expect(Math.max(...f.points.map((p) => p.nodes))).toBe(2);
    }
  });

  it("shows a killed node as down, with what it last reported, and leaves it out of the totals", async () => {
    const n2 = cluster.nodes.find((n) => n.id === "n2");
    if (!n2) throw new Error("no n2");
    await leaveAll();
    process.kill(n2.process.pid, "SIGKILL");
    const o = await until(
      () => ask<Overview>("/api/admin/overview", "n1"),
      (v) => v.nodes.find((n) => n.nodeId === "n2")?.status === "down",
    );
    const dead = o.nodes.find((n) => n.nodeId === "n2");
    expect(dead).toMatchObject({ status: "down", heartbeatAgeMs: null });
    expect(o.totals.nodesUp).toBe(1);
    expect(o.nodes.find((n) => n.nodeId === "n1")?.status).toBe("up");
  });
});
