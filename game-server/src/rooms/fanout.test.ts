import { Protocol } from "@colyseus/core";
import type { Seat } from "@tabula/shared/rules";
import { unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { encodeRoomMessage, fanOut } from "./fanout.ts";

class Sink {
  frames: Uint8Array[] = [];
  readonly seat: Seat | null | undefined;
  constructor(seat: Seat | null | undefined) {
    this.seat = seat;
  }
  enqueueRaw(frame: Uint8Array) {
    this.frames.push(frame);
  }
}

const room = () => [new Sink(0), new Sink(1), new Sink(null), new Sink(null), new Sink(undefined)];

function counting() {
  const bodies: unknown[] = [];
  const encode = (type: string, body: unknown) => {
    bodies.push(body);
    return encodeRoomMessage(type, body);
  };
  return { bodies, encode };
}

describe("fanOut", () => {
  it("encodes a body shared by every recipient once, and gives every joined socket the same frame", () => {
    const clients = room();
    const shared = { ply: 3 };
    const { bodies, encode } = counting();
    fanOut(
      clients,
      (c) => c.seat,
      "moved",
      () => shared,
      encode,
    );
    expect(bodies).toEqual([shared]);
    const [first] = clients[0].frames;
    for (const c of clients.slice(0, 4)) expect(c.frames).toEqual([first]);
    expect(clients[4].frames).toEqual([]); // not joined: nothing
  });

  it("encodes one frame per distinct body: each seat and the spectators get their own", () => {
    const clients = room();
    const bySeat = new Map<Seat | null, object>([
      [0, { you: 0 }],
      [1, { you: 1 }],
      [null, { you: null }],
    ]);
    const { bodies, encode } = counting();
    fanOut(
      clients,
      (c) => c.seat,
      "snapshot",
      (you) => bySeat.get(you),
      encode,
    );
    expect(bodies).toHaveLength(3);
    const decoded = (c: Sink) => c.frames.map((f) => unpack(f.subarray(2 + "snapshot".length)));
    expect(decoded(clients[0])).toEqual([{ you: 0 }]);
    expect(decoded(clients[1])).toEqual([{ you: 1 }]);
    expect(decoded(clients[2])).toEqual([{ you: null }]);
    expect(clients[3].frames[0]).toBe(clients[2].frames[0]);
  });

  it("an undefined body skips the recipient: a message for one seat only", () => {
    const clients = room();
    fanOut(
      clients,
      (c) => c.seat,
      "offerDeclined",
      (you) => (you === 1 ? { offer: "draw" } : undefined),
    );
    expect(clients.map((c) => c.frames.length)).toEqual([0, 1, 0, 0, 0]);
  });

  it("writes the frame Colyseus' client.send writes: ROOM_DATA, the type, the msgpack body", () => {
    const frame = encodeRoomMessage("moved", { ply: 1, move: "3" });
    expect(frame[0]).toBe(Protocol.ROOM_DATA);
    expect(frame[1]).toBe(0xa0 | "moved".length); // msgpack fixstr header of the type
    expect(Buffer.from(frame.subarray(2, 7)).toString()).toBe("moved");
    expect(unpack(frame.subarray(7))).toEqual({ ply: 1, move: "3" });
  });
});
