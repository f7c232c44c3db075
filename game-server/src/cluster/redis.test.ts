import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { Logger } from "../log.ts";
import { describeRedis, reportRedisErrors } from "./redis.ts";

describe("Redis connections", () => {
  it("say where they go, without the password", () => {
    expect(describeRedis({ kind: "url", url: "redis://:secret@r:6379" })).toBe("redis://:***@r:6379");
    const sentinels = [
      { host: "a", port: 1 },
      { host: "b", port: 2 },
    ];
    expect(describeRedis({ kind: "sentinel", sentinels, name: "tabula" })).toBe("sentinel tabula via a:1,b:2");
  });

  it("report an outage once when it starts and once when the connection is back, not per attempt", () => {
    const lines: string[] = [];
    const log = {
      warn: (_o: unknown, m: string) => lines.push(`warn ${m}`),
      info: (_o: unknown, m: string) => lines.push(`info ${m}`),
    };
    const client = new EventEmitter();
    reportRedisErrors(client as never, log as unknown as Logger, "matchmaking");
    client.emit("ready"); // a first connection is not news
    for (let i = 0; i < 20; i++) client.emit("error", new Error("connect ECONNREFUSED"));
    client.emit("ready");
    client.emit("error", new Error("again"));
    expect(lines).toEqual([
      "warn Redis connection failing; reconnecting",
      "info Redis connection back",
      "warn Redis connection failing; reconnecting",
    ]);
  });
});
