/**
 * Private games in a cluster (redis-server, two nodes, nginx, all real
 * processes): the invite lives in the Redis matchmaker, so it is made on one
 * node and accepted on the other, with its password only; wrong passwords
 * sent to different nodes are counted together (Redis), so the throttle holds
 * for the cluster; and when the node hosting the game is killed, the room
 * rebuilt on the survivor still asks spectators for the password (the hash is
 * in the game's row). No node ever logs a password.
 */
import { randomBytes } from "node:crypto";
import type { InviteInfoResponse, TicketResponse } from "@tabula/shared/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClient } from "../../../bots/src/sdk.ts";
import { http, newPlayer, Seat } from "../support/clients.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { query } from "../support/db.ts";

const MAX_WRONG = 3;
const WINDOW_S = 4;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    env: { LOG_LEVEL: "info", GAME_PASSWORD_MAX_WRONG: String(MAX_WRONG), GAME_PASSWORD_WINDOW_S: String(WINDOW_S) },
  });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/** One node, asked directly (not through nginx, which balances). */
function at(node: string): string {
  const n = cluster.nodes.find((x) => x.id === node);
  if (!n) throw new Error(`no node ${node}`);
  return n.url;
}

/** Poll `read` until `done` holds, or fail after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("private games across nodes", () => {
  it("accepted on another node with the password only, throttled cluster-wide, and still locked after a takeover", async () => {
    const password = `pw-${randomBytes(9).toString("base64url")}`;
    const host = await newPlayer(at("n1"));
    const guest = await newPlayer(at("n2"));
    const made = await http<TicketResponse>(at("n1"), "POST", "/api/invites", host.token, { game: "connect4", password });
    expect(made.status).toBe(200);
    const code = made.body.inviteCode as string;
    const info = await http<InviteInfoResponse>(at("n2"), "GET", `/api/invites/${code}`);
    expect(info.body.passwordRequired).toBe(true);

    // Wrong passwords on alternating nodes: counted together in Redis, so the right one is throttled next.
    const accept = (node: string, pw: string) =>
      http<{ gameId?: string; error?: { code: string; retryAfterS?: number } }>(
        at(node),
        "POST",
        `/api/invites/${code}/accept`,
        guest.token,
        { password: pw },
      );
    for (let i = 0; i < MAX_WRONG; i++) {
      const r = await accept(i % 2 === 0 ? "n1" : "n2", `wrong-${i}`);
      expect(r).toMatchObject({ status: 403, body: { error: { code: "WRONG_PASSWORD" } } });
    }
    const throttled = await accept("n2", password);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error?.code).toBe("PASSWORD_THROTTLED");
    // The invite stayed open through all of it; after the window the right password makes the game.
    expect((await http(at("n1"), "GET", `/api/invites/${code}`)).status).toBe(200);
    const accepted = await eventually(
      () => accept("n2", password),
      (r) => r.status !== 429,
      "the throttle window to pass",
      (WINDOW_S + 10) * 1000,
    );
    expect(accepted.status).toBe(200);
    const gameId = accepted.body.gameId as string;
    const polled = await http<TicketResponse>(at("n1"), "GET", `/api/matchmaking/tickets/${made.body.ticket}`, host.token);
    expect(polled.body).toMatchObject({ status: "matched", gameId });

    // A spectator: refused without or with a wrong password, admitted with it.
    const watcher = await newPlayer(cluster.url);
    const reserve = (node: string, options: Record<string, unknown>) =>
      http<{ code?: number; error?: string }>(at(node), "POST", `/matchmake/joinById/${gameId}`, watcher.token, options);
    expect((await reserve("n1", { spectate: true })).body.error).toMatch(/^PASSWORD_REQUIRED/);
    expect((await reserve("n2", { spectate: true, password: `${password}?` })).body.error).toMatch(/^WRONG_PASSWORD/);
    const watching = await Seat.join(watcher, gameId, { spectate: true, password });
    expect(watching.snapshot?.you.role).toBe("spectator");
    void watching.room.leave(true).catch(() => {});

    // Kill the node hosting the game; the survivor rebuilds it from the database.
    const [before] = await query<{ ownerNode: string; fence: string }>(
      cluster.databaseUrl,
      `SELECT "ownerNode", "leaseToken"::text AS fence FROM "Game" WHERE id = $1`,
      [gameId],
    );
    const owner = cluster.nodes.find((n) => n.id === before.ownerNode);
    const survivor = cluster.nodes.find((n) => n.id !== before.ownerNode);
    if (!owner || !survivor) throw new Error(`no such node ${before.ownerNode}`);
    process.kill(owner.process.pid, "SIGKILL");
    await eventually(
      () =>
        query<{ ownerNode: string; fence: string }>(
          cluster.databaseUrl,
          `SELECT "ownerNode", "leaseToken"::text AS fence FROM "Game" WHERE id = $1`,
          [gameId],
        ),
      ([r]) => r.ownerNode === survivor.id && BigInt(r.fence) > BigInt(before.fence),
      "the survivor to take the game over",
    );
    // Once its room is up (522 while it is being built), the survivor asks for the password too.
    const refused = await eventually(
      () => reserve(survivor.id, { spectate: true }),
      (r) => r.status !== 522,
      "the rebuilt room",
    );
    expect(refused).toMatchObject({ status: 403, body: { error: expect.stringMatching(/^PASSWORD_REQUIRED/) } });
    expect((await reserve(survivor.id, { spectate: true, password: "not it at all" })).status).toBe(403);
    const live = await http<{ games: Array<{ gameId: string; private: boolean }> }>(at(survivor.id), "GET", "/api/live-games");
    expect(live.body.games.find((g) => g.gameId === gameId)?.private).toBe(true);
    const late = await newPlayer(at(survivor.id));
    const rejoined = await Seat.rejoin(late, gameId, { spectate: true, password });
    expect(rejoined.snapshot?.you.role).toBe("spectator");
    // The players still need none.
    const hostAgain = { ...host, base: cluster.url, sdk: sdkClient(cluster.url, host.token) }; // n1 may be the dead one
    const seated = await Seat.rejoin(hostAgain, gameId);
    expect(seated.seat).not.toBeNull();
    await Promise.all([rejoined.room.leave(), seated.room.leave()]);

    // No node logged the password (LOG_LEVEL info: every request, join and refusal was logged).
    expect(cluster.logs.length).toBeGreaterThan(20);
    expect(cluster.logs.filter((l) => l.line.includes(password))).toEqual([]);
    const audit = await query<{ row: string }>(cluster.databaseUrl, `SELECT row_to_json(a)::text AS row FROM "AuditEvent" a`);
    expect(audit.filter((r) => r.row.includes(password))).toEqual([]);
    expect(audit.some((r) => r.row.includes('"password.wrong"'))).toBe(true);
  }, 120_000);
});
