/**
 * A light idle client for `npm run bench:conns`: a guest identity and an
 * invite-made game over HTTP (docs/protocol.md), then a room joined the way
 * the SDK does it — POST /matchmake/joinById/<game> for a seat reservation,
 * a WebSocket to the node that hosts the room (through nginx's /node/<id>/
 * route), acknowledge JOIN_ROOM — and then nothing: the socket only answers
 * the node's WebSocket pings (the `ws` package does that by itself). A raw
 * `ws` socket costs the load generator far less memory than an SDK room.
 */
import { Protocol } from "@colyseus/sdk";
import type { GuestResponse, TicketResponse } from "@tabula/shared/protocol";
import { WebSocket } from "ws";

/** POST `body` as JSON to `base + path` (with a bearer token); the parsed answer, or an error naming the call. */
export async function postJson<T>(base: string, path: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`POST ${path.replace(/\/[A-Za-z0-9]{6,}(\/|$)/g, "/:id$1")}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** A new guest; its token. */
export async function guest(base: string): Promise<string> {
  return (await postJson<GuestResponse>(base, "/api/guest", {})).token;
}

/** A live Connect Four game between the holders of `a` and `b` (an invite, accepted); its id. */
export async function inviteGame(base: string, a: string, b: string, timeControl = "3+5"): Promise<string> {
  const invite = await postJson<TicketResponse>(base, "/api/invites", { game: "connect4", timeControl }, a);
  if (!invite.inviteCode) throw new Error("POST /api/invites: no inviteCode in the answer");
  return (await postJson<{ gameId: string }>(base, `/api/invites/${invite.inviteCode}/accept`, {}, b)).gameId;
}

interface SeatReservation {
  sessionId: string;
  roomId: string;
  processId: string;
  publicAddress?: string;
}

/**
 * Join game `gameId` with `token` (as a spectator when `spectate`), the
 * WebSocket bound to `localAddress` (e.g. 127.0.0.2: each loopback address
 * has its own ephemeral ports). Resolves with the open socket once the room
 * has accepted it.
 */
export async function joinIdle(
  base: string,
  gameId: string,
  token: string,
  opts: { spectate: boolean; localAddress: string; timeoutMs?: number },
): Promise<WebSocket> {
  const seat = await postJson<SeatReservation>(
    base,
    `/matchmake/joinById/${gameId}`,
    opts.spectate ? { spectate: true } : {},
    token,
  );
  const host = seat.publicAddress ?? new URL(base).host;
  // The reservation's sessionId is the one-time join ticket: the identity token stays out of the URL.
  const url = `ws://${host}/${seat.processId}/${seat.roomId}?sessionId=${encodeURIComponent(seat.sessionId)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress: opts.localAddress, perMessageDeflate: false, handshakeTimeout: 30_000 });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`join ${gameId}: no JOIN_ROOM in ${opts.timeoutMs ?? 30_000} ms`));
    }, opts.timeoutMs ?? 30_000);
    const fail = (why: string) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      reject(new Error(`join ${gameId}: ${why}`));
    };
    ws.on("error", (err) => fail(err.message));
    ws.on("close", (code) => fail(`closed (${code}) before the room accepted the socket`));
    ws.on("message", (data: Buffer) => {
      if (data[0] === Protocol.ERROR) return fail("the room refused the join (Protocol.ERROR)");
      if (data[0] !== Protocol.JOIN_ROOM) return;
      clearTimeout(timer);
      ws.send(Uint8Array.of(Protocol.JOIN_ROOM));
      ws.removeAllListeners();
      // Idle from here on: snapshots are read and dropped; a close is counted by the caller.
      ws.on("error", () => {});
      resolve(ws);
    });
  });
}
