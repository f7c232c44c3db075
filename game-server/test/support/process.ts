/** Run a Tabula node as a separate OS process (for kill -9 and restart tests). */
import { type ChildProcess, spawn } from "node:child_process";
import { freePort, REPO_ROOT } from "../../../compose/processes.ts";

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Start `node game-server/src/main.ts` with `env` and wait until /healthz answers. */
export async function spawnNode(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const p = port ?? (await freePort());
  let out = "";
  const child = spawn(process.execPath, ["game-server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(p),
      CLIENT_DIST: "",
      LOG_JSON: "true",
      LOG_LEVEL: "info",
      TOKEN_SECRET: "integration-tests-secret-0123456789abcdef",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited early:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`node did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out, exited };
}
