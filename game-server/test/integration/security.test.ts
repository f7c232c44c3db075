/**
 * Security hardening on one real node: the Origin allow-list on the API,
 * matchmaking and the WebSocket upgrade (a page on another site is refused;
 * a client without Origin, such as a bot, is not); room sockets join with a
 * one-time ticket, never the identity token (missing, reused, expired, another
 * game's or token-in-URL joins are refused with the protocol's close codes).
 */
import { decode } from "@colyseus/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { newPlayer, type Player, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const ALLOWED = "https://play.example.com";
const EVIL = "https://evil.example";
const TICKET_TTL_S = 1;
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ ALLOWED_ORIGINS: ALLOWED, JOIN_TICKET_TTL_S: String(TICKET_TTL_S) });
});
afterAll(async () => {
  await node?.stop();
});

/** Open a WebSocket to the node's root (a latency probe: no room) with `origin`; resolves "open" or the HTTP status. */
function upgrade(origin: string | undefined): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace("http", "ws"), { headers: origin ? { origin } : {} });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on("error", reject);
  });
}

describe("Origin allow-list", () => {
  it("the API refuses a page on another site (403 ORIGIN_NOT_ALLOWED) and serves allowed pages and clients without Origin", async () => {
    const evil = await fetch(`${node.url}/api/games/meta`, { headers: { origin: EVIL } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ error: { code: "ORIGIN_NOT_ALLOWED", message: expect.any(String) } });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();

    const allowed = await fetch(`${node.url}/api/games/meta`, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED);

    expect((await fetch(`${node.url}/api/games/meta`)).status).toBe(200);
  });

  it("matchmaking refuses a page on another site before reserving anything, and its CORS preflight names no origin", async () => {
    const post = (origin?: string) =>
      fetch(`${node.url}/matchmake/joinById/nosuchgame`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
        body: "{}",
      });
    expect((await post(EVIL)).status).toBe(403);
    // Allowed or without Origin, the request reaches the matchmaker (which knows no such game).
    expect((await post(ALLOWED)).status).not.toBe(403);
    expect((await post()).status).not.toBe(403);

    const preflight = (origin: string) =>
      fetch(`${node.url}/matchmake/joinById/nosuchgame`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
    expect((await preflight(EVIL)).headers.get("access-control-allow-origin")).toBeNull();
    expect((await preflight(ALLOWED)).headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("the WebSocket upgrade refuses a page on another site with 403 and accepts allowed pages and clients without Origin", async () => {
    expect(await upgrade(EVIL)).toBe(403);
    expect(await upgrade("null")).toBe(403);
    expect(await upgrade(ALLOWED)).toBe("open");
    expect(await upgrade(undefined)).toBe("open");
    // The page's own origin (the node serving it): same host and port.
    expect(await upgrade(node.url)).toBe("open");
  });
});

interface Reservation {
  sessionId: string;
  processId: string;
  roomId: string;
}

/** POST /matchmake/joinById/<gameId> as `token` (in the Authorization header): the seat reservation and its ticket. */
async function reserve(gameId: string, token: string, options: Record<string, unknown> = {}): Promise<Reservation> {
  const r = await fetch(`${node.url}/matchmake/joinById/${gameId}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(options),
  });
  if (r.status !== 200) throw new Error(`reservation: ${r.status} ${await r.text()}`);
  return (await r.json()) as Reservation;
}

interface Outcome {
  /** Colyseus' JOIN_ROOM arrived: the socket is in the room. */
  joined: boolean;
  /** The code of Colyseus' ERROR frame, if one came. */
  error?: number;
  /** The close code (undefined while the socket stays open: joined). */
  close?: number;
  socket: WebSocket;
}

/** Open the room socket `/<processId>/<roomId>?<query>` and report how it went: joined (left open) or refused. */
function openRoomSocket(processId: string, roomId: string, query: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${node.url.replace(/^http/, "ws")}/${processId}/${roomId}${query ? `?${query}` : ""}`);
    socket.binaryType = "arraybuffer";
    const out: Outcome = { joined: false, socket };
    socket.on("message", (data: ArrayBuffer) => {
      const b = new Uint8Array(data);
      if (b[0] === 10) {
        out.joined = true; // JOIN_ROOM
        resolve(out);
      }
      if (b[0] === 11) out.error = decode.number(b, { offset: 1 }) as number; // ERROR: code, message
    });
    socket.on("close", (code) => resolve({ ...out, close: code }));
  });
}

describe("join tickets", () => {
  let a: Player;
  let b: Player;
  let gameId: string;
  let otherGameId: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([newPlayer(node.url, "TicketA"), newPlayer(node.url, "TicketB")]);
    [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const [c, d] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    [otherGameId] = await Promise.all([quickPlay(c, "connect4"), quickPlay(d, "connect4")]);
  });

  it("the SDK joins with its ticket, and the identity token appears in no socket URL", async () => {
    const seat = await Seat.join(a, gameId);
    const url = String((seat.room.connection as unknown as { url: string }).url);
    expect(url).not.toContain(a.token);
    expect(url).not.toContain("_authToken");
    expect(new URL(url).searchParams.get("sessionId")).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(seat.seat).not.toBeNull();
    expect(seat.snapshot?.players[seat.seat as number].id).toBe(a.id);
    await seat.room.leave();
  });

  it("a seat reservation without a valid identity token gets no ticket (401)", async () => {
    for (const headers of [{}, { authorization: `Bearer ${a.token.slice(0, -3)}AAA` }]) {
      const r = await fetch(`${node.url}/matchmake/joinById/${gameId}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: "{}",
      });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ code: 401, error: expect.stringMatching(/identity token/) });
    }
  });

  it("a socket without a ticket, with an unknown one or one already used is refused (4400)", async () => {
    const r = await reserve(gameId, a.token);
    const first = await openRoomSocket(r.processId, r.roomId, `sessionId=${r.sessionId}`);
    expect(first.joined).toBe(true);
    const reused = await openRoomSocket(r.processId, r.roomId, `sessionId=${r.sessionId}`);
    expect(reused).toMatchObject({ joined: false, close: 4400 });
    first.socket.close();
    const again = await openRoomSocket(r.processId, r.roomId, `sessionId=${r.sessionId}`);
    expect(again).toMatchObject({ joined: false, close: 4400 });
    expect(await openRoomSocket(r.processId, r.roomId, "")).toMatchObject({ joined: false, close: 4400 });
    expect(await openRoomSocket(r.processId, r.roomId, "sessionId=AAAAAAAAAAAAAAAAAAAAAAAA")).toMatchObject({
      joined: false,
      close: 4400,
    });
  });

  it("an expired ticket is refused (4400): it lives JOIN_TICKET_TTL_S", async () => {
    const r = await reserve(gameId, b.token);
    const issued = Date.now();
    // The reservation's life is the contract under test: wait it out (plus a margin for a loaded machine).
    await new Promise((resolve) => setTimeout(resolve, TICKET_TTL_S * 1000 + 500));
    expect(Date.now() - issued).toBeGreaterThan(TICKET_TTL_S * 1000);
    expect(await openRoomSocket(r.processId, r.roomId, `sessionId=${r.sessionId}`)).toMatchObject({
      joined: false,
      close: 4400,
    });
  });

  it("a ticket is good for its own game only (another game's is refused, 4400)", async () => {
    const r = await reserve(otherGameId, a.token, { spectate: true });
    expect(await openRoomSocket(r.processId, gameId, `sessionId=${r.sessionId}`)).toMatchObject({
      joined: false,
      close: 4400,
    });
  });

  it("the ticket names the player: nothing in the socket URL can make it another's (an identity token there is refused, 4401)", async () => {
    // B's ticket with A's identity token in the URL (the old way, or an attempt to be A): refused.
    const r = await reserve(gameId, b.token);
    const withToken = await openRoomSocket(r.processId, r.roomId, `sessionId=${r.sessionId}&_authToken=${a.token}`);
    expect(withToken).toMatchObject({ joined: false, error: 4401, close: 4401 });
    // B's own ticket seats B, in B's seat: the identity came with the reservation, not the socket.
    const seatB = await Seat.join(b, gameId);
    expect(seatB.seat).not.toBeNull();
    expect(seatB.snapshot?.players[seatB.seat as number].id).toBe(b.id);
    // And C, not in the game, joins with C's ticket as a spectator, never in a seat.
    const c = await newPlayer(node.url);
    const seatC = await Seat.join(c, gameId);
    expect(seatC.snapshot?.you).toEqual({ role: "spectator", seat: null });
    await Promise.all([seatB.room.leave(), seatC.room.leave()]);
  });
});
