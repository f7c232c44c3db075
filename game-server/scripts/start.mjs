// `npm start`: run Tabula on one node with embedded defaults, from a fresh clone.
// Installs dependencies, generates the Prisma client and builds the browser
// client when they are missing or stale, then starts the game server (which
// starts an embedded PostgreSQL and applies migrations by itself).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureNode24, REPO_ROOT } from "./node24.mjs";

await ensureNode24();

const step = (msg) => console.log(`\x1b[1mtabula:\x1b[0m ${msg}`);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: REPO_ROOT, stdio: "inherit" });

/** Newest modification time under `dir` (ignoring node_modules and dist). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "dist") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const lock = join(REPO_ROOT, "package-lock.json");
const installed = join(REPO_ROOT, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
  // `npm install` rather than `npm ci`: it follows the lock file just the same, but tolerates
  // optional platform packages (Biome's for other systems) that our registry does not carry.
  step("installing dependencies (npm install)…");
  run("npm", ["install", "--no-audit", "--no-fund"]);
}
if (!existsSync(join(REPO_ROOT, "game-server/src/generated/prisma/client.ts"))) {
  step("generating the Prisma client…");
  run(process.execPath, ["game-server/scripts/prisma-generate.mjs"]);
}
const dist = join(REPO_ROOT, "client/dist/index.html");
const clientSrc = Math.max(newest(join(REPO_ROOT, "client")), newest(join(REPO_ROOT, "game-server/shared/src")));
if (!existsSync(dist) || statSync(dist).mtimeMs < clientSrc) {
  step("building the browser client…");
  run("npm", ["run", "build", "-w", "client"]);
}
step("starting the game server (embedded PostgreSQL unless DATABASE_URL is set)…");
const child = spawn(process.execPath, ["game-server/src/main.ts"], { cwd: REPO_ROOT, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 1));
