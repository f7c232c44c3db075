import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { colyseusLogger } from "./colyseusLogger.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "trace" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
  return { lines, logger: colyseusLogger(log) };
}

describe("colyseusLogger", () => {
  it("turns a client's undecodable frame (raised in RoomMessages.onData) into one warning without the stack", () => {
    const { lines, logger } = capture();
    const err = new Error("Unexpected end of MessagePack data");
    err.stack = `${err.message}\n    at unpack (msgpackr/unpack.js:1:1)\n    at RoomMessages.onData (core/build/RoomMessages.mjs:122:17)`;
    logger.error(err.stack);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        reason: "Unexpected end of MessagePack data",
        msg: "undecodable room message; socket closed (4002)",
      }),
    ]);
    expect(lines[0]).not.toHaveProperty("stack");
    // A deep msgpack error whose 10 captured frames are all msgpackr's is the client's too.
    logger.error(
      `Error: Unexpected end of MessagePack data\n${"    at read (file:///app/node_modules/msgpackr/unpack.js:521:36)\n".repeat(10)}`,
    );
    expect(lines[1]).toMatchObject({ level: 40, msg: "undecodable room message; socket closed (4002)" });
  });

  it("keeps anything else an error, as one line with the stack in a field", () => {
    const { lines, logger } = capture();
    const err = new Error("onDispose error: boom");
    logger.error(err);
    logger.warn("plain", "words");
    expect(lines[0]).toMatchObject({ level: 50, msg: "Error: onDispose error: boom", source: "colyseus" });
    expect(String(lines[0].stack)).toMatch(/colyseusLogger\.test\.ts/);
    expect(lines[1]).toMatchObject({ level: 40, msg: "plain words" });
    expect(lines[1]).not.toHaveProperty("stack");
  });
});
