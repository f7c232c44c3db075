import type { Client } from "@colyseus/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ConnectionState,
  GameSession,
  MAX_REJOINS_IN_FLIGHT,
  SDK_RECONNECT_RETRIES,
  type SessionHandlers,
} from "./session.ts";
import { fetchWithTimeout, MATCHMAKE_TIMEOUT_MS, SILENT_MATCHMAKE_TIMEOUT_MS } from "./sdkClient.ts";

/** Just enough of an SDK Room: its callbacks can be fired by hand. */
class FakeRoom {
  reconnection = { enabled: true, maxRetries: 15, minUptime: 5000 };
  left: boolean | null = null;
  /** Pings sent; answered at once unless `silent` (then `pong()` answers them). */
  pings = 0;
  silent = false;
  private unanswered: Array<(ms: number) => void> = [];
  closed = false;
  connection = {
    close: () => {
      this.closed = true;
    },
  };
  sent: Array<[string, unknown]> = [];
  private readonly handlers = new Map<string, (...a: any[]) => void>();
  private readonly messages = new Map<string, (payload: any) => void>();
  onMessage(type: string, cb: (payload: any) => void) {
    this.messages.set(type, cb);
  }
  onDrop(cb: (code: number, reason?: string) => void) {
    this.handlers.set("drop", cb);
  }
  onReconnect(cb: () => void) {
    this.handlers.set("reconnect", cb);
  }
  onLeave(cb: (code: number, reason?: string) => void) {
    this.handlers.set("leave", cb);
  }
  ping(cb: (ms: number) => void) {
    this.pings++;
    if (this.silent) this.unanswered.push(cb);
    else cb(20);
  }
  /** Answer every ping not answered yet. */
  pong(ms = 20) {
    for (const cb of this.unanswered.splice(0)) cb(ms);
  }
  send(type: string, payload: unknown) {
    this.sent.push([type, payload]);
  }
  leave(consented = true) {
    this.left = consented;
    return Promise.resolve(1000);
  }
  fire(event: "drop" | "reconnect" | "leave", ...args: unknown[]) {
    this.handlers.get(event)?.(...args);
  }
  message(type: string, payload: unknown) {
    this.messages.get(type)?.(payload);
  }
}

/** A client whose joinById calls are answered by hand, in any order. */
class FakeClient {
  calls: Array<{ resolve(r: FakeRoom): void; reject(e: unknown): void; at: number }> = [];
  joinById() {
    return new Promise<FakeRoom>((resolve, reject) => this.calls.push({ resolve, reject, at: Date.now() }));
  }
}

function setup(retryFailed?: SessionHandlers["retryFailed"]) {
  const client = new FakeClient();
  const states: ConnectionState[] = [];
  const errors: string[] = [];
  const latencies: number[] = [];
  const snapshots: unknown[] = [];
  const moves: unknown[] = [];
  const session = new GameSession(client as unknown as Client, "g1", false, {
    snapshot: (s) => snapshots.push(s),
    moved: (m) => moves.push(m),
    error: (e) => errors.push(e.code),
    connection: (s) => states.push(s),
    latency: (ms) => latencies.push(ms),
    retryFailed,
  });
  return { client, session, states, errors, latencies, snapshots, moves };
}

async function started(client: FakeClient, session: GameSession, silent = false): Promise<FakeRoom> {
  const start = session.start();
  const room = new FakeRoom();
  room.silent = silent;
  client.calls[0].resolve(room);
  await start;
  return room;
}

