/**
 * One Tabula node as a separate OS process, for kill -9 and restart tests:
 * compose's startGameNode (the same start-up as `npm run cluster` and the
 * cluster tests), with test defaults and its whole output kept.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { startGameNode } from "../../../compose/processes.ts";

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr), one line each. */
  output: () => string;
  /** Resolves with its exit code when it has exited (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Start `node game-server/src/main.ts` with `env` (NODE_ID defaults to a fresh
 * id) on `port` (default: any free port, read back) and wait until /healthz answers.
 */
export async function spawnNode(env: Record<string, string>, port?: number): Promise<NodeProcess> {
  const lines: string[] = [];
  const node = await startGameNode({
    id: env.NODE_ID ?? `t${randomBytes(3).toString("hex")}`,
    port,
    env: {
      NODE_ENV: "test",
      CLIENT_DIST: "",
      METRICS_PORT: "0",
      LOG_JSON: "true",
      LOG_LEVEL: "info",
      TOKEN_SECRET: "integration-tests-secret-0123456789abcdef",
      ...env,
    },
    output: (line) => lines.push(line),
    healthTimeoutMs: 30_000,
  });
  return {
    url: node.url,
    child: node.process.child,
    output: () => lines.join("\n"),
    exited: node.process.exited.then(({ code }) => code),
  };
}
