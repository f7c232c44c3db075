import { describe, expect, it } from "vitest";
import { ConfigError, heartbeatFor, loadConfig, usesDevSecret } from "./config.ts";

describe("config", () => {
  it("has working defaults for a development node", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 2567, nodeId: "n1", databaseUrl: undefined, reconnectWindowMs: 60_000, clockScale: 1 });
    expect(usesDevSecret(c)).toBe(true);
  });
  it("treats empty variables as unset, but an empty CLIENT_DIST turns the client off", () => {
    expect(loadConfig({ PORT: "", CLIENT_DIST: "" })).toMatchObject({ port: 2567, clientDist: "" });
    expect(loadConfig({}).clientDist).toBe("client/dist");
  });
  it("reports every invalid variable by name", () => {
    const bad = () => loadConfig({ PORT: "http", NODE_ID: "Bad Id!", DATABASE_URL: "nope" });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/^invalid configuration:\n/);
    expect(bad).toThrow(/\n {2}PORT: /);
    expect(bad).toThrow(/\n {2}NODE_ID: /);
    expect(bad).toThrow(/\n {2}DATABASE_URL: /);
  });
  it("refuses insecure defaults in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/TOKEN_SECRET/);
    expect(() => loadConfig({ NODE_ENV: "production", TOKEN_SECRET: "short" })).toThrow(/TOKEN_SECRET/);
    const secret = "x".repeat(40);
    expect(() => loadConfig({ NODE_ENV: "production", TOKEN_SECRET: secret, CLOCK_SCALE: "0.1" })).toThrow(/CLOCK_SCALE/);
    expect(loadConfig({ NODE_ENV: "production", TOKEN_SECRET: secret }).logJson).toBe(true);
  });
  it("reaches Redis by URL or through Sentinel, never both", () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: "redis://r:6379" }).redis).toEqual({ kind: "url", url: "redis://r:6379" });
    expect(loadConfig({ REDIS_SENTINELS: "10.0.0.1:26379,s2:26380" }).redis).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "s2", port: 26380 },
      ],
      name: "tabula",
    });
    expect(loadConfig({ REDIS_SENTINELS: "s:1", REDIS_SENTINEL_NAME: "games" }).redis).toMatchObject({ name: "games" });
    expect(() => loadConfig({ REDIS_SENTINELS: "s1" })).toThrow(/REDIS_SENTINELS: host:port/);
    expect(() => loadConfig({ REDIS_URL: "redis://r", REDIS_SENTINELS: "s:1" })).toThrow(/not both/);
  });
  it("allows the public address's pages by default, ALLOWED_ORIGINS when given, and localhost outside production", () => {
    expect(loadConfig({ PUBLIC_ADDRESS: "play.example.com" })).toMatchObject({
      allowedOrigins: ["http://play.example.com", "https://play.example.com"],
      allowLocalOrigins: true,
    });
    const c = loadConfig({ ALLOWED_ORIGINS: " https://a.example, https://b.example:8443 ", PUBLIC_ADDRESS: "x.example" });
    expect(c.allowedOrigins).toEqual(["https://a.example", "https://b.example:8443"]);
    expect(loadConfig({ NODE_ENV: "production", TOKEN_SECRET: "x".repeat(40) })).toMatchObject({
      allowedOrigins: [],
      allowLocalOrigins: false,
    });
    expect(() => loadConfig({ ALLOWED_ORIGINS: "https://a.example/path" })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: "a.example" })).toThrow(/ALLOWED_ORIGINS/);
  });
});

describe("TRUST_PROXY", () => {
  it("trusts loopback by default, and the proxies named", () => {
    expect(loadConfig({}).trustProxy).toEqual(["loopback"]);
    expect(loadConfig({ TRUST_PROXY: "loopback, 172.28.0.0/24,10.1.2.3" }).trustProxy).toEqual([
      "loopback",
      "172.28.0.0/24",
      "10.1.2.3",
    ]);
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "*" })).toThrow(/TRUST_PROXY/);
  });
});

describe("heartbeatFor", () => {
  it("asks clients to ping every third of the node heartbeat and to give up after it (three pings at least)", () => {
    expect(heartbeatFor(1000)).toEqual({ intervalMs: 333, timeoutMs: 1000 });
    expect(heartbeatFor(3000)).toEqual({ intervalMs: 1000, timeoutMs: 3000 });
    // Short heartbeats: no more than five pings a second, and never fewer than three before giving up.
    expect(heartbeatFor(300)).toEqual({ intervalMs: 200, timeoutMs: 600 });
  });
});
