/**
 * Accounts and sessions on a real node and a real PostgreSQL, over HTTP as a
 * third-party client speaks it (docs/protocol.md, "Accounts and sessions"):
 * register, log in, refresh, a rotated refresh token presented again revokes
 * its family, logout, a password change ends every session, login throttling
 * with Retry-After, no enumeration (an unknown name and a wrong password get
 * the same answer), a guest that played claims an account and keeps its game,
 * and bad input changes nothing.
 *
 * Each test speaks from its own client address (X-Forwarded-For, believed from
 * loopback), so the per-address throttle of one test never holds another back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { query } from "../support/db.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

const PER_NAME = 3;
const PER_IP = 6;
const WINDOW_S = 120;
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({
    LOGIN_FAILURES_PER_NAME: String(PER_NAME),
    LOGIN_FAILURES_PER_IP: String(PER_IP),
    LOGIN_THROTTLE_WINDOW_S: String(WINDOW_S),
  });
});
afterAll(async () => {
  await node?.stop();
});

interface Session {
  token: string;
  tokenExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
  player: { id: string; name: string; account: true };
}
interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

let ipSeq = 0;
/** A fresh client address for one test. */
const newIp = () => `10.20.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: { ip: string; token?: string; body?: unknown; raw?: string },
): Promise<Answer<T>> {
  const res = await fetch(node.url + path, {
    method,
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": opts.ip,
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

const register = (ip: string, name: string, password: string, token?: string) =>
  call<Session>("POST", "/api/accounts", { ip, token, body: { name, password } });
const login = (ip: string, name: string, password: string) =>
  call<Session>("POST", "/api/sessions", { ip, body: { name, password } });
const refresh = (ip: string, refreshToken: string) =>
  call<Session>("POST", "/api/sessions/refresh", { ip, body: { refreshToken } });

let nameSeq = 0;
const newName = (base = "acct") => `${base}${Date.now() % 100_000}${++nameSeq}`;

async function counts() {
  const [r] = await query<{ players: number; tokens: number }>(
    node.databaseUrl,
    `SELECT (SELECT count(*)::int FROM "Player") AS players, (SELECT count(*)::int FROM "RefreshToken") AS tokens`,
  );
  return r;
}

async function auditRows(kind: string, playerId?: string) {
  await node.audit.flush();
  return query<{ playerId: string | null; ip: string | null; detail: Record<string, unknown> }>(
    node.databaseUrl,
    `SELECT "playerId"::text AS "playerId", ip, detail FROM "AuditEvent" WHERE kind = $1 AND ($2::uuid IS NULL OR "playerId" = $2::uuid)`,
    [kind, playerId ?? null],
  );
}

describe("accounts", () => {
  it("registers, logs in and refreshes: an account's access token says so in GET /api/me", async () => {
    const ip = newIp();
    const name = newName("Ann");
    const reg = await register(ip, name, "correct horse battery");
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({
      token: expect.any(String),
      tokenExpiresAt: expect.any(Number),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      refreshExpiresAt: expect.any(Number),
      player: { id: expect.any(String), name, account: true },
    });
    // ACCESS_TOKEN_TTL_S (900 s) and REFRESH_TOKEN_TTL_DAYS (30 days) by default.
    expect(reg.body.tokenExpiresAt - Date.now()).toBeGreaterThan(880_000);
    expect(reg.body.tokenExpiresAt - Date.now()).toBeLessThanOrEqual(900_000);
    expect(reg.body.refreshExpiresAt - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    const me = await call("GET", "/api/me", { ip, token: reg.body.token });
    expect(me.body).toEqual({ id: reg.body.player.id, name, account: true });

    // Only the SHA-256 of a refresh token is stored; the password only as an Argon2id hash.
    const stored = await query<{ hash: string }>(
      node.databaseUrl,
      `SELECT hash FROM "RefreshToken" WHERE "playerId" = $1::uuid`,
      [reg.body.player.id],
    );
    expect(stored.map((r) => r.hash)).not.toContain(reg.body.refreshToken);
    const [p] = await query<{ passwordHash: string }>(
      node.databaseUrl,
      `SELECT "passwordHash" FROM "Player" WHERE id = $1::uuid`,
      [reg.body.player.id],
    );
    expect(p.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);

    // Log in under any case of the name.
    const li = await login(ip, name.toUpperCase(), "correct horse battery");
    expect(li.status).toBe(200);
    expect(li.body.player).toEqual({ id: reg.body.player.id, name, account: true });
    expect((await auditRows("login", reg.body.player.id)).map((r) => r.detail)).toContainEqual({ name, method: "password" });

    const r1 = await refresh(ip, li.body.refreshToken);
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(li.body.refreshToken);
    expect((await call("GET", "/api/me", { ip, token: r1.body.token })).body).toMatchObject({ account: true });
    const r2 = await refresh(ip, r1.body.refreshToken);
    expect(r2.status).toBe(200);

    // A guest is not an account.
    const guest = await newPlayer(node.url);
    expect((await call("GET", "/api/me", { ip, token: guest.token })).body).toEqual({
      id: guest.id,
      name: guest.name,
      account: false,
    });
  });

  it("a rotated refresh token presented again revokes its whole family (audited); other sessions stay", async () => {
    const ip = newIp();
    const name = newName();
    const reg = await register(ip, name, "a long enough password");
    const other = await login(ip, name, "a long enough password");
    const next = await refresh(ip, reg.body.refreshToken);
    expect(next.status).toBe(200);

    const replay = await refresh(ip, reg.body.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: { code: "BAD_REFRESH_TOKEN", message: expect.stringMatching(/already used/) } });
    // The legitimate holder's newer token is revoked too: both must log in again.
    const after = await refresh(ip, next.body.refreshToken);
    expect(after.status).toBe(401);
    expect((after.body as unknown as { error: { code: string } }).error.code).toBe("BAD_REFRESH_TOKEN");
    expect((await refresh(ip, other.body.refreshToken)).status).toBe(200);

    const reuse = await auditRows("session.reuse", reg.body.player.id);
    expect(reuse).toHaveLength(1);
    expect(reuse[0].ip).toBe(ip);
    // Nothing secret in the audit log.
    expect(JSON.stringify(reuse)).not.toContain(reg.body.refreshToken);
  });

  it("refreshes racing with one token (on the row lock): exactly one gets the next pair, the rest end the session", async () => {
    const ip = newIp();
    const reg = await register(ip, newName(), "racing password");
    const answers = await Promise.all(Array.from({ length: 8 }, () => refresh(ip, reg.body.refreshToken)));
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(7);
    // The winner's new token belongs to the revoked family too.
    expect((await refresh(ip, ok[0].body.refreshToken)).status).toBe(401);
  });

  it("logout revokes the session's refresh tokens; a second logout answers revoked: false", async () => {
    const ip = newIp();
    const name = newName();
    const reg = await register(ip, name, "password for logout");
    const out = await call("POST", "/api/sessions/logout", { ip, body: { refreshToken: reg.body.refreshToken } });
    expect(out).toMatchObject({ status: 200, body: { revoked: true } });
    expect((await refresh(ip, reg.body.refreshToken)).status).toBe(401);
    expect((await call("POST", "/api/sessions/logout", { ip, body: { refreshToken: "x".repeat(43) } })).body).toEqual({
      revoked: false,
    });
    expect(await auditRows("session.logout", reg.body.player.id)).toHaveLength(1);
  });

  it("a password change needs the current password, ends every session, and answers a fresh one", async () => {
    const ip = newIp();
    const name = newName();
    const reg = await register(ip, name, "old password 1");
    const laptop = await login(ip, name, "old password 1");
    const change = (token: string, currentPassword: string, newPassword: string) =>
      call<Session>("POST", "/api/accounts/password", { ip, token, body: { currentPassword, newPassword } });

    const wrong = await change(reg.body.token, "not my password", "new password 2");
    expect(wrong.status).toBe(401);
    expect((wrong.body as unknown as { error: { code: string } }).error.code).toBe("BAD_CREDENTIALS");
    expect((await change(reg.body.token, "old password 1", name)).status).toBe(400);
    expect((await change(reg.body.token, "old password 1", "short")).status).toBe(400);
    const guest = await newPlayer(node.url);
    const byGuest = await change(guest.token, "whatever1", "new password 2");
    expect(byGuest.status).toBe(403);
    expect((byGuest.body as unknown as { error: { code: string } }).error.code).toBe("ACCOUNT_REQUIRED");

    const ok = await change(reg.body.token, "old password 1", "new password 2");
    expect(ok.status).toBe(200);
    expect((await refresh(ip, reg.body.refreshToken)).status).toBe(401);
    expect((await refresh(ip, laptop.body.refreshToken)).status).toBe(401);
    expect((await refresh(ip, ok.body.refreshToken)).status).toBe(200);
    expect((await login(ip, name, "old password 1")).status).toBe(401);
    expect((await login(ip, name, "new password 2")).status).toBe(200);
    expect((await auditRows("password.changed", reg.body.player.id)).map((r) => r.detail)).toEqual([{ sessionsRevoked: 2 }]);
  });

  it("no enumeration: an unknown name, a guest's name and a wrong password get the same status and body", async () => {
    const ip = newIp();
    const name = newName();
    await register(ip, name, "the right password");
    const guest = await newPlayer(node.url);
    const wrong = await login(ip, name, "the wrong password");
    const unknown = await login(ip, newName("nobody"), "the wrong password");
    const guestName = await login(newIp(), guest.name, "the wrong password");
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: "BAD_CREDENTIALS", message: "wrong name or password" } });
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
    expect(guestName.status).toBe(wrong.status);
    expect(guestName.body).toEqual(wrong.body);
    // Failures are audited without the typed name (people type their password there).
    const failed = await auditRows("login.failed");
    expect(failed.filter((r) => r.ip === ip).map((r) => r.detail.known)).toEqual([true, false]);
    expect(JSON.stringify(failed)).not.toContain("the wrong password");
  });

  it("throttles failed logins per name (unknown names too), with Retry-After and 'try again in N s'", async () => {
    const name = newName();
    await register(newIp(), name, "the right password");
    for (const target of [name, newName("ghost")]) {
      for (let i = 0; i < PER_NAME; i++) expect((await login(newIp(), target, `wrong ${i} password`)).status).toBe(401);
      // From yet another address, even the right password is held back: the name is throttled.
      const held = await login(newIp(), target, "the right password");
      expect(held.status).toBe(429);
      const after = Number(held.headers.get("retry-after"));
      expect(after).toBeGreaterThan(WINDOW_S - 30);
      expect(after).toBeLessThanOrEqual(WINDOW_S);
      expect(held.body).toEqual({
        error: { code: "LOGIN_THROTTLED", message: `too many failed logins; try again in ${after} s`, retryAfterS: after },
      });
    }
    expect((await auditRows("login.throttled")).some((r) => r.detail.scope === "name")).toBe(true);
  });

  it("throttles failed logins per address across names, and not other addresses", async () => {
    const ip = newIp();
    const name = newName();
    await register(newIp(), name, "the right password");
    for (let i = 0; i < PER_IP; i++) expect((await login(ip, newName("spray"), "some password")).status).toBe(401);
    const held = await login(ip, name, "the right password");
    expect(held.status).toBe(429);
    expect((held.body as unknown as { error: { retryAfterS: number } }).error.retryAfterS).toBeGreaterThan(0);
    expect((await login(newIp(), name, "the right password")).status).toBe(200);
    expect((await auditRows("login.throttled")).some((r) => r.ip === ip && r.detail.scope === "ip")).toBe(true);
  });

  it("a guest that played a game claims an account (same id, new or own name) and still has the game", async () => {
    const ip = newIp();
    const [a, b] = await Promise.all([newPlayer(node.url), newPlayer(node.url)]);
    const [gameA, gameB] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    expect(gameA).toBe(gameB);
    const [sa, sb] = await Promise.all([Seat.join(a, gameA), Seat.join(b, gameA)]);
    await sa.room.send("resign", {});
    await sb.until((s) => s.snapshot?.status === "finished", "resignation");
    await Promise.all([sa.room.leave(true), sb.room.leave(true)]);

    const name = newName("Claimer");
    const claimed = await register(ip, name, "claimed password", a.token);
    expect(claimed.status).toBe(201);
    expect(claimed.body.player).toEqual({ id: a.id, name, account: true });
    const games = await call<{ games: Array<{ gameId: string; players: Array<{ id: string; name: string }> }> }>(
      "GET",
      "/api/games",
      {
        ip,
        token: claimed.body.token,
      },
    );
    expect(games.body.games.map((g) => g.gameId)).toEqual([gameA]);
    expect(games.body.games[0].players.map((p) => p.id)).toContain(a.id);
    expect((await call("GET", "/api/me", { ip, token: claimed.body.token })).body).toEqual({ id: a.id, name, account: true });
    const li = await login(ip, name, "claimed password");
    expect(li.body.player.id).toBe(a.id);
    expect((await auditRows("account.registered", a.id)).map((r) => r.detail)).toEqual([{ name, claimed: true }]);

    // The old guest token cannot claim again; b claims its own guest name.
    const again = await register(ip, newName(), "another password", a.token);
    expect(again.status).toBe(409);
    expect((again.body as unknown as { error: { code: string } }).error.code).toBe("ALREADY_REGISTERED");
    expect((await register(ip, newName(), "another password", claimed.body.token)).status).toBe(409);
    const own = await register(ip, b.name, "b's own password", b.token);
    expect(own.status).toBe(201);
    expect(own.body.player).toEqual({ id: b.id, name: b.name, account: true });
    // Someone else's name cannot be claimed.
    const c = await newPlayer(node.url);
    const taken = await register(ip, b.name.toLowerCase(), "c's password 1", c.token);
    expect(taken.status).toBe(409);
    expect((taken.body as unknown as { error: { code: string } }).error.code).toBe("NAME_TAKEN");
  });

  it("bad input gets a 4xx with a clear message and changes nothing", async () => {
    const ip = newIp();
    const taken = newName();
    await register(ip, taken, "the taken password");
    const before = await counts();
    const bad: Array<[string, { body?: unknown; raw?: string; token?: string }, number]> = [
      ["/api/accounts", { raw: "{not json" }, 400],
      ["/api/accounts", { raw: JSON.stringify({ name: "Big", password: "x".repeat(5000) }) }, 413],
      ["/api/accounts", { body: { name: "a", password: "long enough pw" } }, 400],
      ["/api/accounts", { body: { name: "<script>", password: "long enough pw" } }, 400],
      ["/api/accounts", { body: { name: "x".repeat(21), password: "long enough pw" } }, 400],
      ["/api/accounts", { body: { name: "Fine Name", password: "short" } }, 400],
      ["/api/accounts", { body: { name: "Fine Name", password: "p".repeat(129) } }, 400],
      ["/api/accounts", { body: { name: "Fine Name1", password: "fine name1" } }, 400],
      ["/api/accounts", { body: { name: "Fine Name", password: "long enough pw", admin: true } }, 400],
      ["/api/accounts", { body: { name: taken.toUpperCase(), password: "long enough pw" } }, 409],
      ["/api/accounts", { body: { name: "Fine Name", password: "long enough pw" }, token: "not.a.token" }, 401],
      ["/api/sessions", { body: { name: "x".repeat(65), password: "p" } }, 400],
      ["/api/sessions", { body: { name: taken } }, 400],
      ["/api/sessions", { body: [1, 2] }, 400],
      ["/api/sessions/refresh", { body: { refreshToken: "short" } }, 400],
      ["/api/sessions/refresh", { body: { refreshToken: "A".repeat(43) } }, 401],
      ["/api/sessions/logout", { body: {} }, 400],
      ["/api/accounts/password", { body: { currentPassword: "x", newPassword: "long enough pw" } }, 401],
    ];
    for (const [path, opts, status] of bad) {
      const r = await call<{ error: { code: string; message: string } }>("POST", path, { ip, ...opts });
      expect({ path, opts, status: r.status }).toEqual({ path, opts, status });
      expect(r.body.error.message.length).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
  });
});