const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.spyOn(console, "debug").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5); // no jitter: re-joins at 125 ms, then 1 s, 2 s, 4 s, 4 s apart
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("GameSession", () => {
  it("lets the SDK reconnect briefly, whatever the room's age", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    expect(room.reconnection).toEqual({ enabled: true, maxRetries: SDK_RECONNECT_RETRIES, minUptime: 0 });
    room.fire("drop", 1006);
    room.fire("drop", 1006); // each failed SDK try reports again
    expect(states).toEqual(["connecting", "connected", "reconnecting"]);
    room.fire("reconnect");
    expect(states.at(-1)).toBe("connected");
    expect(room.sent).toContainEqual(["sync", {}]);
    expect(client.calls).toHaveLength(1);
  });

  it("re-joins by id at once, then with backoff, once the SDK gives up", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    room.fire("drop", 1006);
    room.fire("leave", 4003, "No more retries. Reconnection failed.");
    expect(session.connection).toBe("reconnecting");
    // The first attempt goes at once, jittered over 0–250 ms (125 ms with Math.random at 0.5).
    await vi.advanceTimersByTimeAsync(124);
    expect(client.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.calls).toHaveLength(2);
    expect(room.left).toBeNull(); // the SDK already closed it; nothing to wait on
    client.calls[1].reject(new Error("room not found"));
    await flush();
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(3);
    const again = new FakeRoom();
    client.calls[2].resolve(again);
    await flush();
    expect(states.at(-1)).toBe("connected");
    expect(again.reconnection.minUptime).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(3); // no more attempts once back
  });

  it("re-joins at once on close 4100 (the game moved), and keeps GAME_MOVED errors from the player", async () => {
    const { client, session, errors } = setup();
    const room = await started(client, session);
    room.message("error", { code: "GAME_MOVED", message: "moved" });
    room.message("error", { code: "UNAVAILABLE", message: "try again" });
    expect(errors).toEqual(["UNAVAILABLE"]);
    room.fire("leave", 4100);
    await flush();
    expect(client.calls).toHaveLength(2);
  });

  it("does not let a hanging re-join hold up the next; the first to succeed wins, later ones are left", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    room.fire("leave", 1006);
    await vi.advanceTimersByTimeAsync(500); // attempt 1 (hangs)
    await vi.advanceTimersByTimeAsync(1000); // attempt 2, while 1 is pending
    expect(client.calls).toHaveLength(3);
    const winner = new FakeRoom();
    client.calls[2].resolve(winner);
    await flush();
    expect(states.at(-1)).toBe("connected");
    const late = new FakeRoom();
    client.calls[1].resolve(late);
    await flush();
    expect(late.left).toBe(true);
    expect(winner.left).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(3);
  });

  it(`keeps at most ${MAX_REJOINS_IN_FLIGHT} re-joins in flight`, async () => {
    const { client, session } = setup();
    const room = await started(client, session);
    room.fire("leave", 1006);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(client.calls).toHaveLength(1 + MAX_REJOINS_IN_FLIGHT);
    client.calls[1].reject(new Error("timeout"));
    await flush();
    await vi.advanceTimersByTimeAsync(4000);
    expect(client.calls).toHaveLength(2 + MAX_REJOINS_IN_FLIGHT);
  });

  it("stops when retryFailed says so, and ignores what the other attempts answer then", async () => {
    const retryFailed = vi.fn(async () => "stop" as const);
    const { client, session, states } = setup(retryFailed);
    const room = await started(client, session);
    room.fire("leave", 1006);
    await vi.advanceTimersByTimeAsync(1500);
    expect(client.calls).toHaveLength(3);
    client.calls[2].reject(new Error("gone"));
    await flush();
    expect(states.at(-1)).toBe("closed");
    client.calls[1].reject(new Error("gone"));
    await flush();
    expect(retryFailed).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(3);
  });

  it("leaves a room that arrives after leave()", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    room.fire("leave", 1006);
    await vi.advanceTimersByTimeAsync(500);
    await session.leave();
    const late = new FakeRoom();
    client.calls[1].resolve(late);
    await flush();
    expect(late.left).toBe(true);
    expect(states.at(-1)).toBe("closed");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(2);
  });
});

const HEARTBEAT = { intervalMs: 500, timeoutMs: 1500 };
const snapshotWith = (heartbeat: { intervalMs: number; timeoutMs: number }) => ({ gameId: "g1", ply: 0, heartbeat });

