/**
 * Every kind of bad input is answered with a clear error (or a closed socket)
 * and changes nothing in the database — and leaves one readable log line, not
 * a stack trace.
 */
import { Client } from "@colyseus/sdk";
import { decode } from "@colyseus/schema";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { type RunningNode, startNode } from "../../src/server.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { sdkClient } from "../../../bots/src/sdk.ts";
import { http, newPlayer, quickPlay, Seat, type Player } from "../support/clients.ts";

let node: RunningNode;
let seats: [Seat, Seat];
let players: [Player, Player];
let gameId: string;
/** The node's log, as parsed JSON lines. */
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  // Like startTestNode, but the node's log is kept for the assertions below.
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    CLIENT_DIST: "",
    TOKEN_SECRET: "integration-tests-secret-0123456789abcdef",
    MAX_MESSAGES_PER_SECOND: "40",
    DATABASE_URL: await createTestDatabase(),
  });
  const log = pino(
    { level: "info", base: { node: config.nodeId } },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  node = await startNode(config, log);
  const a = await newPlayer(node.url);
  const b = await newPlayer(node.url);
  const [g] = await Promise.all([quickPlay(a, "chess", "10+0"), quickPlay(b, "chess", "10+0")]);
  gameId = g;
  const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
  [seats, players] =
    sa.seat === 0
      ? [
          [sa, sb],
          [a, b],
        ]
      : [
          [sb, sa],
          [b, a],
        ];
  await seats[0].play("e2e4");
});
afterAll(async () => {
  await node?.stop();
});

async function dbState() {
  const moves = await query(node.databaseUrl, `SELECT ply, move FROM "Move" WHERE "gameId" = $1 ORDER BY ply`, [gameId]);
  const game = await query(
    node.databaseUrl,
    `SELECT ply, status, "clock0Ms", "clock1Ms", "deadlineAt" FROM "Game" WHERE id = $1`,
    [gameId],
  );
  return { moves, game };
}

let before: Awaited<ReturnType<typeof dbState>>;
beforeEach(async () => {
  before = await dbState();
});

/** Send `type`/`payload` from `seat` and expect an error with `code`; the database must not change. */
async function expectRejected(seat: Seat, type: string, payload: unknown, code: string) {
  const n = seat.errors.length;
  seat.room.send(type as never, payload as never);
  await seat.until((s) => s.errors.length > n, `error ${code}`);
  expect(seat.errors[n]).toMatchObject({ code });
  expect(seat.errors[n].message.length).toBeGreaterThan(3);
  expect(await dbState()).toEqual(before);
}

