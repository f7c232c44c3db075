import type { Client } from "@colyseus/sdk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ConnectionState,
  GameSession,
  MAX_REJOINS_IN_FLIGHT,
  SDK_RECONNECT_RETRIES,
  type SessionHandlers,
} from "./session.ts";

/** Just enough of an SDK Room: its callbacks can be fired by hand. */
class FakeRoom {
  reconnection = { maxRetries: 15, minUptime: 5000 };
  left: boolean | null = null;
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
  ping() {}
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
  const session = new GameSession(client as unknown as Client, "g1", false, {
    snapshot() {},
    moved() {},
    error: (e) => errors.push(e.code),
    connection: (s) => states.push(s),
    latency() {},
    retryFailed,
  });
  return { client, session, states, errors };
}

async function started(client: FakeClient, session: GameSession): Promise<FakeRoom> {
  const start = session.start();
  const room = new FakeRoom();
  client.calls[0].resolve(room);
  await start;
  return room;
}

const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, "random").mockReturnValue(0.5); // no jitter: 0.5 s, 1 s, 2 s, 4 s, 4 s
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("GameSession", () => {
  it("lets the SDK reconnect briefly, whatever the room's age", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    expect(room.reconnection).toEqual({ maxRetries: SDK_RECONNECT_RETRIES, minUptime: 0 });
    room.fire("drop", 1006);
    room.fire("drop", 1006); // each failed SDK try reports again
    expect(states).toEqual(["connecting", "connected", "reconnecting"]);
    room.fire("reconnect");
    expect(states.at(-1)).toBe("connected");
    expect(room.sent).toContainEqual(["sync", {}]);
    expect(client.calls).toHaveLength(1);
  });

  it("re-joins by id with backoff once the SDK gives up", async () => {
    const { client, session, states } = setup();
    const room = await started(client, session);
    room.fire("drop", 1006);
    room.fire("leave", 4003, "No more retries. Reconnection failed.");
    expect(session.connection).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(499);
    expect(client.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.calls).toHaveLength(2);
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
    room.message("error", { code: "BUSY", message: "busy" });
    expect(errors).toEqual(["BUSY"]);
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
    await vi.advanceTimersByTimeAsync(60_000);
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
