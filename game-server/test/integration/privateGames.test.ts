/**
 * Private games with a password on a real node (one node: the in-memory
 * matchmaker and throttle) over real HTTP, WebSockets and PostgreSQL: the
 * opponent and every spectator need the password, a wrong one changes nothing,
 * wrong ones are throttled per address and per player with a short window, bad
 * input is refused, and the password is in no log line, response or audit row.
 * The cluster version (Redis matchmaker and counts, a takeover) is
 * test/cluster/privateGames.test.ts.
 */
import { randomBytes } from "node:crypto";
import type { InviteInfoResponse, TicketResponse } from "@tabula/shared/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPlayer, type Player, quickPlay, Seat } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const MAX_WRONG = 3;
const WINDOW_S = 2;

/** Every line the node logged (at debug), as written. */
const logLines: string[] = [];
const log = pino({ level: "debug" }, { write: (l: string) => void logLines.push(l) });
/** Every response body the test received, as sent. */
const responses: string[] = [];
/** Every password any test used: none may appear in a log line, a response or an audit row. */
const passwords: string[] = [];
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ GAME_PASSWORD_MAX_WRONG: String(MAX_WRONG), GAME_PASSWORD_WINDOW_S: String(WINDOW_S) }, { log });
});
afterAll(async () => {
  await node?.stop();
});

/** A fresh password, remembered for the leak checks. */
function newPassword(): string {
  const pw = `pw-${randomBytes(9).toString("base64url")}`;
  passwords.push(pw);
  return pw;
}

