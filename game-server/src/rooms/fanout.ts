/**
 * One message to every socket of a room, encoded once per distinct body.
 * Colyseus' `client.send` packs its body (msgpack) for each socket; after a
 * move every recipient of a perfect-information game gets the same `moved`
 * object (game/views.ts), so we pack it once and hand every socket the same
 * frame, as Colyseus' own `broadcast` does. The frame is exactly what
 * `client.send(type, body)` writes (the wire protocol does not change).
 */
import { getMessageBytes, Protocol } from "@colyseus/core";
import type { Seat } from "@tabula/shared/rules";

/** What fanOut needs of a Colyseus client: queueing an encoded frame (held until the join completes). */
export interface RawSink {
  enqueueRaw(frame: Uint8Array): void;
}

/** The frame `client.send(type, body)` writes: the ROOM_DATA code, the type, then the msgpack body. */
export function encodeRoomMessage(type: string, body: unknown): Uint8Array {
  return getMessageBytes.raw(Protocol.ROOM_DATA, type, body);
}

/**
 * Send `body(seat)` as a `type` message to each of `clients` whose `seatOf`
 * is a seat or null (a spectator); undefined skips the client (not joined yet), and so does
 * an undefined body (a message for one seat only).
 * Bodies that are the same object share one encoding.
 */
export function fanOut<C extends RawSink>(
  clients: Iterable<C>,
  seatOf: (client: C) => Seat | null | undefined,
  type: string,
  body: (you: Seat | null) => unknown,
  encode: (type: string, body: unknown) => Uint8Array = encodeRoomMessage,
): void {
  const frames = new Map<unknown, Uint8Array>();
  for (const client of clients) {
    const seat = seatOf(client);
    if (seat === undefined) continue;
    const b = body(seat);
    if (b === undefined) continue;
    let frame = frames.get(b);
    if (frame === undefined) {
      frame = encode(type, b);
      frames.set(b, frame);
    }
    client.enqueueRaw(frame);
  }
}
