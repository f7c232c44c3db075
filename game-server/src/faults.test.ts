/** The unhandled-rejection net: a Redis outage is a warning, anything else still ends the process. */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { installRejectionGuard, isRedisOutage } from "./faults.ts";

class MaxRetriesPerRequestError extends Error {
  get name() {
    return "MaxRetriesPerRequestError";
  }
}

function guard(now: () => number) {
  const lines: Array<{ level: number; msg: string; alsoSince?: number }> = [];
  const log = pino({ level: "info" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  const exits: number[] = [];
  const registered: string[] = [];
  const handler = installRejectionGuard(log, {
    exit: (code) => void exits.push(code),
    quietMs: 5_000,
    now,
    on: ((event: string) => void registered.push(event)) as unknown as typeof process.on,
  });
  return { handler, lines, exits, registered };
}

describe("unhandled rejections", () => {
  it("tells ioredis' 'cannot reach Redis' errors from everything else", () => {
    expect(isRedisOutage(new MaxRetriesPerRequestError("Reached the max retries per request limit (which is 20)."))).toBe(true);
    expect(
      isRedisOutage(new Error('Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest"')),
    ).toBe(true);
    expect(isRedisOutage(new Error("Connection is closed."))).toBe(true);
    expect(isRedisOutage(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isRedisOutage(new Error("ERR wrong number of arguments for 'hset' command"))).toBe(false);
    expect(isRedisOutage(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isRedisOutage("Connection is closed.")).toBe(false);
    expect(isRedisOutage(undefined)).toBe(false);
  });

  it("a Redis outage is warned about once per quiet period, with a count, and the process goes on", () => {
    let t = 1_000;
    const g = guard(() => t);
    expect(g.registered).toEqual(["unhandledRejection"]);
    g.handler(new Error("Connection is closed."));
    t += 1_000;
    g.handler(new MaxRetriesPerRequestError("x"));
    g.handler(new Error("Connection is closed."));
    t += 5_000;
    g.handler(new Error("Connection is closed."));
    expect(g.exits).toEqual([]);
    expect(g.lines.map((l) => [l.level, l.alsoSince])).toEqual([
      [40, 0],
      [40, 2],
    ]);
  });

  it("any other unhandled rejection is logged as fatal and ends the process", () => {
    const g = guard(() => 0);
    g.handler(new TypeError("Cannot read properties of undefined"));
    expect(g.exits).toEqual([1]);
    expect(g.lines).toMatchObject([{ level: 60, msg: "unhandled promise rejection: this is a bug; exiting" }]);
  });
});
