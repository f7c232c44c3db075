/**
 * The lobby channel across the cluster: two nodes (real processes) sharing one
 * PostgreSQL and one real redis-server. A message posted through one node is
 * read from the other — from its ring, fed by Redis pub/sub, not from the
 * table — and the rate limit is one count per player whichever node is asked.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatLine } from "@tabula/shared/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisHandle, startRedis } from "../../../compose/processes.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { http, newPlayer } from "../support/clients.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

let redis: RedisHandle;
let dir: string;
const nodes: NodeProcess[] = [];
let databaseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-chat-"));
  redis = await startRedis({ dir: join(dir, "redis") });
  databaseUrl = await createTestDatabase();
  for (const id of ["l1", "l2"]) {
    nodes.push(await spawnNode({ DATABASE_URL: databaseUrl, REDIS_URL: redis.url, NODE_ID: id, CHAT_PER_MIN: "5" }));
  }
});
afterAll(async () => {
  for (const n of nodes) n.child.kill("SIGKILL");
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Poll `base` for lobby lines after `after` until one says `text` (at most 10 s). */
async function pollFor(base: string, token: string, after: string, text: string): Promise<ChatLine> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await http<{ messages: ChatLine[] }>(base, "GET", `/api/chat/lobby?after=${after}`, token);
    const hit = r.body.messages.find((m) => m.text === text);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`"${text}" never reached ${base}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("lobby chat across two nodes", () => {
  it("a message posted through one node is read through the other, relayed by Redis", async () => {
    const [one, two] = nodes;
    const a = await newPlayer(one.url);
    const b = await newPlayer(two.url);
    const posted = await http<{ message: ChatLine }>(one.url, "POST", "/api/chat/lobby", a.token, { text: "hello from l1" });
    expect(posted.status).toBe(200);
    // Read through the other node from the id before it: only the ring can answer an `after` read.
    const before = (BigInt(posted.body.message.id) - 1n).toString();
    const seen = await pollFor(two.url, b.token, before, "hello from l1");
    expect(seen).toEqual(posted.body.message);
    // And the other way round.
    const back = await http<{ message: ChatLine }>(two.url, "POST", "/api/chat/lobby", b.token, { text: "hi from l2" });
    expect(await pollFor(one.url, a.token, posted.body.message.id, "hi from l2")).toEqual(back.body.message);
    // The first read (no `after`) comes from the table: both there, in order.
    const history = await http<{ messages: ChatLine[] }>(two.url, "GET", "/api/chat/lobby", a.token);
    expect(history.body.messages.map((m) => m.text)).toEqual(["hello from l1", "hi from l2"]);
  });

  it("the per-player limit is counted across the nodes (CHAT_PER_MIN 5 here)", async () => {
    const [one, two] = nodes;
    const c = await newPlayer(one.url);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? one : two;
      codes.push((await http(via.url, "POST", "/api/chat/lobby", c.token, { text: `n${i}` })).status);
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const rows = await query(databaseUrl, `SELECT text FROM "ChatMessage" WHERE "playerId" = $1`, [c.id]);
    expect(rows).toHaveLength(5);
  });
});
