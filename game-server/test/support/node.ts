/** Start a real Tabula node (in this process) against a fresh database, for integration tests. */
import { loadConfig } from "../../src/config.ts";
import type { HostClock } from "../../src/game/clock.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { type RunningNode, startNode } from "../../src/server.ts";
import { createTestDatabase } from "./db.ts";

export interface TestNode extends RunningNode {}

/**
 * Start a node on a free port with its own database; `env` overrides configuration (seconds, limits…).
 * `log` replaces the node's logger (e.g. one that captures lines for a test to read); `clock` the
 * live games' time and timers (e.g. one the test advances by hand).
 */
export async function startTestNode(
  env: Record<string, string> = {},
  opts: { log?: Logger; clock?: HostClock } = {},
): Promise<TestNode> {
  const databaseUrl = env.DATABASE_URL ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    CLIENT_DIST: "",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    LOG_JSON: "true",
    TOKEN_SECRET: "integration-tests-secret-0123456789abcdef",
    ...env,
    DATABASE_URL: databaseUrl,
  });
  const log = opts.log ?? createLogger({ level: config.logLevel, json: true, nodeId: config.nodeId });
  return startNode(config, log, opts.clock);
}
