/**
 * Game chat over real WebSockets and PostgreSQL (docs/protocol.md, "Chat"):
 * stored before it is seen, players and spectators kept apart, a late joiner's
 * history, the per-player limit (the 31st message in a minute refused and not
 * stored), the length cap and the characters removed, mute and block, reports
 * in the audit log, bad input — and a message sent just before a kill -9 in
 * the history of the room rebuilt after it.
 */
import type { ChatHistoryMessage, ChatLine } from "@tabula/shared/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClient } from "../../../bots/src/sdk.ts";
import { createTestDatabase, query } from "../support/db.ts";
import { http, newPlayer, type Player, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

/** A seat that keeps the chat it is sent. */
class Chatter {
  readonly lines: ChatLine[] = [];
  history: ChatHistoryMessage | undefined;
  readonly seat: Seat;
  constructor(seat: Seat) {
    this.seat = seat;
    seat.room.onMessage("chat", (l: ChatLine) => {
      this.lines.push(l);
      seat.nudge();
    });
    seat.room.onMessage("chatHistory", (h: ChatHistoryMessage) => {
      this.history = h;
      seat.nudge();
    });
  }
  static async join(p: Player, gameId: string, options: Record<string, unknown> = {}): Promise<Chatter> {
    return new Chatter(await Seat.join(p, gameId, options));
  }
  /** Say `text` and wait until it comes back (delivered to its own channel) or is refused. */
  async say(text: string): Promise<"delivered" | string> {
    const n = this.lines.length;
    const e = this.seat.errors.length;
    this.seat.room.send("chat", { text });
    await this.seat.until((s) => this.lines.length > n || s.errors.length > e, `chat "${text.slice(0, 20)}"`);
    return this.seat.errors.length > e ? this.seat.errors[e].code : "delivered";
  }
  /** Ask for the channel's history and wait for it. */
  async fetchHistory(): Promise<ChatHistoryMessage> {
    this.history = undefined;
    for (;;) {
      const e = this.seat.errors.length;
      this.seat.room.send("chatHistory", {});
      await this.seat.until((s) => this.history !== undefined || s.errors.length > e, "chat history");
      if (this.history !== undefined) return this.history;
      // Asked less than a second after the last time (refused, retryInS 1): ask again when told.
      expect(this.seat.errors[e]).toMatchObject({ code: "CHAT_RATE_LIMITED", inReplyTo: "chatHistory" });
      await new Promise((resolve) => setTimeout(resolve, (this.seat.errors[e].retryInS ?? 1) * 1000));
    }
  }
  texts(): string[] {
    return this.lines.map((l) => l.text);
  }
}

let node: TestNode;
const processes: NodeProcess[] = [];
beforeAll(async () => {
  node = await startTestNode({ MAX_MESSAGES_PER_SECOND: "200" });
});
afterAll(async () => {
  for (const p of processes) p.child.kill("SIGKILL");
  await node?.stop();
});

/** Two players in a new game on `base`, both joined, and the game id. */
async function newGame(base: string) {
  const a = await newPlayer(base);
  const b = await newPlayer(base);
  const [gameId] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
  const [ca, cb] = await Promise.all([Chatter.join(a, gameId), Chatter.join(b, gameId)]);
  return { a, b, gameId, ca, cb };
}

const stored = (url: string, playerId: string) =>
  query<{ channel: string; text: string }>(url, `SELECT channel, text FROM "ChatMessage" WHERE "playerId" = $1 ORDER BY id`, [
    playerId,
  ]);

describe("game chat", () => {
  it("players and spectators are kept apart, each message is stored first, and a late joiner gets its channel's history", async () => {
    const { a, b, gameId, ca, cb } = await newGame(node.url);
    const w = await newPlayer(node.url);
    const cw = await Chatter.join(w, gameId, { spectate: true });

    expect(await ca.say("good luck")).toBe("delivered");
    await cb.seat.until(() => cb.texts().includes("good luck"), "the opponent sees it");
    expect(await cw.say("who wins?")).toBe("delivered");
    // Stored in its channel before anyone saw it (the sender saw it come back).
    expect(await stored(node.databaseUrl, a.id)).toEqual([{ channel: `g:${gameId}:p`, text: "good luck" }]);
    expect(await stored(node.databaseUrl, w.id)).toEqual([{ channel: `g:${gameId}:s`, text: "who wins?" }]);
    // One more round trip each, so that anything wrongly sent across would have arrived by now.
    await cb.say("thanks");
    await cw.say("anyone?");
    await ca.seat.until(() => ca.texts().includes("thanks"), "the reply");
    expect(cw.texts()).toEqual(["who wins?", "anyone?"]);
    expect(ca.texts()).toEqual(["good luck", "thanks"]);
    expect(cb.texts()).toEqual(["good luck", "thanks"]);

    // Late joiners: a second spectator gets the spectators' history only; a player (re)joining the players'.
    const v = await newPlayer(node.url);
    const cv = await Chatter.join(v, gameId, { spectate: true });
    const hv = await cv.fetchHistory();
    expect(hv.channel).toBe(`g:${gameId}:s`);
    expect(hv.messages.map((m) => [m.name, m.text])).toEqual([
      [w.name, "who wins?"],
      [w.name, "anyone?"],
    ]);
    const hb = await cb.fetchHistory();
    expect(hb.messages.map((m) => m.text)).toEqual(["good luck", "thanks"]);
    expect(hb.messages[0]).toMatchObject({ playerId: a.id, name: a.name, channel: `g:${gameId}:p` });
    expect(Number(hb.messages[1].id)).toBeGreaterThan(Number(hb.messages[0].id));
    void b;
  });

  it("the 31st message in a minute is refused with the time to wait, and nothing of it is stored", async () => {
    const { a, ca, cb } = await newGame(node.url);
    for (let i = 1; i <= 30; i++) expect(await ca.say(`m${i}`)).toBe("delivered");
    expect(await ca.say("m31")).toBe("CHAT_RATE_LIMITED");
    const refusal = ca.seat.errors.at(-1);
    expect(refusal).toMatchObject({ code: "CHAT_RATE_LIMITED", inReplyTo: "chat" });
    expect(refusal?.retryInS).toBeGreaterThanOrEqual(1);
    expect(refusal?.retryInS).toBeLessThanOrEqual(60);
    expect(refusal?.message).toMatch(/try again in \d+ s/);
    const rows = await stored(node.databaseUrl, a.id);
    expect(rows.map((r) => r.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 1}`));
    // The opponent got exactly the 30 (one more round trip from it proves nothing else is on the way).
    await cb.say("ok");
    expect(cb.texts()).toEqual([...rows.map((r) => r.text), "ok"]);
  });

  it("length cap, characters removed, empty refused; stored as cleaned, markup left as text", async () => {
    const { a, ca } = await newGame(node.url);
    expect(await ca.say("x".repeat(281))).toBe("CHAT_TOO_LONG");
    expect(await ca.say("\u202e\u200b \u0000\n")).toBe("CHAT_EMPTY");
    expect(await ca.say(`${"y".repeat(280)}`)).toBe("delivered");
    expect(await ca.say("pay\u202egnp.exe\u2066 me\u0007 now\u200b")).toBe("delivered");
    expect(await ca.say("<img src=x onerror=alert(1)><b>hi</b>")).toBe("delivered");
    expect((await stored(node.databaseUrl, a.id)).map((r) => r.text)).toEqual([
      "y".repeat(280),
      "paygnp.exe me now",
      "<img src=x onerror=alert(1)><b>hi</b>",
    ]);
  });

  it("bad input (malformed, oversized, wrong types) is answered BAD_MESSAGE and stores nothing", async () => {
    const { a, ca } = await newGame(node.url);
    for (const payload of [{}, { text: 5 }, { text: "hi", extra: 1 }, "hi", { text: "x".repeat(2001) }, null, [1]]) {
      const e = ca.seat.errors.length;
      ca.seat.room.send("chat", payload as never);
      await ca.seat.until((s) => s.errors.length > e, "an error");
      expect(ca.seat.errors[e]).toMatchObject({ code: "BAD_MESSAGE", inReplyTo: "chat" });
    }
    expect(await stored(node.databaseUrl, a.id)).toEqual([]);
    // Still served: the socket and the node are fine.
    expect(await ca.say("still here")).toBe("delivered");
  });

  it("asking for the history again within a second is refused without a query (a flood of chatHistory)", async () => {
    const { ca } = await newGame(node.url);
    await ca.fetchHistory();
    const e = ca.seat.errors.length;
    ca.history = undefined;
    for (let i = 0; i < 5; i++) ca.seat.room.send("chatHistory", {});
    await ca.seat.until((s) => s.errors.length >= e + 5, "five refusals");
    expect(ca.seat.errors.slice(e).map((x) => [x.code, x.inReplyTo, x.retryInS])).toEqual(
      Array(5).fill(["CHAT_RATE_LIMITED", "chatHistory", 1]),
    );
    expect(ca.history).toBeUndefined();
  });

  it("mute and block: the muter is not sent the muted sender's messages, live or in history; others are", async () => {
    const { a, b, gameId, ca, cb } = await newGame(node.url);
    const w = await newPlayer(node.url);
    const x = await newPlayer(node.url);
    const [cw, cx] = [await Chatter.join(w, gameId, { spectate: true }), await Chatter.join(x, gameId, { spectate: true })];
    expect(await ca.say("before the mute")).toBe("delivered");
    const muted = await http(node.url, "PUT", `/api/chat/relations/mute/${a.id}`, b.token);
    expect(muted.status).toBe(204);
    const blocked = await http(node.url, "PUT", `/api/chat/relations/block/${x.id}`, w.token);
    expect(blocked.status).toBe(204);
    const list = await http<{ mute: unknown[]; block: unknown[] }>(node.url, "GET", "/api/chat/relations", b.token);
    expect(list.body).toEqual({ mute: [{ id: a.id, name: a.name }], block: [] });

    expect(await ca.say("you won't see this")).toBe("delivered");
    expect(await cx.say("nor this")).toBe("delivered");
    // A round trip from the muter itself and from the blocker: whatever was sent to them has arrived.
    await cb.say("hello?");
    await cw.say("hi");
    expect(cb.texts()).toEqual(["before the mute", "hello?"]);
    expect(cw.texts()).toEqual(["hi"]);
    // The blocked one still sees the blocker.
    await cx.seat.until(() => cx.texts().includes("hi"), "the blocker's message");
    expect(cx.texts()).toEqual(["nor this", "hi"]);
    await ca.seat.until(() => ca.texts().includes("hello?"), "the muter's message");
    expect(ca.texts()).toEqual(["before the mute", "you won't see this", "hello?"]);
    expect((await cb.fetchHistory()).messages.map((m) => m.text)).toEqual(["hello?"]);
    expect((await cw.fetchHistory()).messages.map((m) => m.text)).toEqual(["hi"]);
    expect((await cx.fetchHistory()).messages.map((m) => m.text)).toEqual(["nor this", "hi"]);

    // Unmuted: history shows the sender again.
    expect((await http(node.url, "DELETE", `/api/chat/relations/mute/${a.id}`, b.token)).status).toBe(204);
    expect((await cb.fetchHistory()).messages.map((m) => m.text)).toEqual(["before the mute", "you won't see this", "hello?"]);
    // Bad relation requests: unknown player, yourself, a kind that does not exist, no identity.
    expect((await http(node.url, "PUT", `/api/chat/relations/mute/00000000-0000-4000-8000-000000000009`, b.token)).status).toBe(
      404,
    );
    expect((await http(node.url, "PUT", `/api/chat/relations/mute/${b.id}`, b.token)).status).toBe(400);
    expect((await http(node.url, "PUT", `/api/chat/relations/ban/${a.id}`, b.token)).status).toBe(400);
    expect((await http(node.url, "PUT", `/api/chat/relations/mute/${a.id}`)).status).toBe(401);
  });

  it("a report lands in the audit log with the message as stored, the sender and the reporter", async () => {
    const { a, b, gameId, ca, cb } = await newGame(node.url);
    expect(await ca.say("something rude")).toBe("delivered");
    await cb.seat.until(() => cb.lines.length > 0, "the line");
    const id = cb.lines[0].id;
    const r = await http(node.url, "POST", "/api/chat/reports", b.token, { messageId: id, reason: "insult" });
    expect(r.status).toBe(202);
    expect((await http(node.url, "POST", "/api/chat/reports", b.token, { messageId: "999999999", reason: "x" })).status).toBe(
      404,
    );
    expect((await http(node.url, "POST", "/api/chat/reports", b.token, { messageId: "abc", reason: "x" })).status).toBe(400);
    await node.audit.flush();
    const rows = await query<{ playerId: string; gameId: string; detail: Record<string, string> }>(
      node.databaseUrl,
      `SELECT "playerId"::text AS "playerId", "gameId", detail FROM "AuditEvent" WHERE kind = 'chat.report'`,
    );
    expect(rows).toEqual([
      {
        playerId: b.id,
        gameId,
        detail: {
          messageId: id,
          channel: `g:${gameId}:p`,
          senderId: a.id,
          senderName: a.name,
          text: "something rude",
          reason: "insult",
        },
      },
    ]);
  });
});

describe("lobby chat on one node", () => {
  it("posted, read back, refused when empty, too long or unauthenticated (nothing stored)", async () => {
    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const before = await http<{ messages: ChatLine[] }>(node.url, "GET", "/api/chat/lobby", b.token);
    const posted = await http<{ message: ChatLine }>(node.url, "POST", "/api/chat/lobby", a.token, { text: "hello lobby" });
    expect(posted.status).toBe(200);
    expect(posted.body.message).toMatchObject({ channel: "lobby", playerId: a.id, name: a.name, text: "hello lobby" });
    const after = before.body.messages.at(-1)?.id ?? "0";
    const fresh = await http<{ messages: ChatLine[] }>(node.url, "GET", `/api/chat/lobby?after=${after}`, b.token);
    expect(fresh.body.messages.map((m) => m.text)).toEqual(["hello lobby"]);
    expect((await http(node.url, "POST", "/api/chat/lobby", a.token, { text: "\u200b" })).status).toBe(400);
    expect((await http(node.url, "POST", "/api/chat/lobby", a.token, { text: "z".repeat(281) })).body).toMatchObject({
      error: { code: "CHAT_TOO_LONG" },
    });
    expect((await http(node.url, "POST", "/api/chat/lobby", undefined, { text: "anon" })).status).toBe(401);
    expect((await http(node.url, "POST", "/api/chat/lobby", a.token, { text: "hi", html: true })).status).toBe(400);
    expect((await http(node.url, "GET", "/api/chat/lobby?after=-1", b.token)).status).toBe(400);
    expect((await stored(node.databaseUrl, a.id)).map((r) => r.text)).toEqual(["hello lobby"]);
  });

  it("a muted sender's lobby lines are left out for the muter, in the history and in polls; not for others", async () => {
    const loud = await newPlayer(node.url);
    const muter = await newPlayer(node.url);
    const other = await newPlayer(node.url);
    const start = await http<{ messages: ChatLine[] }>(node.url, "GET", "/api/chat/lobby", other.token);
    const after = start.body.messages.at(-1)?.id ?? "0";
    expect((await http(node.url, "PUT", `/api/chat/relations/mute/${loud.id}`, muter.token)).status).toBe(204);
    await http(node.url, "POST", "/api/chat/lobby", loud.token, { text: "LOUD" });
    await http(node.url, "POST", "/api/chat/lobby", other.token, { text: "quiet" });
    const texts = async (who: Player, path: string) =>
      (await http<{ messages: ChatLine[] }>(node.url, "GET", path, who.token)).body.messages.map((m) => m.text);
    expect(await texts(muter, `/api/chat/lobby?after=${after}`)).toEqual(["quiet"]);
    expect(await texts(other, `/api/chat/lobby?after=${after}`)).toEqual(["LOUD", "quiet"]);
    expect((await texts(muter, "/api/chat/lobby")).slice(-1)).toEqual(["quiet"]);
    expect(await texts(muter, "/api/chat/lobby")).not.toContain("LOUD");
    expect((await texts(other, "/api/chat/lobby")).slice(-2)).toEqual(["LOUD", "quiet"]);
  });

  it("the limit is per player across lobby and games: the 31st is 429 with Retry-After, not stored", async () => {
    const { a, ca } = await newGame(node.url);
    for (let i = 0; i < 20; i++) expect(await ca.say(`g${i}`)).toBe("delivered");
    for (let i = 0; i < 10; i++) {
      expect((await http(node.url, "POST", "/api/chat/lobby", a.token, { text: `l${i}` })).status).toBe(200);
    }
    const res = await fetch(`${node.url}/api/chat/lobby`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${a.token}` },
      body: JSON.stringify({ text: "one too many" }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({ error: { code: "CHAT_RATE_LIMITED" } });
    expect(await ca.say("and here")).toBe("CHAT_RATE_LIMITED");
    expect(await stored(node.databaseUrl, a.id)).toHaveLength(30);
  });
});

describe("game chat survives a takeover", () => {
  it("a message sent just before kill -9 is in the history of the room rebuilt from the table", async () => {
    const databaseUrl = await createTestDatabase();
    const first = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "c1" });
    processes.push(first);
    const { a, b, gameId, ca, cb } = await newGame(first.url);
    expect(await ca.say("last words")).toBe("delivered");
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await spawnNode({ DATABASE_URL: databaseUrl, NODE_ID: "c1" });
    processes.push(second);
    for (const p of [a, b]) p.sdk = sdkClient(second.url, p.token);
    const rb = new Chatter(await Seat.rejoin(b, gameId));
    expect((await rb.fetchHistory()).messages.map((m) => [m.playerId, m.text])).toEqual([[a.id, "last words"]]);
    void cb;
  });
});

describe("names that could pass for another player's", () => {
  it("a mixed-script name is refused; a whole-script or accented look-alike of a taken name gets a suffix", async () => {
    const mixed = await http(node.url, "POST", "/api/guest", undefined, { name: "\u0410dmin" }); // Cyrillic А
    expect(mixed.status).toBe(400);
    const bob = await newPlayer(node.url, "BOB");
    expect(bob.name).toBe("BOB");
    const cyrillic = await newPlayer(node.url, "\u0412\u041e\u0412"); // ВОВ, all Cyrillic
    expect(cyrillic.name).toBe("\u0412\u041e\u0412-2");
    const accented = await newPlayer(node.url, "Böb");
    expect(accented.name).toBe("Böb-3");
    const fullwidth = await newPlayer(node.url, "ＢＯＢ");
    expect(fullwidth.name).toBe("BOB-4"); // folded to ASCII by DisplayName, then suffixed
  });
});
