/**
 * The WebSocket transport, chosen by TRANSPORT: "ws" (the `ws` package; works
 * everywhere, the default) or "uws" (uWebSockets.js, faster, but its prebuilt
 * binaries need glibc >= 2.38 and are not installed by default — see
 * docs/cluster.md). Asking for uws where it cannot load falls back to ws with
 * one clear log line instead of failing the node.
 */
import type { Transport } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import type { Logger } from "./log.ts";

export interface TransportChoice {
  transport: Transport;
  name: "ws" | "uws";
}

export async function createTransport(wanted: "ws" | "uws", opts: { maxPayload: number; log: Logger }): Promise<TransportChoice> {
  if (wanted === "uws") {
    try {
      // A variable specifier keeps bundlers and type checks from requiring the optional package.
      const specifier = "@colyseus/uwebsockets-transport";
      const mod = (await import(specifier)) as {
        uWebSocketsTransport: new (o: Record<string, unknown>) => Transport;
      };
      const transport = new mod.uWebSocketsTransport({ maxPayloadLength: opts.maxPayload, idleTimeout: 30 });
      return { transport, name: "uws" };
    } catch (err) {
      opts.log.warn(
        { reason: (err as Error).message.split("\n")[0] },
        "TRANSPORT=uws requested but uWebSockets.js cannot load here; falling back to ws",
      );
    }
  }
  return {
    transport: new WebSocketTransport({ maxPayload: opts.maxPayload, pingInterval: 10_000, pingMaxRetries: 3 }),
    name: "ws",
  };
}
