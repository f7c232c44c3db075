import http from "node:http";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { CLOSE_CODES } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { WebSocket, type WebSocketServer } from "ws";
import { createLogger } from "./log.ts";
import { HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_MS, refusalCloseCode, TabulaWsTransport, tuneHttpServer } from "./transport.ts";

describe("refusalCloseCode", () => {
  it("closes a refused join with the refusal's own code when it is ours", () => {
    expect(refusalCloseCode(CLOSE_CODES.UNAUTHORIZED, false)).toBe(4401);
    expect(refusalCloseCode(CLOSE_CODES.SPECTATORS_FULL, false)).toBe(4403);
  });
  it("closes any other refusal with 4400, a refused reconnection with 4003, never with the flood code", () => {
    for (const code of [524, 400, 500, undefined, CLOSE_CODES.WITH_ERROR]) {
      expect(refusalCloseCode(code, false)).toBe(CLOSE_CODES.JOIN_REFUSED);
      expect(refusalCloseCode(code, true)).toBe(CLOSE_CODES.RECONNECT_FAILED);
    }
  });
});

describe("tuneHttpServer", () => {
  it("keeps idle connections open longer than nginx does, headers timeout above it, no hidden extra grace", () => {
    const s = tuneHttpServer(http.createServer());
    expect(s.keepAliveTimeout).toBe(HTTP_KEEP_ALIVE_MS);
    expect(s.headersTimeout).toBe(HTTP_HEADERS_TIMEOUT_MS);
    expect(s.headersTimeout).toBeGreaterThan(s.keepAliveTimeout);
    expect((s as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer).toBe(0);
    expect(tuneHttpServer(http.createServer(), 500).headersTimeout).toBe(1500);
  });
});

describe("TabulaWsTransport", () => {
  it("keeps nothing of the upgrade request for an open socket (its headers would cost every idle socket ~2 KB)", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const transport = new TabulaWsTransport({
      maxPayload: 4096,
      log: createLogger({ level: "silent", json: true, nodeId: "t" }),
    });
    let request: WeakRef<http.IncomingMessage> | undefined;
    (transport as unknown as { wss: WebSocketServer }).wss.prependListener(
      "connection",
      (_ws: unknown, req: http.IncomingMessage) => {
        request = new WeakRef(req);
      },
    );
    const server = transport.server as http.Server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    // No room in the URL: Colyseus' latency probe, which keeps the socket open for a second.
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    try {
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      for (let i = 0; i < 3 && request?.deref(); i++) {
        await new Promise((r) => setImmediate(r));
        gc();
      }
      expect(request, "the transport saw the connection").toBeDefined();
      expect(request!.deref(), "the request is still reachable from the open socket").toBeUndefined();
      expect(ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      ws.terminate();
      transport.shutdown();
    }
  });
});