describe("GameSession: a silent server", () => {
  it("pings every heartbeat.intervalMs and reports the pongs as latency", async () => {
    const { client, session, latencies } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith({ intervalMs: 300, timeoutMs: 900 }));
    room.pong();
    const before = room.pings;
    await vi.advanceTimersByTimeAsync(299);
    expect(room.pings).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(room.pings).toBe(before + 1);
    room.pong(42.4);
    expect(latencies.at(-1)).toBe(42);
    await vi.advanceTimersByTimeAsync(300);
    expect(room.pings).toBe(before + 2);
  });

  it("stays while pongs come back, however long the game is quiet", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith(HEARTBEAT));
    for (let i = 0; i < 40; i++) {
      await vi.advanceTimersByTimeAsync(500);
      room.pong();
    }
    expect(states.at(-1)).toBe("connected");
    expect(room.closed).toBe(false);
    expect(client.calls).toHaveLength(1);
  });

  it("counts room messages as signs of life, not only pongs", async () => {
    const { client, session, states, moves } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith(HEARTBEAT));
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      room.message("moved", { ply: i });
    }
    expect(moves).toHaveLength(10);
    expect(states.at(-1)).toBe("connected");
    expect(client.calls).toHaveLength(1);
  });

  it("after timeoutMs without a word: gives the room up without waiting on it and re-joins by id until the new owner answers", async () => {
    const { client, session, states, snapshots } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith(HEARTBEAT));
    await vi.advanceTimersByTimeAsync(1749); // the deadline (1.5 s), then a confirming ping and a quarter second
    expect(states.at(-1)).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(states.at(-1)).toBe("reconnecting");
    // Closed, not left: leave() on a dead socket never settles; and the SDK must not retry the same node.
    expect(room.closed).toBe(true);
    expect(room.left).toBeNull();
    expect(room.reconnection.enabled).toBe(false);
    expect(room.reconnection.maxRetries).toBe(0);
    expect(session.matchmakeTimeoutMs).toBe(SILENT_MATCHMAKE_TIMEOUT_MS);
    // The first attempt at once, then one every ~0.5 s while the earlier ones hang on the stalled node.
    // (1 ms: fake timers push a 0 ms timer set from inside a timer by 1 ms.)
    await vi.advanceTimersByTimeAsync(1);
    expect(client.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(client.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(500);
    expect(client.calls).toHaveLength(4);
    // The new owner answers the third attempt.
    const moved = new FakeRoom();
    client.calls[3].resolve(moved);
    await flush();
    expect(states.at(-1)).toBe("connected");
    expect(session.matchmakeTimeoutMs).toBe(MATCHMAKE_TIMEOUT_MS);
    moved.message("snapshot", snapshotWith(HEARTBEAT));
    expect(snapshots).toHaveLength(2);
    // The stalled node wakes up and speaks on the old room: not ours any more.
    room.message("snapshot", snapshotWith(HEARTBEAT));
    room.message("moved", { ply: 9 });
    room.fire("leave", 1006);
    expect(snapshots).toHaveLength(2);
    expect(states.at(-1)).toBe("connected");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.calls).toHaveLength(4);
  });

  it("the silence deadline counts from the last thing heard", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith(HEARTBEAT));
    await vi.advanceTimersByTimeAsync(1000);
    room.pong();
    await vi.advanceTimersByTimeAsync(1749);
    expect(states.at(-1)).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(states.at(-1)).toBe("reconnecting");
  });

  it("a room given up on that reconnects after all is left", async () => {
    const { client, session } = setup();
    const room = await started(client, session, true);
    room.message("snapshot", snapshotWith(HEARTBEAT));
    await vi.advanceTimersByTimeAsync(1750);
    room.fire("reconnect");
    expect(room.left).toBe(true);
    expect(room.sent).not.toContainEqual(["sync", {}]);
  });

  it("stops watching once left for good", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session, true);
    await session.leave();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.at(-1)).toBe("closed");
    expect(room.closed).toBe(false);
    expect(client.calls).toHaveLength(1);
  });
});

describe("fetchWithTimeout (the SDK's matchmaking requests)", () => {
  it("aborts a request that outlives its deadline, and keeps the caller's own signal", async () => {
    vi.useRealTimers();
    const seen: AbortSignal[] = [];
    const hanging = ((_i: unknown, init?: RequestInit) =>
      new Promise((_r, reject) => {
        seen.push(init!.signal!);
        init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason));
      })) as typeof fetch;
    const f = fetchWithTimeout(20, hanging);
    const err = await f("http://x/matchmake/joinById/game").catch((e) => e);
    expect(err.name).toBe("TimeoutError");
    const mine = new AbortController();
    const p = f("http://x", { signal: mine.signal }).catch((e) => e);
    mine.abort();
    expect((await p).name).toBe("AbortError");
    expect(seen).toHaveLength(2);
    // A deadline read at each request.
    let deadline = 10_000;
    const g = fetchWithTimeout(() => deadline, hanging);
    deadline = 20;
    expect(((await g("http://x").catch((e) => e)) as Error).name).toBe("TimeoutError");
  });
});
