/**
 * A boardgame.io 0.50 server (koa + socket.io, its lobby API on the same port)
 * serving the benchmark's Connect Four, run as a child process by systems.ts:
 *
 *   node bots/bench/bgio/server.ts [--port 0] [--store memory|postgres] [--db <postgres url>]
 *
 * `--store memory`: boardgame.io's default in-memory store. `--store postgres`:
 * bgio-postgres (Sequelize + pg, one "Games" row per match holding its state
 * and its whole log as JSON), with its default settings (pool of 5). Listens on
 * 127.0.0.1 only; port 0 (the default) takes a free one. Prints
 * `BGIO_READY <port>` on stdout once it accepts connections, and stops on
 * SIGTERM/SIGINT. Run it with NODE_ENV=production, as one deploys boardgame.io
 * (otherwise it logs an INFO line and deep-checks G for serializability on every move).
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { PostgresStore } from "bgio-postgres";
import { Connect4Game } from "./game.ts";

const require = createRequire(import.meta.url);
const { Server, Origins } = require("boardgame.io/server") as typeof import("boardgame.io/server");

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    store: { type: "string", default: "memory" },
    db: { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${values.port}`);
if (values.store !== "memory" && values.store !== "postgres") fail(`--store must be memory or postgres, got ${values.store}`);
if (values.store === "postgres" && !values.db) fail("--store postgres needs --db <postgres url>");

function fail(message: string): never {
  console.error(`bgio server: ${message}`);
  process.exit(2);
}

// Without a db, boardgame.io uses FlatFile when FLATFILE_DIR is set: make sure "memory" means its InMemory store.
delete process.env.FLATFILE_DIR;
const store = values.store === "postgres" ? new PostgresStore(values.db as string, { logging: false }) : undefined;
const server = Server({ games: [Connect4Game], db: store, origins: [Origins.LOCALHOST] });

// boardgame.io's run() listens on all interfaces; the benchmark stays on loopback.
const listen = server.app.listen.bind(server.app) as (...args: unknown[]) => unknown;
(server.app as { listen: (...args: unknown[]) => unknown }).listen = (p: unknown, cb: unknown) => listen(p, "127.0.0.1", cb);

// boardgame.io's socket handlers are async functions nobody awaits: a failed store call (a pool timeout under
// load, say) becomes an unhandled rejection, which would end the process. Say so and keep serving; the driver
// counts the moves that were lost as timeouts.
let rejections = 0;
process.on("unhandledRejection", (err) => {
  if (++rejections <= 5) console.error(`bgio server: unhandled rejection #${rejections}:`, err);
});

try {
  const { appServer } = await server.run(port);
  console.log(`BGIO_READY ${(appServer.address() as AddressInfo).port}`);
  // Exit at once: that closes every socket and database connection. (Not sequelize.close() first: matches
  // still in flight would then throw on a closed pool.)
  process.on("SIGTERM", () => process.exit(0));
  process.on("SIGINT", () => process.exit(0));
} catch (err) {
  console.error("bgio server: could not start", err);
  process.exit(1);
}
