/**
 * Colyseus' own log lines, through our logger. Colyseus logs with
 * `console`-style calls, and prints every frame it cannot decode (bad msgpack,
 * a payload its validators refuse) as an error with a stack trace before
 * closing that socket with 4002. Such a frame is a client's mistake: it becomes
 * one warning line. Anything else Colyseus reports stays an error, as one
 * structured line (first line as the message, the rest in `stack`).
 */
import type { Logger } from "./log.ts";

/**
 * An error raised while Colyseus decodes a client's room message: inside
 * RoomMessages.onData / onDataBytes (whose try covers decoding only), or in
 * msgpackr's unpack or Colyseus' payload validation (a deep msgpack error can
 * push the RoomMessages frame out of the 10 captured frames; the server decodes
 * msgpack from clients only).
 */
const CLIENT_FRAME = /\bRoomMessages\.onData(Bytes)?\b|[\\/]msgpackr[\\/]|\bstandardValidate\b/;

function text(args: unknown[]): string {
  return args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ");
}

function structured(args: unknown[]): { msg: string; stack?: string } {
  const [msg = "", ...rest] = text(args).split("\n");
  return rest.length ? { msg, stack: rest.join("\n") } : { msg };
}

/** A Colyseus `logger` (Server option) writing to `log`. */
export function colyseusLogger(log: Logger) {
  const at =
    (level: "debug" | "info" | "warn" | "trace") =>
    (...args: unknown[]) => {
      const { msg, stack } = structured(args);
      log[level](stack ? { source: "colyseus", stack } : { source: "colyseus" }, msg);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    trace: at("trace"),
    warn: at("warn"),
    error(...args: unknown[]) {
      const { msg, stack } = structured(args);
      if (CLIENT_FRAME.test(text(args))) {
        log.warn({ source: "colyseus", reason: msg }, "undecodable room message; socket closed (4002)");
      } else {
        log.error(stack ? { source: "colyseus", stack } : { source: "colyseus" }, msg);
      }
    },
  };
}
