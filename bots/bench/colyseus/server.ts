/**
 * The plain-Colyseus server of the benchmark, as its own process:
 *
 *   node bots/bench/colyseus/server.ts [--port 0]
 *
 * Colyseus 0.18 with the same ws transport and settings as a Tabula node
 * (`@colyseus/ws-transport`, frames ≤ 4 KB, pings every 10 s), one room type
 * `c4` (room.ts), local presence and driver. Binds 127.0.0.1 (port 0: any
 * free port) and prints `COLYSEUS_BENCH_READY <port>` once it listens.
 * SIGTERM/SIGINT exit at once (nothing to save).
 */
import { parseArgs } from "node:util";
import { Server } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { PlainConnectFourRoom } from "./room.ts";

const READY_LINE = "COLYSEUS_BENCH_READY"; // read by systems/colyseus.ts

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const transport = new WebSocketTransport({ maxPayload: 4096, pingInterval: 10_000, pingMaxRetries: 3 });
const server = new Server({ transport, greet: false, gracefullyShutdown: false });
server.define("c4", PlainConnectFourRoom);
await server.listen(Number(values.port), "127.0.0.1");
const port = (transport.server?.address() as { port: number } | null)?.port;
console.log(`${READY_LINE} ${port}`);
for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => process.exit(0));
