import { Client } from "@colyseus/sdk";
import { describe, expect, it } from "vitest";
import { apiBase, sdkEndpoint } from "./endpoint.ts";

describe("apiBase", () => {
  it("is same-origin unless VITE_SERVER_URL is set", () => {
    expect(apiBase(undefined)).toBe("");
    expect(apiBase("")).toBe("");
    expect(apiBase("http://game.example:2567/")).toBe("http://game.example:2567");
  });
});

describe("sdkEndpoint", () => {
  it("is the page's origin (any host and port), or VITE_SERVER_URL", () => {
    expect(sdkEndpoint(undefined, "http://localhost:8080")).toBe("http://localhost:8080");
    expect(sdkEndpoint("", "https://tabula.example")).toBe("https://tabula.example");
    expect(sdkEndpoint("http://other:2567/", "https://tabula.example")).toBe("http://other:2567");
    expect(sdkEndpoint(undefined, undefined)).toBe("http://localhost:2567");
  });
});

/** The SDK's own rule for a room's WebSocket URL (a protected method; checked so an SDK upgrade cannot silently change it). */
function roomUrl(origin: string, reservation: { publicAddress?: string }): string {
  const client = new Client(sdkEndpoint(undefined, origin)) as unknown as {
    buildEndpoint(r: object, o: object): string;
  };
  return client.buildEndpoint({ processId: "proc1", roomId: "room1", sessionId: "s", ...reservation }, {});
}

describe("room WebSocket address", () => {
  it("follows the seat reservation's publicAddress (nginx, several nodes)", () => {
    expect(roomUrl("http://localhost:8080", { publicAddress: "localhost:8080/node/n1" })).toMatch(
      /^ws:\/\/localhost:8080\/node\/n1\/proc1\/room1\?/,
    );
    expect(roomUrl("https://tabula.example", { publicAddress: "tabula.example/node/n2" })).toMatch(
      /^wss:\/\/tabula\.example\/node\/n2\/proc1\/room1\?/,
    );
  });

  it("uses the page's own host and port without one (a single node)", () => {
    expect(roomUrl("http://127.0.0.1:2620", {})).toMatch(/^ws:\/\/127\.0\.0\.1:2620\/proc1\/room1\?/);
    expect(roomUrl("https://tabula.example", {})).toMatch(/^wss:\/\/tabula\.example\/proc1\/room1\?/);
  });
});
