import { describe, expect, it } from "vitest";
import { benchNodeEnv, quietSink, withPgOptions } from "./tabula.ts";

describe("withPgOptions", () => {
  it("adds libpq options to the URL, encoded, and leaves it alone without", () => {
    const url = "postgresql://tabula:pw@127.0.0.1:5432/tabula";
    expect(withPgOptions(url, undefined)).toBe(url);
    expect(withPgOptions(url, "")).toBe(url);
    const u = new URL(withPgOptions(url, "-c synchronous_commit=off"));
    expect(u.searchParams.get("options")).toBe("-c synchronous_commit=off");
    expect(u.pathname).toBe("/tabula");
    expect(new URL(withPgOptions(`${url}?sslmode=disable`, "-c a=b")).searchParams.get("sslmode")).toBe("disable");
  });
});

describe("benchNodeEnv", () => {
  it("lifts the per-client limits the driver would hit, and keeps what it is given", () => {
    const env = benchNodeEnv({ DATABASE_URL: "x" });
    expect(Number(env.MAX_MESSAGES_PER_SECOND)).toBeGreaterThanOrEqual(10_000);
    expect(Number(env.GUEST_RATE_PER_MIN)).toBeGreaterThanOrEqual(100_000);
    expect(Number(env.JOIN_RATE_PER_MIN)).toBeGreaterThanOrEqual(100_000);
    expect(env.NODE_ENV).toBe("production");
    expect(env.TOKEN_SECRET!.length).toBeGreaterThanOrEqual(32);
    expect(env.DATABASE_URL).toBe("x");
  });
});

describe("quietSink", () => {
  it("passes on warnings and worse only, JSON or text", () => {
    const seen: string[] = [];
    const sink = quietSink("n1", (l) => seen.push(l));
    sink('{"level":30,"msg":"move"}');
    sink('{"level":40,"msg":"slow"}');
    sink("1:M # WARNING Memory overcommit must be enabled!");
    sink("plain info line");
    sink("FATAL: could not start");
    expect(seen).toEqual(['[n1] {"level":40,"msg":"slow"}', "[n1] FATAL: could not start"]);
  });
});
