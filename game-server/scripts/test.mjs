// `npm test`: every check and every test, in one command.
//   0. security checks (scripts/audit.mjs: dependency audit, lockfile provenance, lint configuration)
//   1. lint + format check (Biome)   2. type check (tsc)   3. all Vitest projects, with coverage
//      (unit, integration against real PostgreSQL, cluster, browser in Debian's Chromium)
//   4. coverage of the three Vitest runs merged (scripts/coverage.mjs): printed, and below the
//      thresholds the run fails.
// Extra arguments go to Vitest (without coverage), e.g. `npm test -- --project unit`.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureNode24, REPO_ROOT } from "./node24.mjs";

await ensureNode24();

const args = process.argv.slice(2);
const step = (msg) => console.log(`\n\x1b[1m== ${msg}\x1b[0m`);
const run = (cmd, a) => execFileSync(cmd, a, { cwd: REPO_ROOT, stdio: "inherit" });
try {
  // Regenerated whenever prisma/schema.prisma is newer than the client (a pulled schema change).
  const client = join(REPO_ROOT, "game-server/src/generated/prisma/client.ts");
  if (!existsSync(client) || statSync(join(REPO_ROOT, "prisma/schema.prisma")).mtimeMs > statSync(client).mtimeMs) {
    step("generating the Prisma client");
    run(process.execPath, ["game-server/scripts/prisma-generate.mjs"]);
  }
  if (args.length === 0) {
    // Dependency audit, lockfile provenance, lint configuration (scripts/audit.mjs): before the tests.
    step("security checks (npm audit of production dependencies, lockfile, lint configuration)");
    run(process.execPath, ["game-server/scripts/audit.mjs"]);
    step("lint and format (biome check)");
    run("npx", ["biome", "check", "."]);
    step("type check (tsc)");
    run("npx", ["tsc", "-p", "tsconfig.json"]);
    run("npx", ["tsc", "-p", "client/tsconfig.json"]);
    step("building the browser client (for the browser tests)");
    run("npm", ["run", "build", "-w", "client"]);
  }
  if (args.length > 0) {
    step("tests (vitest)");
    run("npx", ["vitest", "run", ...args]);
  } else {
    // One project group at a time: the cluster and browser suites start many processes each, and
    // on a 2-core machine running them side by side only makes their timings noisy. Each run writes
    // its coverage (its workers' and its child nodes') to its own folder; they are merged at the end.
    const coverageRoot = join(REPO_ROOT, ".artifacts/coverage");
    rmSync(coverageRoot, { recursive: true, force: true });
    const runs = [];
    const vitest = (name, projects) => {
      const dir = join(coverageRoot, name);
      runs.push(dir);
      const selection = projects.flatMap((p) => ["--project", p]);
      run("npx", ["vitest", "run", ...selection, "--coverage.enabled", `--coverage.reportsDirectory=${dir}`]);
    };
    step("unit and integration tests (vitest)");
    vitest("unit-integration", ["unit", "integration"]);
    step("cluster tests: redis-server, nginx, PostgreSQL and nodes as real processes (vitest)");
    vitest("cluster", ["cluster"]);
    step("browser tests: Debian's Chromium (vitest)");
    vitest("browser", ["browser"]);
    step("coverage: the three runs merged");
    run(process.execPath, ["game-server/scripts/coverage.mjs", ...runs]);
  }
} catch (err) {
  process.exit(typeof err.status === "number" ? err.status : 1);
}
