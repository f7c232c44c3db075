import { spawnSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { ClientState, enqueueClientRaw } from "@colyseus/core";
import { WebSocketClient } from "@colyseus/ws-transport";
import { CLOSE_CODES } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { WebSocket, type WebSocketServer } from "ws";
import { createLogger } from "./log.ts";
import {
  HTTP_HEADERS_TIMEOUT_MS,
  HTTP_KEEP_ALIVE_MS,
  refusalCloseCode,
  TabulaWsClient,
  TabulaWsTransport,
  tuneHttpServer,
} from "./transport.ts";

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

describe("TabulaWsClient", () => {
  const socket = () => {
    const sent: unknown[] = [];
    return { sent, ref: { send: (data: unknown) => sent.push(data), readyState: 1 } as unknown as WebSocket };
  };
  type Queued = { _enqueuedMessages?: Uint8Array[] };
  /** What Colyseus' room does when the client acknowledges its join (Room._onMessage, JOIN_ROOM). */
  const acknowledgeJoin = (c: WebSocketClient) => {
    const q = c as unknown as Queued;
    c.state = ClientState.JOINED;
    c._joinedAt = 0;
    if (q._enqueuedMessages!.length > 0) for (const m of q._enqueuedMessages!) c.raw(m);
    delete q._enqueuedMessages;
  };

  it("behaves as Colyseus' client: queues until the join is acknowledged, then sends, and reads as joined", async () => {
    const { sent, ref } = socket();
    const c = new TabulaWsClient("sess", ref);
    const q = c as unknown as Queued;
    expect(c).toBeInstanceOf(WebSocketClient);
    enqueueClientRaw(c, new Uint8Array([1]));
    expect(sent).toHaveLength(0);
    expect(q._enqueuedMessages).toHaveLength(1);
    acknowledgeJoin(c);
    await Promise.resolve();
    // allowReconnection treats a client whose queue is still there as "not joined".
    expect(q._enqueuedMessages).toBeUndefined();
    enqueueClientRaw(c, new Uint8Array([2]));
    expect(sent).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
  });

  it("a client that leaves before acknowledging its join still reads as not joined", async () => {
    const c = new TabulaWsClient("sess", socket().ref);
    c.state = ClientState.LEAVING;
    enqueueClientRaw(c, new Uint8Array([1]));
    await Promise.resolve();
    expect((c as unknown as Queued)._enqueuedMessages).toHaveLength(1);
  });

  it("stays a fast V8 object through the join (Colyseus' own client becomes a dictionary)", () => {
    // %HasFastProperties needs --allow-natives-syntax: ask a child node. The same sequence runs on
    // Colyseus' WebSocketClient as a control, so the check tells the two apart.
    const code = `
      import { TabulaWsClient } from ${JSON.stringify(new URL("./transport.ts", import.meta.url).href)};
      import { WebSocketClient } from "@colyseus/ws-transport";
      const ref = { send() {}, readyState: 1 };
      const join = async (c) => {
        c.reconnectionToken = "t"; c._pendingFrameClients = []; c.auth = { playerId: "p" };
        c.userData = { seat: 0 }; c.state = 1; c._joinedAt = 0;
        c._enqueuedMessages.forEach((m) => c.raw(m));
        delete c._enqueuedMessages;
        await Promise.resolve();
        c._lastMessageTime = 1; c._numMessagesLastSecond = 1; c._messageCountResetsAt = 2;
        return %HasFastProperties(c);
      };
      console.log(JSON.stringify({ ours: await join(new TabulaWsClient("s", ref)), colyseus: await join(new WebSocketClient("s", ref)) }));`;
    const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", code], {
      cwd: new URL("../..", import.meta.url),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ ours: true, colyseus: false });
  });
});
