/**
 * Test projects:
 *  - unit: pure code (rules, table logic, client helpers), beside the code.
 *  - integration: real nodes over real WebSockets against a real PostgreSQL.
 *  - cluster: redis-server, nginx, PostgreSQL and several nodes as real processes.
 *  - browser: the Phaser client in Debian's headless Chromium against a real node.
 * `npm test` runs all of them; `npx vitest run --project unit` runs one.
 */
import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * Coverage (off unless `--coverage`; `npm test` turns it on and merges the three runs, see
 * game-server/scripts/coverage.mjs, which also holds the 80 % thresholds). Counted: the server, the
 * shared package and the client's logic. Not counted: the generated Prisma client, tests and their
 * support, and the client's Phaser drawing (the globs in client/coverage-exclude.json).
 * `autoAttachSubprocess`: nodes the tests start as child processes (restart, transport, cluster)
 * inherit NODE_V8_COVERAGE, and Vitest maps their V8 coverage of our .ts files onto the sources.
 */
const clientCoverageExclude: string[] = JSON.parse(
  readFileSync(new URL("./client/coverage-exclude.json", import.meta.url), "utf8"),
);

const globalSetup = ["game-server/test/support/globalSetup.ts"];

export default defineConfig({
  test: {
    pool: "threads",
    coverage: {
      provider: "v8",
      autoAttachSubprocess: true,
      include: ["game-server/src/**/*.ts", "game-server/shared/src/**/*.ts", "client/src/**/*.ts"],
      exclude: ["game-server/src/generated/**", "**/*.test.ts", "**/*.d.ts", "**/test/**", ...clientCoverageExclude],
      reporter: ["json"],
      reportOnFailure: true,
      reportsDirectory: ".artifacts/coverage/vitest",
    },
    projects: [
      {
        test: {
          name: "unit",
          // CPU-bound tests (perft, bot games) run ~4x slower under V8 coverage (`npm test`).
          testTimeout: 60_000,
          include: [
            "game-server/shared/src/**/*.test.ts",
            "game-server/src/**/*.test.ts",
            "game-server/test/docs/**/*.test.ts",
            "client/src/**/*.test.ts",
            "bots/src/**/*.test.ts",
            "bots/bench/**/*.test.ts",
            "compose/**/*.test.ts",
          ],
        },
      },
      {
        test: {
          name: "integration",
          include: ["game-server/test/integration/**/*.test.ts"],
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "cluster",
          include: ["game-server/test/cluster/**/*.test.ts"],
          globalSetup,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "browser",
          include: ["client/e2e/**/*.test.ts"],
          globalSetup,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
