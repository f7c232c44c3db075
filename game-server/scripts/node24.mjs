// Makes sure a Node >= 24 runs the given script. The machines this project runs
// on may have an older system Node (20): then Node 24 is installed once from the
// npm registry (the `node` package ships real Node binaries) into .tools/node
// and the script is re-executed with it. Plain JavaScript on purpose: this file
// must run on old Node versions too.
import { execFileSync, spawn } from "node:child_process";
import { constants } from "node:os";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TOOLS = join(REPO_ROOT, ".tools", "node");
const BIN = join(TOOLS, "node_modules", "node", "bin", "node");
export const REQUIRED_MAJOR = 24;

export function major(version = process.versions.node) {
  return Number(version.split(".")[0]);
}

/** Path of a Node >= 24 binary, installing one into .tools/node when needed. */
export function node24() {
  if (major() >= REQUIRED_MAJOR) return process.execPath;
  if (!existsSync(BIN)) {
    console.log(
      `tabula: Node ${process.versions.node} is too old (need >= ${REQUIRED_MAJOR}); installing Node ${REQUIRED_MAJOR} into .tools/node (once)…`,
    );
    try {
      execFileSync("npm", ["install", "--prefix", TOOLS, "--no-save", "--no-audit", "--no-fund", `node@${REQUIRED_MAJOR}`], {
        stdio: "inherit",
      });
    } catch {
      console.error(
        `tabula: could not install Node ${REQUIRED_MAJOR}. Install Node >= ${REQUIRED_MAJOR} yourself (see .nvmrc) and retry.`,
      );
      process.exit(1);
    }
  }
  return BIN;
}

/**
 * Re-run the current script under Node >= 24 if this one is older: resolves only when already on
 * Node >= 24; otherwise this process waits for the re-run, passes on the signals a supervisor sends
 * it (SIGINT, SIGTERM, SIGHUP: `kill <pid>` stops Tabula, not just this wrapper) and exits with its code.
 */
export async function ensureNode24() {
  if (major() >= REQUIRED_MAJOR) return;
  const bin = node24();
  const env = { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH}` };
  const child = spawn(bin, process.argv.slice(1), { stdio: "inherit", env });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    // Ctrl-C in a terminal reaches both processes: the child shuts down, and this one waits for it.
    process.on(signal, () => child.kill(signal));
  }
  const code = await new Promise((resolve) => {
    child.on("exit", (status, signal) => resolve(status ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
    child.on("error", () => resolve(1));
  });
  process.exit(code);
}
