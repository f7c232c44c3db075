/**
 * Test projects:
 *  - unit: pure code (rules, table logic, client helpers), beside the code.
 *  - integration: real nodes over real WebSockets against a real PostgreSQL.
 *  - cluster: redis-server, nginx, PostgreSQL and several nodes as real processes.
 *  - browser: the Phaser client in Debian's headless Chromium against a real node.
 * `npm test` runs all of them; `npx vitest run --project unit` runs one.
 */
import { defineConfig } from "vitest/config";

const globalSetup = ["game-server/test/support/globalSetup.ts"];

export default defineConfig({
  test: {
    pool: "threads",
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "game-server/shared/src/**/*.test.ts",
            "game-server/src/**/*.test.ts",
            "game-server/test/docs/**/*.test.ts",
            "client/src/**/*.test.ts",
            "bots/src/**/*.test.ts",
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