describe("bad input changes nothing", () => {
  it("out of turn (the seat that just moved moves again)", async () => {
    await expectRejected(seats[0], "move", { ply: 1, move: "d2d4" }, "NOT_YOUR_TURN");
  });
  it("illegal move", async () => {
    await expectRejected(seats[1], "move", { ply: 1, move: "e7e4" }, "ILLEGAL_MOVE");
  });
  it("garbage move notation", async () => {
    await expectRejected(seats[1], "move", { ply: 1, move: "zz" }, "BAD_MOVE_FORMAT");
  });
  it("stale ply (a resend of an old ply)", async () => {
    await expectRejected(seats[1], "move", { ply: 0, move: "e7e5" }, "STALE_PLY");
  });
  it("future ply, however far (any well-typed ply that is not current is STALE_PLY, as documented)", async () => {
    for (const ply of [5, 10_001, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      await expectRejected(seats[1], "move", { ply, move: "e7e5" }, "STALE_PLY");
    }
  });
  it("malformed payloads: wrong types, missing and extra fields, not an object", async () => {
    await expectRejected(seats[1], "move", { ply: "1", move: "e7e5" }, "BAD_MESSAGE");
    await expectRejected(seats[1], "move", { ply: -1, move: "e7e5" }, "BAD_MESSAGE");
    await expectRejected(seats[1], "move", { ply: 2 ** 60, move: "e7e5" }, "BAD_MESSAGE");
    await expectRejected(seats[1], "move", { move: "e7e5" }, "BAD_MESSAGE");
    await expectRejected(seats[1], "move", { ply: 1, move: "e7e5", __proto__: { admin: true }, extra: 1 }, "BAD_MESSAGE");
    await expectRejected(seats[1], "move", "e7e5", "BAD_MESSAGE");
    await expectRejected(seats[1], "move", { ply: 1, move: "x".repeat(500) }, "BAD_MESSAGE");
    await expectRejected(seats[1], "draw", { action: "maybe" }, "BAD_MESSAGE");
  });
  it("unknown message type", async () => {
    await expectRejected(seats[1], "teleport", { to: "h8" }, "UNKNOWN_MESSAGE");
  });
  it("answering an offer that was never made", async () => {
    await expectRejected(seats[1], "draw", { action: "accept" }, "NO_OFFER");
  });
  it("abort after one's first move", async () => {
    await expectRejected(seats[0], "abort", {}, "CANNOT_ABORT");
  });
  it("a spectator cannot move, resign or offer", async () => {
    const watcher = await newPlayer(node.url);
    const spec = await Seat.join(watcher, gameId, { spectate: true });
    expect(spec.snapshot?.you).toEqual({ role: "spectator", seat: null });
    await expectRejected(spec, "move", { ply: 1, move: "e7e5" }, "NOT_A_PLAYER");
    await expectRejected(spec, "resign", {}, "NOT_A_PLAYER");
    // A player joining with spectate:true is a spectator too: no acting for a seat through a side door.
    const side = await Seat.join(players[1], gameId, { spectate: true });
    await expectRejected(side, "move", { ply: 1, move: "e7e5" }, "NOT_A_PLAYER");
    await spec.room.leave();
    await side.room.leave();
  });
  it("joins without a valid identity are refused", async () => {
    const anon = new Client(node.url);
    await expect(anon.joinById(gameId, {})).rejects.toThrow(/identity token/);
    const forged = sdkClient(node.url, `${players[0].token.slice(0, -4)}AAAA`);
    await expect(forged.joinById(gameId, {})).rejects.toThrow(/invalid identity token/);
    expect(await dbState()).toEqual(before);
  });
  it("a refused join closes with its own documented code, never the flood code 4002", async () => {
    // A seat reservation (the join ticket is its sessionId), made with the identity token in its header.
    const reserve = async () => {
      const r = await fetch(`${node.url}/matchmake/joinById/${gameId}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${players[0].token}` },
        body: JSON.stringify({ spectate: true }),
      });
      return (await r.json()) as { sessionId: string; processId: string };
    };
    const { processId } = await reserve();
    const base = `${node.url.replace(/^http/, "ws")}/${processId}/${gameId}`;
    const cases = [
      { why: "no ticket", query: "", error: 524, close: 4400 },
      { why: "unknown ticket", query: "sessionId=nope", error: 524, close: 4400 },
      {
        why: "identity token in the URL",
        query: `sessionId=${(await reserve()).sessionId}&_authToken=${players[0].token}`,
        error: 4401,
        close: 4401,
      },
      {
        why: "refused reconnection",
        query: "sessionId=x&reconnectionToken=bad",
        error: 524,
        close: 4003,
      },
    ];
    for (const c of cases) {
      const seen = await new Promise<{ error?: number; close: number }>((resolve) => {
        const ws = new WebSocket(`${base}?${c.query}`);
        ws.binaryType = "arraybuffer";
        let error: number | undefined;
        ws.addEventListener("message", (ev) => {
          const b = new Uint8Array(ev.data as ArrayBuffer);
          if (b[0] === 11) error = decode.number(b, { offset: 1 }) as number; // Colyseus ERROR frame: code, message
        });
        ws.addEventListener("close", (ev) => resolve({ error, close: ev.code }));
      });
      expect(seen, c.why).toEqual({ error: c.error, close: c.close });
    }
    // With the SDK, the join promise rejects with the refusal's code: without a token no seat is reserved (HTTP 401).
    const anon = new Client(node.url);
    await expect(anon.joinById(gameId, {})).rejects.toMatchObject({ code: 401 });
    expect(await dbState()).toEqual(before);
  });
  it("HTTP: unauthenticated, malformed and oversized requests", async () => {
    expect((await http(node.url, "POST", "/api/matchmaking/quick", undefined, { game: "chess" })).status).toBe(401);
    expect((await http(node.url, "POST", "/api/matchmaking/quick", "not-a-token", { game: "chess" })).status).toBe(401);
    const bad = await http<{ error: { code: string } }>(node.url, "POST", "/api/matchmaking/quick", players[0].token, {
      game: "go",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("BAD_REQUEST");
    const badName = await http<{ error: { code: string } }>(node.url, "POST", "/api/guest", undefined, { name: "<script>" });
    expect(badName.status).toBe(400);
    const res = await fetch(`${node.url}/api/guest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(res.status).toBe(400);
    const big = await fetch(`${node.url}/api/guest`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "a".repeat(10_000) }),
    });
    expect(big.status).toBe(413);
    expect(await dbState()).toEqual(before);
  });
  it("an oversized frame closes that socket only, with one warning line and no stack; the game goes on", async () => {
    const p = players[1];
    const extra = await Seat.join(p, gameId, { spectate: true });
    const closed = new Promise<number>((resolve) => extra.room.onLeave((code) => resolve(code)));
    // Colyseus prints socket errors with console.error (a RangeError stack): catch any.
    const consoleError = vi.spyOn(console, "error");
    const from = logged.length;
    try {
      extra.room.send("move", { ply: 1, move: "e7e5", pad: "x".repeat(20_000) });
      expect(await closed).toBe(1009);
      await vi.waitFor(() => expect(logged.slice(from).some((l) => l.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")).toBe(true));
      const printed = consoleError.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
      expect(printed).not.toMatch(/RangeError|Max payload/);
      const lines = logged.slice(from).filter((l) => l.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, msg: expect.stringMatching(/MAX_FRAME_BYTES.*1009/) });
      expect(JSON.stringify(lines[0])).not.toMatch(/\bat .*\(|stack/);
      expect(logged.slice(from).filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      consoleError.mockRestore();
    }
    expect(await dbState()).toEqual(before);
    await seats[1].play("e7e5"); // the real seat still plays
  });
  it("an undecodable frame closes that socket with 4002, with one warning line and no stack", async () => {
    const p = await newPlayer(node.url);
    const garbled = await Seat.join(p, gameId, { spectate: true });
    const closed = new Promise<number>((resolve) => garbled.room.onLeave((code) => resolve(code)));
    const consoleError = vi.spyOn(console, "error");
    const from = logged.length;
    try {
      // A room message (13) of type 1 whose msgpack payload is cut short: a 2-element array with no elements.
      garbled.room.connection.send(new Uint8Array([13, 1, 0x92]));
      expect(await closed).toBe(4002);
      await vi.waitFor(() =>
        expect(logged.slice(from).some((l) => l.msg === "undecodable room message; socket closed (4002)")).toBe(true),
      );
      expect(consoleError).not.toHaveBeenCalled();
      const lines = logged.slice(from).filter((l) => l.source === "colyseus");
      expect(lines).toEqual([expect.objectContaining({ level: 40, reason: expect.stringMatching(/MessagePack/) })]);
      expect(JSON.stringify(lines)).not.toMatch(/\bat .*\(/);
      expect(logged.slice(from).filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      consoleError.mockRestore();
    }
    expect(await dbState()).toEqual(before);
  });
  it("a client flooding messages is disconnected", async () => {
    const p = await newPlayer(node.url);
    const flood = await Seat.join(p, gameId, { spectate: true });
    const closed = new Promise<number>((resolve) => flood.room.onLeave((code) => resolve(code)));
    for (let i = 0; i < 200; i++) flood.room.send("sync", {});
    expect(await closed).toBeGreaterThanOrEqual(4000);
    // Players are unaffected.
    await seats[0].play("g1f3");
  });
});
