/** Logging: pino, human-readable in development, JSON lines in production. */
import { pino, type Logger } from "pino";

export type { Logger };

/** Create the root logger. `nodeId` is attached to every line so cluster logs can be merged. */
export function createLogger(opts: { level: string; json: boolean; nodeId: string }): Logger {
  return pino({
    level: opts.level,
    base: { node: opts.nodeId },
    transport: opts.json
      ? undefined
      : {
          target: "pino-pretty",
          options: { colorize: process.stdout.isTTY, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" },
        },
  });
}
