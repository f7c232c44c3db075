// Generates the Prisma client (game-server/src/generated/prisma) from prisma/schema.prisma.
// `prisma generate` does not run the schema engine, but the CLI insists on
// having its binary, which it would download from a host our machines cannot
// reach. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies it
// (see docs/architecture.md); a real engine path given by the caller wins.
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "./node24.mjs";

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { cwd: REPO_ROOT, stdio: "inherit", env });
