/**
 * Security hardening on one real node: the Origin allow-list on the API,
 * matchmaking and the WebSocket upgrade (a page on another site is refused;
 * a client without Origin, such as a bot, is not).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestNode, type TestNode } from "../support/node.ts";

const ALLOWED = "https://play.example.com";
const EVIL = "https://evil.example";
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode({ ALLOWED_ORIGINS: ALLOWED });
});
afterAll(async () => {
  await node?.stop();
});

/** Open a WebSocket to the node's root (a latency probe: no room) with `origin`; resolves "open" or the HTTP status. */
function upgrade(origin: string | undefined): Promise<"open" | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(node.url.replace("http", "ws"), { headers: origin ? { origin } : {} });
    ws.on("open", () => {
      ws.close();
      resolve("open");
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on("error", reject);
  });
}

describe("Origin allow-list", () => {
  it("the API refuses a page on another site (403 ORIGIN_NOT_ALLOWED) and serves allowed pages and clients without Origin", async () => {
    const evil = await fetch(`${node.url}/api/games/meta`, { headers: { origin: EVIL } });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toEqual({ error: { code: "ORIGIN_NOT_ALLOWED", message: expect.any(String) } });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();

    const allowed = await fetch(`${node.url}/api/games/meta`, { headers: { origin: ALLOWED } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED);

    expect((await fetch(`${node.url}/api/games/meta`)).status).toBe(200);
  });

  it("matchmaking refuses a page on another site before reserving anything, and its CORS preflight names no origin", async () => {
    const post = (origin?: string) =>
      fetch(`${node.url}/matchmake/joinById/nosuchgame`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
        body: "{}",
      });
    expect((await post(EVIL)).status).toBe(403);
    // Allowed or without Origin, the request reaches the matchmaker (which knows no such game).
    expect((await post(ALLOWED)).status).not.toBe(403);
    expect((await post()).status).not.toBe(403);

    const preflight = (origin: string) =>
      fetch(`${node.url}/matchmake/joinById/nosuchgame`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
    expect((await preflight(EVIL)).headers.get("access-control-allow-origin")).toBeNull();
    expect((await preflight(ALLOWED)).headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("the WebSocket upgrade refuses a page on another site with 403 and accepts allowed pages and clients without Origin", async () => {
    expect(await upgrade(EVIL)).toBe(403);
    expect(await upgrade("null")).toBe(403);
    expect(await upgrade(ALLOWED)).toBe("open");
    expect(await upgrade(undefined)).toBe("open");
    // The page's own origin (the node serving it): same host and port.
    expect(await upgrade(node.url)).toBe("open");
  });
});