/** An HTTP call as a client at `ip` (the node trusts X-Forwarded-For from loopback, as from nginx). */
async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; raw?: string; ip?: string } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": opts.ip ?? "10.1.1.1",
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  responses.push(text);
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** A seat reservation (what the SDK's joinById sends first), as a client at `ip`. */
function reserve(p: Player, gameId: string, options: Record<string, unknown>, ip = "10.2.2.2") {
  return call<{ code?: number; error?: string; sessionId?: string }>("POST", `/matchmake/joinById/${gameId}`, {
    token: p.token,
    body: options,
    ip,
  });
}

/** Host opens a private invite; returns its ticket. */
async function privateInvite(host: Player, password: string): Promise<TicketResponse> {
  const r = await call<TicketResponse>("POST", "/api/invites", { token: host.token, body: { game: "connect4", password } });
  expect(r.status).toBe(200);
  expect(r.body.inviteCode).toMatch(/^[A-Z0-9]{6}$/);
  return r.body;
}

/** A private game between two new players, made through an invite; returns them and the game id. */
async function privateGame(password: string) {
  const [host, guest] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
  const t = await privateInvite(host, password);
  const accepted = await call<{ gameId: string }>("POST", `/api/invites/${t.inviteCode}/accept`, {
    token: guest.token,
    body: { password },
  });
  expect(accepted.status).toBe(200);
  return { host, guest, gameId: accepted.body.gameId };
}

/** Poll `read` until `done` holds, or fail after `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last saw ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a private invite", () => {
  it("needs the right password: none or a wrong one is refused and changes nothing; the right one makes a private game", async () => {
    const [host, guest] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const password = newPassword();
    const t = await privateInvite(host, password);
    const code = t.inviteCode as string;

    const info = await call<InviteInfoResponse>("GET", `/api/invites/${code}`);
    expect(info.body).toMatchObject({ code, game: "connect4", host: { name: host.name }, passwordRequired: true });

    const none = await call("POST", `/api/invites/${code}/accept`, { token: guest.token, body: {} });
    expect(none).toMatchObject({ status: 403, body: { error: { code: "PASSWORD_REQUIRED" } } });
    const wrong = await call("POST", `/api/invites/${code}/accept`, { token: guest.token, body: { password: `${password}x` } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: "WRONG_PASSWORD", message: "wrong password" } } });

    // Nothing changed: the invite is still open, the host still waits, no game was made.
    expect((await call("GET", `/api/invites/${code}`)).status).toBe(200);
    const waiting = await call<TicketResponse>("GET", `/api/matchmaking/tickets/${t.ticket}`, { token: host.token });
    expect(waiting.body.status).toBe("waiting");
    const made = await query<{ n: number }>(
      node.databaseUrl,
      `SELECT count(*)::int AS n FROM "Game" WHERE "seat0Id" IN ($1, $2) OR "seat1Id" IN ($1, $2)`,
      [host.id, guest.id],
    );
    expect(made[0].n).toBe(0);

    const right = await call<{ gameId: string }>("POST", `/api/invites/${code}/accept`, {
      token: guest.token,
      body: { password },
    });
    expect(right.status).toBe(200);
    const matched = await call<TicketResponse>("GET", `/api/matchmaking/tickets/${t.ticket}`, { token: host.token });
    expect(matched.body).toMatchObject({ status: "matched", gameId: right.body.gameId });

    // The game's row holds an Argon2id hash, never the password.
    const [row] = await query<{ passwordHash: string | null; mode: string }>(
      node.databaseUrl,
      `SELECT "passwordHash", mode FROM "Game" WHERE id = $1`,
      [right.body.gameId],
    );
    expect(row.mode).toBe("invite");
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(row.passwordHash).not.toContain(password);

    // Both players join their seats without a password.
    const [sh, sg] = await Promise.all([Seat.join(host, right.body.gameId), Seat.join(guest, right.body.gameId)]);
    expect([sh.seat, sg.seat].sort()).toEqual([0, 1]);
    await Promise.all([sh.room.leave(), sg.room.leave()]);
  });

  it("an invite without a password is as before: no password asked, the game is public", async () => {
    const [host, guest] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const t = await call<TicketResponse>("POST", "/api/invites", { token: host.token, body: { game: "connect4" } });
    const info = await call<InviteInfoResponse>("GET", `/api/invites/${t.body.inviteCode}`);
    expect(info.body.passwordRequired).toBe(false);
    const r = await call<{ gameId: string }>("POST", `/api/invites/${t.body.inviteCode}/accept`, { token: guest.token });
    expect(r.status).toBe(200);
    const [row] = await query<{ passwordHash: string | null }>(
      node.databaseUrl,
      `SELECT "passwordHash" FROM "Game" WHERE id = $1`,
      [r.body.gameId],
    );
    expect(row.passwordHash).toBeNull();
  });

  it("bad input is refused (400) and changes nothing: a short, long or non-string password, an unknown field", async () => {
    const [host, guest] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const bad: unknown[] = [
      { game: "connect4", password: "abc" },
      { game: "connect4", password: "x".repeat(65) },
      { game: "connect4", password: 12345678 },
      { game: "connect4", password: null },
      { game: "connect4", password: "long enough", extra: 1 },
    ];
    for (const body of bad) {
      const r = await call("POST", "/api/invites", { token: host.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ error: { code: "BAD_REQUEST" } });
    }
    const malformed = await call("POST", "/api/invites", { token: host.token, raw: '{"game":"connect4","password":' });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST" } } });
    // None of them opened an invite: the host has no ticket (a poll of any would say so; the player has none).
    const password = newPassword();
    const t = await privateInvite(host, password);
    for (const body of [{ password: "abc" }, { password: "y".repeat(65) }, { password: 5 }, { password, more: true }]) {
      const r = await call("POST", `/api/invites/${t.inviteCode}/accept`, { token: guest.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    // Still open, and bad input did not count as wrong passwords: the right one goes through.
    expect((await call<InviteInfoResponse>("GET", `/api/invites/${t.inviteCode}`)).body.passwordRequired).toBe(true);
    const ok = await call("POST", `/api/invites/${t.inviteCode}/accept`, { token: guest.token, body: { password } });
    expect(ok.status).toBe(200);
  });

  it(`after ${MAX_WRONG} wrong passwords the right one is refused too (429, retryAfterS), and accepted once the ${WINDOW_S} s window passed`, async () => {
    const [host, guest] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const password = newPassword();
    const t = await privateInvite(host, password);
    const accept = (pw: string, token = guest.token, ip = "10.3.3.3") =>
      call<{ error?: { code: string; message: string; retryAfterS?: number } }>("POST", `/api/invites/${t.inviteCode}/accept`, {
        token,
        body: { password: pw },
        ip,
      });
    for (let i = 0; i < MAX_WRONG; i++) expect((await accept(`wrong-${i}`)).body.error?.code).toBe("WRONG_PASSWORD");
    const throttled = await accept(password);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toMatchObject({
      code: "PASSWORD_THROTTLED",
      message: expect.stringMatching(/try again in \d+ s/),
    });
    expect(throttled.body.error?.retryAfterS).toBeGreaterThan(0);
    expect(throttled.body.error?.retryAfterS).toBeLessThanOrEqual(WINDOW_S);
    expect(throttled.headers.get("retry-after")).toBe(String(throttled.body.error?.retryAfterS));
    // Per address: another player from the same address is refused as well; per player: so is this one from elsewhere.
    const other = await newPlayer(node.url);
    expect((await accept(password, other.token)).status).toBe(429);
    expect((await accept(password, guest.token, "10.3.3.4")).status).toBe(429);
    expect((await call<InviteInfoResponse>("GET", `/api/invites/${t.inviteCode}`)).body.passwordRequired).toBe(true);

    // Once the window is over, the right password is accepted.
    const ok = await eventually(
      () => accept(password),
      (r) => r.status !== 429,
      "the throttle window to pass",
      (WINDOW_S + 5) * 1000,
    );
    expect(ok.status).toBe(200);

    await node.audit.flush();
    const audited = await query<{ kind: string; detail: Record<string, unknown>; ip: string }>(
      node.databaseUrl,
      `SELECT kind, detail, ip FROM "AuditEvent" WHERE "playerId" = $1 AND kind LIKE 'password.%' ORDER BY at, id`,
      [guest.id],
    );
    expect(audited.filter((r) => r.kind === "password.wrong")).toHaveLength(MAX_WRONG);
    expect(audited[0]).toMatchObject({ detail: { scope: "invite", invite: t.inviteCode }, ip: "10.3.3.3" });
    expect(audited.some((r) => r.kind === "password.limited")).toBe(true);
  });
});

describe("spectators of a private game", () => {
  it("must give the password; players in their seats need none; the Watch list shows a lock", async () => {
    const password = newPassword();
    const { host, guest, gameId } = await privateGame(password);
    const watcher = await newPlayer(node.url);

    const none = await reserve(watcher, gameId, { spectate: true });
    expect(none.status).toBe(403);
    expect(none.body.error).toMatch(/^PASSWORD_REQUIRED: /);
    const wrong = await reserve(watcher, gameId, { spectate: true, password: `${password}!` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toBe("WRONG_PASSWORD: wrong password");
    // Not asking to spectate does not help: whoever holds no seat is a spectator.
    expect((await reserve(watcher, gameId, {})).status).toBe(403);

    // Through the SDK, as a client would: refused with the code, then admitted with the password.
    const refused = await Seat.join(watcher, gameId, { spectate: true }).then(
      () => null,
      (err: { code?: number; message?: string }) => err,
    );
    expect(refused).toMatchObject({ code: 403, message: expect.stringMatching(/^PASSWORD_REQUIRED/) });
    const spectator = await Seat.join(watcher, gameId, { spectate: true, password });
    expect(spectator.snapshot?.you).toEqual({ role: "spectator", seat: null });

    // The players: no password, even asking to spectate.
    const seated = await Seat.join(host, gameId);
    expect(seated.seat).not.toBeNull();
    const hostWatching = await reserve(host, gameId, { spectate: true });
    expect(hostWatching.status).toBe(200);

    // Nor can its moves be read over HTTP while it is on, except by its players.
    expect((await call("GET", `/api/games/${gameId}`)).status).toBe(403);
    expect((await call("GET", `/api/games/${gameId}`, { token: watcher.token })).body).toMatchObject({
      error: { code: "PASSWORD_REQUIRED" },
    });
    expect((await call("GET", `/api/games/${gameId}`, { token: host.token })).status).toBe(200);

    const live = await call<{ games: Array<{ gameId: string; private: boolean }> }>("GET", "/api/live-games");
    expect(live.body.games.find((g) => g.gameId === gameId)?.private).toBe(true);

    // A public game: no lock, no password.
    const [a, b] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const [publicId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const [sa] = await Promise.all([Seat.join(a, publicId)]);
    const again = await call<{ games: Array<{ gameId: string; private: boolean }> }>("GET", "/api/live-games");
    expect(again.body.games.find((g) => g.gameId === publicId)?.private).toBe(false);
    expect((await reserve(watcher, publicId, { spectate: true })).status).toBe(200);

    // A bad password option is refused as invalid join options, whatever the game.
    for (const opt of [{ password: 1234 }, { password: "abc" }, { password: "z".repeat(65) }]) {
      const r = await reserve(watcher, gameId, { spectate: true, ...opt });
      expect(r, JSON.stringify(opt)).toMatchObject({ status: 400, body: { error: "invalid join options" } });
    }
    await Promise.all([spectator.room.leave(), seated.room.leave(), sa.room.leave()]);
    void guest;
  });

  it(`are throttled after ${MAX_WRONG} wrong passwords (the right one too) until the window passes`, async () => {
    const password = newPassword();
    const { gameId } = await privateGame(password);
    const watcher = await newPlayer(node.url);
    for (let i = 0; i < MAX_WRONG; i++) {
      expect((await reserve(watcher, gameId, { spectate: true, password: `nope-${i}` }, "10.4.4.4")).body.error).toMatch(
        /^WRONG_PASSWORD/,
      );
    }
    const throttled = await reserve(watcher, gameId, { spectate: true, password }, "10.4.4.4");
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toMatch(/^PASSWORD_THROTTLED: too many wrong passwords; try again in \d+ s$/);
    // Another player at the same address is throttled too; a player elsewhere is not.
    const neighbour = await newPlayer(node.url);
    expect((await reserve(neighbour, gameId, { spectate: true, password }, "10.4.4.4")).status).toBe(429);
    expect((await reserve(neighbour, gameId, { spectate: true, password }, "10.4.4.5")).status).toBe(200);

    const ok = await eventually(
      () => reserve(watcher, gameId, { spectate: true, password }, "10.4.4.4"),
      (r) => r.status !== 429,
      "the throttle window to pass",
      (WINDOW_S + 5) * 1000,
    );
    expect(ok.status).toBe(200);
    await node.audit.flush();
    const audited = await query<{ kind: string; gameId: string; detail: Record<string, unknown> }>(
      node.databaseUrl,
      `SELECT kind, "gameId", detail FROM "AuditEvent" WHERE "playerId" = $1 AND kind LIKE 'password.%' ORDER BY at, id`,
      [watcher.id],
    );
    expect(audited.filter((r) => r.kind === "password.wrong")).toHaveLength(MAX_WRONG);
    expect(audited[0]).toMatchObject({ gameId, detail: { scope: "game" } });
    expect(audited.some((r) => r.kind === "password.limited")).toBe(true);
  });
});

describe("the password is never shown", () => {
  it("in no log line, response body or audit row of everything above", async () => {
    expect(passwords.length).toBeGreaterThanOrEqual(5);
    expect(logLines.length).toBeGreaterThan(50); // debug: every request and join was logged
    expect(logLines.some((l) => l.includes("wrong private-game password"))).toBe(true);
    await node.audit.flush();
    const audit = await query<{ row: string }>(node.databaseUrl, `SELECT row_to_json(a)::text AS row FROM "AuditEvent" a`);
    expect(audit.length).toBeGreaterThan(10);
    for (const pw of passwords) {
      expect(
        logLines.filter((l) => l.includes(pw)),
        pw,
      ).toEqual([]);
      expect(
        responses.filter((r) => r.includes(pw)),
        pw,
      ).toEqual([]);
      expect(
        audit.filter((r) => r.row.includes(pw)),
        pw,
      ).toEqual([]);
    }
  });
});
