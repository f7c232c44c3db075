/**
 * Tools for the hostile-input tests (integration/fuzz.test.ts and flood.test.ts):
 *
 *  - seeded generators of hostile values, room messages, raw WebSocket frames
 *    and HTTP requests (the same seed always gives the same inputs);
 *  - an oracle, `predictFrame`, that says what a Tabula node must do with a
 *    frame a client sends: it decodes the frame exactly as Colyseus 0.18 does
 *    (the same @colyseus/schema and msgpackr functions), checks the payload
 *    against docs/protocol.md's message table written out by hand here
 *    (`MESSAGE_TYPES`, `validPayload`: never the server's own zod schemas, so
 *    that a schema letting through more than the docs allow is caught), then
 *    applies the game's rules. Every input therefore has an expected outcome,
 *    and inputs that would really act on the game (a legal move, a
 *    resignation, a draw offer) are recognised and never sent;
 *  - FuzzSocket: an SDK room connection that records everything the server
 *    answers on it (room messages, request responses, pongs, the close code);
 *  - Tally: outcome counts, printed as a table.
 */
import { type Iterator, decode, encode } from "@colyseus/schema";
import type { Room } from "@colyseus/sdk";
import { PROTOCOL_CODE_MASK, Protocol } from "@colyseus/shared-types";
import type { ErrorCode } from "@tabula/shared/protocol";
import type { GameDefinition, Rng, Seat } from "@tabula/shared/rules";
import { Packr, unpack } from "msgpackr";
import type { Player } from "./clients.ts";

/** The node's MAX_FRAME_BYTES (default): a larger frame closes the socket with 1009. */
export const MAX_FRAME_BYTES = 4096;

/** Close codes (docs/protocol.md): Colyseus' CloseCode values plus the WebSocket standard one. */
export const CLOSE = { TOO_BIG: 1009, CONSENTED: 4000, WITH_ERROR: 4002 } as const;

// ---------------------------------------------------------------------------
// Random helpers

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A string of `length` code points from hostile ranges: ASCII, controls, Latin-1, BMP, astral, lone surrogates. */
export function randomString(rng: Rng, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const range = rng.int(6);
    const cp =
      range === 0
        ? 0x20 + rng.int(0x5f)
        : range === 1
          ? rng.int(0x20)
          : range === 2
            ? 0x80 + rng.int(0x180)
            : range === 3
              ? 0x800 + rng.int(0xd000)
              : range === 4
                ? 0x10000 + rng.int(0x10000)
                : 0xd800 + rng.int(0x800); // a lone surrogate
    s += String.fromCodePoint(cp);
  }
  return s;
}

export function randomBytes(rng: Rng, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = rng.int(256);
  return b;
}

/** A printable Latin-1 string (HTTP header values must be ByteStrings). */
export function randomHeaderValue(rng: Rng, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const c = rng.int(3) === 0 ? 0xa0 + rng.int(0x60) : 0x21 + rng.int(0x5e);
    s += String.fromCharCode(c);
  }
  return s;
}

// ---------------------------------------------------------------------------
// Hostile values

export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  2,
  3,
  0.5,
  1.5,
  -2.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  1e21,
  1e308,
  10_000,
  10_001,
  255,
  256,
  65_535,
  65_536,
];

export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "move",
  "e2e4",
  "g1f3",
  "\u0000",
  "\u0000move",
  "move\u0000",
  "💣",
  "é",
  "\uD800",
  "\uDFFF\uD800",
  "𝕏".repeat(64),
  "a".repeat(3072),
  "é".repeat(1536),
  "<script>alert(1)</script>",
  `'; DROP TABLE "Move"; --`,
  "$" + "{process.exit(1)}", // a template-injection probe (kept out of a template literal)
  "{{constructor.constructor('return process')()}}",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "*",
  "../../etc/passwd",
  "%00",
  "%s%s%s%n",
  "\r\n\r\n",
  "null",
  "undefined",
  "NaN",
  "{}",
  "[]",
  "-1",
  "1e309",
  "ＭＯＶＥ",
  " move",
  "MOVE",
  "Move",
  "\u202Emove",
  "\uFEFFmove",
];

/** Keys that have broken JavaScript servers before (prototype pollution, thenables, array-likes) and this protocol's own. */
export const HOSTILE_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "toJSON",
  "then",
  "length",
  "0",
  "",
  "ply",
  "move",
  "action",
  "spectate",
  "seat",
  "gameId",
  "playerId",
  "💣",
  "k".repeat(300),
];

/**
 * What a polluted Object.prototype would carry. Besides the conventional `polluted`, the keys are ones the
 * server reads from parsed input, so pollution would show in behaviour: `name` (a guest's default name),
 * `game` (a quick-play body), `spectate` (join options), `seat`.
 */
export const POLLUTION = { polluted: true, name: "Pwned", game: "chess", spectate: true, seat: 0 } as const;

/** Prototype-pollution shaped payloads (as JSON texts: `__proto__` must be an own key, which only JSON.parse makes). */
export function pollutionJsonTexts(): string[] {
  const mark = JSON.stringify(POLLUTION);
  return [
    `{"__proto__":${mark}}`,
    `{"constructor":{"prototype":${mark}}}`,
    `{"__proto__":{"__proto__":${mark}}}`,
    `{"prototype":${mark}}`,
    `{"ply":2,"move":"g1f3","__proto__":${mark}}`,
    `{"game":"chess","__proto__":${mark}}`,
    `{"game":"chess","constructor":{"prototype":${mark}}}`,
    `{"name":"fuzzer","__proto__":${mark}}`,
    `{"action":"offer","__proto__":${mark}}`,
    `[{"__proto__":${mark}}]`,
    `{"a":{"b":{"__proto__":${mark}}}}`,
    `{"toString":1,"valueOf":1}`,
    `{"then":1}`,
    `{"toJSON":1}`,
  ];
}

export function pollutionValues(): unknown[] {
  return pollutionJsonTexts().map((t) => JSON.parse(t) as unknown);
}

/** An object with own enumerable keys (an assignment to "__proto__" would set the prototype instead). */
function objectWith(entries: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

export function deepNest(rng: Rng, depth: number): unknown {
  let v: unknown = pick(rng, [1, "x", null, {}, []]);
  const asArray = rng.int(3);
  for (let i = 0; i < depth; i++) {
    const key = pick(rng, ["a", "__proto__", "ply", "constructor"]);
    v = asArray === 0 || (asArray === 2 && i % 2 === 0) ? [v] : objectWith([[key, v]]);
  }
  return v;
}

/** Any value msgpack can carry, with a bias for the hostile ones. */
export function hostileValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 15)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.int(2) === 0;
    case 3:
    case 4:
      return pick(rng, HOSTILE_NUMBERS);
    case 5:
      return Math.round((rng.next() - 0.5) * 2 ** rng.int(60));
    case 6:
      return pick(rng, HOSTILE_STRINGS);
    case 7:
      return randomString(rng, rng.int(24));
    case 8:
      return pick(rng, [
        randomBytes(rng, rng.int(48)),
        new Date(rng.int(2 ** 31) * 1000),
        BigInt(rng.int(2 ** 31)) * 2n ** 32n,
        -(2n ** 63n),
        2n ** 64n - 1n,
      ]);
    case 9:
    case 10:
      return Array.from({ length: rng.int(6) }, () => hostileValue(rng, depth + 1));
    case 11:
    case 12:
      return objectWith(
        Array.from({ length: rng.int(6) }, () => [
          rng.int(3) === 0 ? randomString(rng, 1 + rng.int(8)) : pick(rng, HOSTILE_KEYS),
          hostileValue(rng, depth + 1),
        ]),
      );
    case 13:
      return deepNest(rng, 50 + rng.int(250));
    default:
      return pick(rng, pollutionValues());
  }
}

// ---------------------------------------------------------------------------
// Room messages

/** The client → server room message types of docs/protocol.md ("Client → server messages"), by hand. */
export const MESSAGE_TYPES = ["move", "resign", "draw", "abort", "rematch", "sync"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export const KNOWN_TYPES: readonly MessageType[] = MESSAGE_TYPES;

function isMessageType(type: unknown): type is MessageType {
  return typeof type === "string" && (MESSAGE_TYPES as readonly string[]).includes(type);
}

const OFFER_ACTIONS: readonly unknown[] = ["offer", "accept", "decline"];

/**
 * Whether `payload` is what docs/protocol.md's table allows for `type` — written from the docs, not from the
 * server's schemas: `move` is `{ ply: int ≥ 0, move: string of 1–8 chars }`; `draw` and `rematch` are
 * `{ action: "offer" | "accept" | "decline" }`; `resign`, `abort` and `sync` are `{}`. Strict: exactly those
 * keys. No payload (or nil) reads as `{}`. A payload is read as a map when it is an object that is not an
 * array, its fields being its own enumerable keys (msgpackr also decodes a timestamp to a Date and a bin to a
 * Uint8Array: a Date has no keys, so the server reads it as `{}`, and a bin has one per byte).
 */
export function validPayload(type: MessageType, payload: unknown): boolean {
  const value = payload ?? {};
  if (typeof value !== "object" || Array.isArray(value)) return false;
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields);
  const exactly = (...names: string[]) => keys.length === names.length && names.every((n) => Object.hasOwn(fields, n));
  switch (type) {
    case "move":
      return (
        exactly("ply", "move") &&
        Number.isSafeInteger(fields.ply) &&
        (fields.ply as number) >= 0 &&
        typeof fields.move === "string" &&
        fields.move.length >= 1 &&
        fields.move.length <= 8
      );
    case "draw":
    case "rematch":
      return exactly("action") && OFFER_ACTIONS.includes(fields.action);
    default:
      return keys.length === 0;
  }
}

const MOVE_POOL = [
  "e7e5",
  "d7d5",
  "g8f6",
  "b8c6",
  "e2e4",
  "e4e5",
  "e1g1",
  "e1c1",
  "e8g8",
  "a7a8q",
  "e7e8n",
  "a2a1k",
  "h2h4",
  "e5e4",
  "d1h5",
  "f1c4",
  "0",
  "3",
  "6",
  "e2",
  "e2e4e6",
  "E2E4",
  "e2-e4",
  "O-O",
  "Nf3",
  " e2e4",
  "e2e4 ",
  "e9e4",
  "i2i4",
  "a0a1",
  "\u0000\u0000\u0000\u0000",
  "é2é4",
  "12345678",
];

export function randomUci(rng: Rng): string {
  const sq = () => "abcdefgh"[rng.int(8)] + "12345678"[rng.int(8)];
  return sq() + sq() + (rng.int(6) === 0 ? "qrbnk"[rng.int(5)] : "");
}

/**
 * A well-formed `move` payload that is wrong somehow: wrong ply, the other seat's
 * move, an illegal or malformed move. (The oracle tells which; a legal one is never sent.)
 */
export function wrongMove(rng: Rng, ply: number, legal: readonly string[]): { ply: number; move: string } {
  const p = pick(rng, [ply, ply, ply, ply - 1, ply + 1, 0, 1, 10_000, ply + rng.int(50)]);
  const r = rng.int(4);
  const move = r === 0 && legal.length ? pick(rng, legal) : r === 1 ? randomUci(rng) : pick(rng, MOVE_POOL);
  return { ply: Math.max(0, p), move };
}

/** A room message for `room.send(type, payload)`: known and unknown types, hostile and near-valid payloads. */
export function hostileMessage(rng: Rng, ply: number, legal: readonly string[]): { type: string | number; payload: unknown } {
  const t = rng.int(20);
  let type: string | number;
  if (t < 9) type = pick(rng, KNOWN_TYPES);
  else if (t < 11) type = "*";
  else if (t < 14) type = pick(rng, HOSTILE_STRINGS);
  else if (t < 16) type = pick(rng, [0, 1, 13, 255, 256, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40, -0]);
  else if (t < 17) type = randomString(rng, 1 + rng.int(40));
  else if (t < 18) type = "t".repeat(2000 + rng.int(3000));
  else type = pick(rng, KNOWN_TYPES).toUpperCase();

  let payload: unknown;
  const p = rng.int(10);
  if (type === "move" && p < 5) {
    payload = wrongMove(rng, ply, legal);
    if (rng.int(5) === 0) (payload as Record<string, unknown>)[pick(rng, ["extra", "seat", "gameId"])] = hostileValue(rng, 2);
  } else if ((type === "draw" || type === "rematch") && p < 4) {
    payload = { action: pick(rng, ["offer", "accept", "decline", "OFFER", "", 1, null, ["accept"]]) };
  } else if (p < 2) {
    payload = pick(rng, [undefined, null, {}, []]);
  } else {
    payload = hostileValue(rng);
  }
  return { type, payload };
}

// ---------------------------------------------------------------------------
// Frames

const packr = new Packr();

/** Encode a frame as the SDK does: [code][type (string or number)][extra][msgpack payload]. */
export function buildFrame(
  code: number,
  type: string | number | undefined,
  payload?: unknown,
  opts: { requestId?: number; raw?: Uint8Array } = {},
): Uint8Array {
  const head = new Uint8Array(16 + (typeof type === "string" ? Buffer.byteLength(type) * 2 : 0));
  const it: Iterator = { offset: 1 };
  head[0] = code;
  if (opts.requestId !== undefined) encode.number(head, opts.requestId, it);
  if (typeof type === "string") encode.string(head, type, it);
  else if (type !== undefined) encode.number(head, type, it);
  const body = opts.raw ?? (payload === undefined ? new Uint8Array(0) : packr.pack(payload));
  const frame = new Uint8Array(it.offset + body.byteLength);
  frame.set(head.subarray(0, it.offset), 0);
  frame.set(body, it.offset);
  return frame;
}

/** A ROOM_DATA `sync` frame whose payload is padded so that the frame is exactly `size` bytes. */
export function frameOfSize(size: number): Uint8Array {
  for (let pad = Math.max(0, size - 20); pad < size; pad++) {
    const f = buildFrame(Protocol.ROOM_DATA, "sync", { pad: "x".repeat(pad) });
    if (f.byteLength === size) return f;
    if (f.byteLength > size) break;
  }
  const f = new Uint8Array(size);
  f[0] = Protocol.ROOM_DATA;
  return f;
}

/** Byte sequences msgpackr cannot (or can only pathologically) decode. */
const BAD_MSGPACK: readonly number[][] = [
  [0xc1], // never used
  [0x82, 0xa3, 0x70, 0x6c, 0x79], // map of 2, truncated
  [0x92, 0x01], // array of 2, truncated
  [0xdd, 0xff, 0xff, 0xff, 0xff], // array32 claiming 4 billion items
  [0xdf, 0xff, 0xff, 0xff, 0xff], // map32 claiming 4 billion entries
  [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], // str32 claiming 4 GB
  [0xc6, 0xff, 0xff, 0xff, 0xff], // bin32 claiming 4 GB
  [0xc9, 0xff, 0xff, 0xff, 0xff, 0x01], // ext32 claiming 4 GB
  [0xd4, 0x72, 0x40], // a record definition with nothing after it
  [0x40, 0x01], // a record that was never defined
  [0xd4, 0xff], // truncated timestamp
  [0xcb, 0x01, 0x02], // truncated float64
  [0xa5, 0x61], // fixstr claiming 5 bytes
  [0xd9], // str8 without a length
  [0x81, 0xc0, 0x01], // map with a nil key
  [0x81, 0x80, 0x01], // map with a map as key
  [0x81, 0xa9, 0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f, 0x81, 0xa1, 0x78, 0xc3], // {"__proto__":{"x":true}}
  [0xc7, 0x01, 0x00, 0x00], // ext8 of an unknown type 0
  [0xc7, 0x00, 0x65], // empty ext of type 0x65
];

export interface RawFrame {
  label: string;
  frame: Uint8Array | string;
}

/** A raw WebSocket frame: random bytes, protocol codes with garbage, truncated/corrupted valid frames, bad msgpack, size edges, text. */
export function hostileFrame(rng: Rng, ply: number, legal: readonly string[]): RawFrame {
  try {
    return hostileFrameOf(rng, ply, legal);
  } catch {
    // msgpackr cannot pack some values (e.g. an object whose toJSON is not a function): send bytes instead.
    return { label: "random bytes", frame: randomBytes(rng, rng.int(64)) };
  }
}

function hostileFrameOf(rng: Rng, ply: number, legal: readonly string[]): RawFrame {
  const kind = rng.int(20);
  if (kind < 3) return { label: "random bytes", frame: randomBytes(rng, rng.int(8) === 0 ? 64 + rng.int(600) : rng.int(64)) };
  if (kind < 7) {
    // Each protocol code (0-31, the code mask), sometimes with modifier bits, followed by garbage.
    const code = rng.int(32) | (rng.int(4) === 0 ? rng.int(8) << 5 : 0);
    const garbage = randomBytes(rng, rng.int(40));
    const f = new Uint8Array(1 + garbage.byteLength);
    f[0] = code;
    f.set(garbage, 1);
    return { label: `protocol code ${code & PROTOCOL_CODE_MASK} + garbage`, frame: f };
  }
  if (kind < 10) {
    // A valid frame, truncated or with one byte flipped.
    const { type, payload } = hostileMessage(rng, ply, legal);
    const full = buildFrame(Protocol.ROOM_DATA, typeof type === "string" ? type.slice(0, 64) : type, payload);
    if (rng.int(2) === 0) return { label: "truncated frame", frame: full.subarray(0, rng.int(full.byteLength + 1)) };
    const f = full.slice();
    if (f.byteLength > 1) f[1 + rng.int(f.byteLength - 1)] = rng.int(256);
    return { label: "corrupted frame", frame: f };
  }
  if (kind < 12) {
    const bad = pick(rng, BAD_MSGPACK);
    const type = rng.int(2) === 0 ? pick(rng, KNOWN_TYPES) : pick(rng, HOSTILE_STRINGS).slice(0, 40);
    const code = pick(rng, [Protocol.ROOM_DATA, Protocol.ROOM_DATA, Protocol.ROOM_REQUEST]);
    return {
      label: "invalid msgpack",
      frame: buildFrame(code, type, undefined, {
        requestId: code === Protocol.ROOM_REQUEST ? rng.int(1000) : undefined,
        raw: new Uint8Array(bad),
      }),
    };
  }
  if (kind < 13) {
    const size = pick(rng, [
      MAX_FRAME_BYTES - 1,
      MAX_FRAME_BYTES,
      MAX_FRAME_BYTES + 1,
      MAX_FRAME_BYTES + 100,
      3 * MAX_FRAME_BYTES,
    ]);
    if (rng.int(2) === 0) return { label: `frame of ${size} bytes`, frame: frameOfSize(size) };
    const f = randomBytes(rng, size);
    return { label: `frame of ${size} random bytes`, frame: f };
  }
  if (kind < 15) {
    // A request (ROOM_REQUEST): the same handlers as ROOM_DATA, plus a ROOM_RESPONSE.
    const { type, payload } = hostileMessage(rng, ply, legal);
    return {
      label: "request frame",
      frame: buildFrame(Protocol.ROOM_REQUEST, typeof type === "string" ? type.slice(0, 64) : type, payload, {
        requestId: pick(rng, [0, 1, 2 ** 31, rng.int(1_000_000)]),
      }),
    };
  }
  if (kind < 16) {
    const type = rng.int(2) === 0 ? pick(rng, [...KNOWN_TYPES, "*"]) : randomString(rng, rng.int(10));
    return {
      label: "bytes frame",
      frame: buildFrame(Protocol.ROOM_DATA_BYTES, type, undefined, { raw: randomBytes(rng, rng.int(32)) }),
    };
  }
  if (kind < 17) {
    return {
      label: "deeply nested msgpack",
      frame: buildFrame(Protocol.ROOM_DATA, pick(rng, KNOWN_TYPES), deepNest(rng, 1000 + rng.int(3000))),
    };
  }
  if (kind < 18)
    return {
      label: "text frame",
      frame: pick(rng, [randomString(rng, rng.int(60)), "\r", "{}", "move", JSON.stringify({ ply, move: "e2e4" })]),
    };
  if (kind < 19) {
    // The SDK cannot encode a type of more than a few KB (its header buffer): long types go raw.
    const { type, payload } = hostileMessage(rng, ply, legal);
    return { label: "well-formed frame", frame: buildFrame(Protocol.ROOM_DATA, type, payload) };
  }
  return { label: "empty or one-byte frame", frame: rng.int(3) === 0 ? new Uint8Array(0) : new Uint8Array([rng.int(256)]) };
}

// ---------------------------------------------------------------------------
// The oracle

/** What the node does with one frame. */
export type Expect =
  | { kind: "close"; code: number }
  | { kind: "error"; code: ErrorCode; response?: true }
  | { kind: "snapshot"; response?: true }
  /** Only a ROOM_RESPONSE: Colyseus refused the request itself (undecodable payload, no such handler). */
  | { kind: "response" }
  | { kind: "pong" }
  /** No answer: a protocol code this room does not use. */
  | { kind: "ignored" }
  /** It would act on the game (a legal move, a resignation, a draw offer): never sent. */
  | { kind: "effective"; what: string };

export function describeExpect(e: Expect): string {
  switch (e.kind) {
    case "close":
      return `closed ${e.code}`;
    case "error":
      return `error ${e.code}${e.response ? " + response" : ""}`;
    case "snapshot":
      return `snapshot${e.response ? " + response" : ""}`;
    case "response":
      return "request refused (response)";
    case "pong":
      return "pong";
    case "ignored":
      return "ignored (unused protocol code)";
    case "effective":
      return `not sent: ${e.what}`;
  }
}

/** The live game as the oracle sees it. */
export interface GameModel {
  def: GameDefinition;
  state: unknown;
  ply: number;
  /** Whether each seat has made its first move (abort is refused after it). */
  moved: [boolean, boolean];
}

function readType(buffer: Buffer, it: Iterator): string | number | undefined {
  return decode.stringCheck(buffer, it) ? decode.string(buffer, it) : (decode.number(buffer, it) as number | undefined);
}

/** What the room must answer to a payload that reached a known message type's handler (docs/protocol.md). */
function predictReceive(type: MessageType, payload: unknown, role: Seat | null, game: GameModel): Expect {
  if (!validPayload(type, payload)) return { kind: "error", code: "BAD_MESSAGE" };
  if (type === "sync") return { kind: "snapshot" };
  if (role === null) return { kind: "error", code: "NOT_A_PLAYER" };
  const msg = (payload ?? {}) as Record<string, unknown>;
  switch (type) {
    case "move": {
      if (msg.ply !== game.ply) return { kind: "error", code: "STALE_PLY" };
      if (game.def.toMove(game.state) !== role) return { kind: "error", code: "NOT_YOUR_TURN" };
      const r = game.def.apply(game.state, msg.move as string, role);
      return r.ok ? { kind: "effective", what: "a legal move" } : { kind: "error", code: r.error.code };
    }
    case "resign":
      return { kind: "effective", what: "a resignation" };
    case "abort":
      return game.moved[role] ? { kind: "error", code: "CANNOT_ABORT" } : { kind: "effective", what: "an abort" };
    case "draw":
      return msg.action === "offer" ? { kind: "effective", what: "a draw offer" } : { kind: "error", code: "NO_OFFER" };
    default:
      return { kind: "error", code: "GAME_NOT_OVER" }; // rematch while the game is on
  }
}

function route(type: unknown, payload: unknown, role: Seat | null, game: GameModel): Expect {
  if (isMessageType(type)) return predictReceive(type, payload, role, game);
  return { kind: "error", code: "UNKNOWN_MESSAGE" }; // the "*" handler, also for the type "*" itself
}

/**
 * What the node does with `frame` from a socket of `role` (a seat, or null for a spectator):
 * Room._onMessage and RoomMessages.onData/onRequest/onDataBytes of @colyseus/core 0.18, then GameRoom.
 */
export function predictFrame(frame: Uint8Array | string, role: Seat | null, game: GameModel): Expect {
  const buffer =
    typeof frame === "string" ? Buffer.from(frame, "utf8") : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buffer.byteLength > MAX_FRAME_BYTES) return { kind: "close", code: CLOSE.TOO_BIG };
  const it: Iterator = { offset: 1 };
  const code = (buffer[0] ?? 0) & PROTOCOL_CODE_MASK;
  switch (code) {
    case Protocol.ROOM_DATA: {
      const type = readType(buffer, it);
      let payload: unknown;
      try {
        payload = buffer.byteLength > it.offset ? unpack(buffer.subarray(it.offset, buffer.byteLength)) : undefined;
      } catch {
        return { kind: "close", code: CLOSE.WITH_ERROR };
      }
      return route(type, payload, role, game);
    }
    case Protocol.ROOM_REQUEST: {
      decode.number(buffer, it);
      const type = readType(buffer, it);
      let payload: unknown;
      try {
        payload = buffer.byteLength > it.offset ? unpack(buffer.subarray(it.offset, buffer.byteLength)) : undefined;
      } catch {
        return { kind: "response" };
      }
      if (isMessageType(type) || type === "*") {
        const e = route(type, payload, role, game);
        return e.kind === "error" || e.kind === "snapshot" ? { ...e, response: true } : e;
      }
      return { kind: "response" };
    }
    case Protocol.ROOM_DATA_BYTES:
      return { kind: "error", code: "UNKNOWN_MESSAGE" }; // "_$b<type>" is never registered: the "*" handler
    case Protocol.LEAVE_ROOM:
      return { kind: "close", code: CLOSE.CONSENTED };
    case Protocol.PING:
      return { kind: "pong" };
    default:
      return { kind: "ignored" };
  }
}

// ---------------------------------------------------------------------------
// A socket that records what the server answers

export const PING_FRAME = new Uint8Array([Protocol.PING]);

export class FuzzSocket {
  readonly room: Room;
  readonly role: Seat | null;
  readonly errors: string[] = [];
  snapshots = 0;
  moved = 0;
  responses = 0;
  pongs = 0;
  /** Frames of other kinds (JOIN_ROOM, ERROR, state…): none expected. */
  others: number[] = [];
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];
  private readonly send: (data: Uint8Array) => void;
  private capture: ((data: Uint8Array) => void) | undefined;

  private constructor(room: Room, role: Seat | null) {
    this.room = room;
    this.role = role;
    room.onMessage("error", (e: { code: string }) => {
      this.errors.push(e.code);
      this.wake();
    });
    room.onMessage("snapshot", () => {
      this.snapshots++;
      this.wake();
    });
    room.onMessage("moved", () => {
      this.moved++;
      this.wake();
    });
    const ws = this.ws;
    ws.addEventListener("message", (ev: MessageEvent) => {
      const code = new Uint8Array(ev.data as ArrayBuffer)[0] & PROTOCOL_CODE_MASK;
      if (code === Protocol.PING) this.pongs++;
      else if (code === Protocol.ROOM_RESPONSE) this.responses++;
      else if (code !== Protocol.ROOM_DATA) this.others.push(code);
      this.wake();
    });
    ws.addEventListener("close", (ev: CloseEvent) => {
      this.closeCode = ev.code;
      this.wake();
    });
    // Every frame the SDK sends goes through connection.send: capture it instead when asked to.
    const connection = room.connection as unknown as { send(data: Uint8Array): void };
    const original = connection.send.bind(connection);
    this.send = original;
    connection.send = (data: Uint8Array) => {
      if (this.capture) this.capture(data);
      else original(data);
    };
  }

  /** Join `gameId` as `player` (a player joins its seat unless `spectate`). */
  static async open(player: Player, gameId: string, spectate: boolean, seat: Seat | null): Promise<FuzzSocket> {
    const room = await player.sdk.joinById(gameId, spectate ? { spectate: true } : {});
    const s = new FuzzSocket(room, spectate ? null : seat);
    await s.until(() => s.snapshots > 0, "the first snapshot");
    return s;
  }

  get ws(): WebSocket {
    return (this.room.connection.transport as unknown as { ws: WebSocket }).ws;
  }

  /** The exact frame `room.send(type, payload)` produces, not sent; or the error the SDK threw. */
  encodeWithSdk(type: string | number, payload: unknown): Uint8Array | Error {
    let frame: Uint8Array | undefined;
    this.capture = (data) => {
      frame = new Uint8Array(data); // a copy: the SDK reuses its buffer
    };
    try {
      this.room.send(type as never, payload as never);
    } catch (err) {
      return err as Error;
    } finally {
      this.capture = undefined;
    }
    return frame ?? new Error("the SDK sent nothing");
  }

  /** Send a frame as is: through the SDK's connection, or as a text frame on its socket. */
  transmit(frame: Uint8Array | string): void {
    if (typeof frame === "string") this.ws.send(frame);
    else this.send(frame);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** One input ready to send, with its expected outcome. */
export interface Input {
  channel: string;
  label: string;
  frame: Uint8Array | string;
  expect: Expect;
}

/**
 * Send inputs on a socket in batches and check every answer against the oracle.
 * A batch is followed by a PING; it is complete when the pong and every expected
 * error/response have arrived (or, for an input expected to close the socket,
 * when the socket is closed — such an input is always sent alone, so that no
 * answer to an earlier input can be lost with the socket). A closed socket is
 * replaced by a new one (`open`). Throws on the first mismatch.
 */
export async function runInputs(opts: {
  open: () => Promise<FuzzSocket>;
  next: (s: FuzzSocket) => Input | undefined;
  count: number;
  batch?: number;
  tally: Tally;
  /** Set by whoever wants the loop to stop (e.g. another loop failed). */
  stop?: { stopped: boolean };
}): Promise<{ sent: number; skipped: number; reopened: number; sockets: FuzzSocket[] }> {
  const batchSize = opts.batch ?? 40;
  const sockets: FuzzSocket[] = [];
  let s = await opts.open();
  sockets.push(s);
  let sent = 0;
  let skipped = 0;
  let reopened = 0;
  let carry: Input | undefined;
  while (sent < opts.count && !opts.stop?.stopped) {
    const base = { errors: s.errors.length, responses: s.responses, pongs: s.pongs, snapshots: s.snapshots };
    const want = {
      errors: new Map<string, number>(),
      responses: 0,
      pongs: 0,
      snapshots: 0,
      close: undefined as number | undefined,
    };
    const labels: string[] = [];
    for (let k = 0; k < batchSize && sent < opts.count; ) {
      const input = carry ?? opts.next(s);
      carry = undefined;
      if (!input) {
        skipped++;
        continue;
      }
      const e = input.expect;
      if (e.kind === "effective") {
        opts.tally.add(input.channel, describeExpect(e));
        skipped++;
        continue;
      }
      if (e.kind === "close" && k > 0) {
        carry = input;
        break;
      }
      s.transmit(input.frame);
      sent++;
      k++;
      labels.push(`${input.label} → ${describeExpect(e)}`);
      opts.tally.add(input.channel, describeExpect(e));
      if (e.kind === "close") want.close = e.code;
      if (e.kind === "error") want.errors.set(e.code, (want.errors.get(e.code) ?? 0) + 1);
      if (e.kind === "snapshot") want.snapshots++;
      if ((e.kind === "error" || e.kind === "snapshot") && e.response) want.responses++;
      if (e.kind === "response") want.responses++;
      if (e.kind === "pong") want.pongs++;
      if (e.kind === "close") break;
    }
    if (want.close === undefined) {
      s.transmit(PING_FRAME);
      want.pongs++;
    }
    const nErrors = [...want.errors.values()].reduce((a, b) => a + b, 0);
    const complete = () =>
      want.close !== undefined
        ? s.closeCode !== undefined
        : s.closeCode !== undefined ||
          (s.pongs - base.pongs >= want.pongs &&
            s.errors.length - base.errors >= nErrors &&
            s.responses - base.responses >= want.responses &&
            s.snapshots - base.snapshots >= want.snapshots);
    const explain = () =>
      `batch of ${labels.length}:\n  ${labels.join("\n  ")}\nwanted ${JSON.stringify({ ...want, errors: Object.fromEntries(want.errors) })}\n` +
      `got errors ${JSON.stringify(s.errors.slice(base.errors))}, responses ${s.responses - base.responses}, ` +
      `pongs ${s.pongs - base.pongs}, snapshots ${s.snapshots - base.snapshots}, close ${s.closeCode}, moved ${s.moved}, others ${s.others}`;
    try {
      await s.until(complete, "the answers to a batch", 10_000);
    } catch {
      throw new Error(`incomplete answers: ${explain()}`);
    }
    const got = new Map<string, number>();
    for (const c of s.errors.slice(base.errors)) got.set(c, (got.get(c) ?? 0) + 1);
    const same =
      s.closeCode === want.close &&
      got.size === want.errors.size &&
      [...want.errors].every(([c, n]) => got.get(c) === n) &&
      s.responses - base.responses === want.responses &&
      (want.close !== undefined || s.pongs - base.pongs === want.pongs) &&
      s.moved === 0 &&
      s.others.length === 0;
    if (!same) throw new Error(`unexpected answers: ${explain()}`);
    if (s.closeCode !== undefined) {
      s = await opts.open();
      sockets.push(s);
      reopened++;
    }
  }
  return { sent, skipped, reopened, sockets };
}

// ---------------------------------------------------------------------------
// HTTP

export interface HttpInput {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/msgpack",
  "application/json, text/plain",
  "application/*+json",
  "json",
  "",
];

const MALFORMED_JSON = [
  "{",
  "}",
  '{"name":}',
  "[1,]",
  '{"name":"x"',
  "NaN",
  "undefined",
  "{'name':'x'}",
  '{"name":"x"}garbage',
  '\uFEFF{"name":"x"}',
  '{"a":1,"a":2}',
  "\u0000",
  "1e999999",
  '"\\ud800"',
  '{"name":"\\u0000"}',
  "null",
  "true",
  "[]",
  '""',
  "0",
];

export const POST_ROUTES = [
  "/api/guest",
  "/api/matchmaking/quick",
  "/api/invites",
  "/api/invites/ABCDEF/accept",
  "/api/bot-games",
];

function authHeader(rng: Rng, token: string): string | undefined {
  switch (rng.int(14)) {
    case 0:
    case 1:
    case 2:
      return undefined;
    case 3:
    case 4:
    case 5:
      return `Bearer ${token}`;
    case 6:
      return `Bearer ${token.slice(0, -3)}AAA`; // forged signature
    case 7:
      return `Bearer ${randomHeaderValue(rng, 1 + rng.int(200))}`;
    case 8:
      return `Bearer ${"A".repeat(pick(rng, [1024, 8 * 1024, 12 * 1024]))}`; // oversized but under Node's 16 KB header limit
    case 9:
      return pick(rng, [
        "Bearer",
        "Bearer ",
        "bearer",
        `bearer ${token}`,
        `Basic ${btoa("a:b")}`,
        `Bearer ${token} ${token}`,
        `Token ${token}`,
      ]);
    case 10: {
      // alg "none", and a token signed by nobody for the same claims
      const [, payload] = token.split(".");
      return pick(rng, [
        `Bearer ${btoa('{"alg":"none"}').replace(/=+$/, "")}.${payload}.`,
        `Bearer e30.${payload}.`,
        "Bearer a.b.c",
      ]);
    }
    case 11:
      return `Bearer ${token}\t`;
    case 12:
      return randomHeaderValue(rng, rng.int(100));
    default:
      return `Bearer ${"A".repeat(20 * 1024)}`; // over Node's header limit: 431 from the HTTP parser
  }
}

/** encodeURIComponent, after replacing lone surrogates (which it refuses). */
function uriComponent(s: string): string {
  return encodeURIComponent(s.replace(/[\uD800-\uDFFF]/gu, "\uFFFD"));
}

function hostileParam(rng: Rng, liveGameId: string): string {
  return pick(rng, [
    liveGameId,
    liveGameId.toUpperCase(),
    "ABCDEF",
    "abcdef",
    "aaaaaaaaaa",
    "a".repeat(8),
    "a".repeat(41),
    "x".repeat(2000),
    "%00",
    "%2e%2e",
    "..",
    "%E0%A4%A",
    "%",
    "__proto__",
    "constructor",
    "prototype",
    uriComponent(randomString(rng, 1 + rng.int(12))),
    uriComponent(pick(rng, HOSTILE_STRINGS).slice(0, 200)),
    "1",
    "-1",
    "null",
    "%F0%9F%92%A3",
  ]);
}

function hostileQuery(rng: Rng): string {
  return pick(rng, [
    "",
    "",
    "?wait=0",
    "?wait=1e400",
    "?wait=-1",
    "?wait=NaN",
    "?wait=0x10",
    "?wait[]=1",
    "?wait[__proto__][x]=1",
    "?wait=1&wait=2",
    "?__proto__[polluted]=1",
    "?constructor[prototype][polluted]=1",
    "?__proto__.polluted=1",
    "?positions=1",
    "?positions[]=1",
    "?positions[__proto__]=1",
    `?q=${"x".repeat(4000)}`,
    "?%=1",
    "?a=%E0%A4%A",
    `?${Array.from({ length: 300 }, (_, i) => `k${i}=${i}`).join("&")}`,
  ]);
}

/** A hostile HTTP request under /api. `token` is a valid identity of a player who is in no game. */
export function hostileHttp(rng: Rng, token: string, liveGameId: string): HttpInput {
  const param = () => hostileParam(rng, liveGameId);
  const routes: Array<[string, string, () => string]> = [
    ["POST", "/api/guest", () => "/api/guest"],
    ["GET", "/api/me", () => "/api/me"],
    ["GET", "/api/games/meta", () => "/api/games/meta"],
    ["POST", "/api/matchmaking/quick", () => "/api/matchmaking/quick"],
    ["GET", "/api/matchmaking/tickets/:ticket", () => `/api/matchmaking/tickets/${param()}`],
    ["DELETE", "/api/matchmaking/tickets/:ticket", () => `/api/matchmaking/tickets/${param()}`],
    ["POST", "/api/invites", () => "/api/invites"],
    ["GET", "/api/invites/:code", () => `/api/invites/${param()}`],
    ["POST", "/api/invites/:code/accept", () => `/api/invites/${param()}/accept`],
    ["POST", "/api/bot-games", () => "/api/bot-games"],
    ["GET", "/api/games", () => "/api/games"],
    ["GET", "/api/games/:id", () => `/api/games/${param()}`],
    ["GET", "/api/stats", () => "/api/stats"],
    ["GET", "/api/live-games", () => "/api/live-games"],
    ["GET", "/api/nodes", () => "/api/nodes"],
  ];
  const [routeMethod, template, build] = pick(rng, routes);
  let method = routeMethod;
  let path = build();
  let label = template;
  if (rng.int(5) === 0) {
    const segs = Array.from({ length: 1 + rng.int(4) }, () =>
      pick(rng, [param(), "games", "meta", "matchmaking", "tickets", "..", ".", "", "api", "STATS", "%2F", "%2e%2e", "healthz"]),
    );
    path = `/api/${segs.join("/")}`;
    label = "/api/<random path>";
  }
  if (rng.int(4) === 0) method = pick(rng, ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "PURGE"]);
  path += hostileQuery(rng);
  const headers: Record<string, string> = {};
  const auth = authHeader(rng, token);
  if (auth !== undefined) headers.authorization = auth;
  let body: string | Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const ct = pick(rng, CONTENT_TYPES);
    if (ct) headers["content-type"] = ct;
    if (rng.int(12) === 0)
      headers["content-encoding"] = pick(rng, ["gzip", "deflate", "br", "identity", "x-unknown", "gzip, gzip"]);
    const b = rng.int(10);
    if (b < 3) body = pick(rng, pollutionJsonTexts());
    else if (b < 5) body = pick(rng, MALFORMED_JSON);
    else if (b < 6) body = JSON.stringify({ name: "x".repeat(pick(rng, [4 * 1024, 5000, 100_000])) });
    else if (b < 7) body = randomBytes(rng, rng.int(200));
    else if (b < 8) body = `${"[".repeat(1500)}${"]".repeat(1500)}`;
    else {
      const v = hostileValue(rng);
      try {
        body = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "";
      } catch {
        body = "{}";
      }
    }
  }
  return { label: `${method} ${label}`, method, path, headers, body };
}

/**
 * Whether `req` may legitimately succeed (2xx). Everything else the fuzzer sends must be refused with a 4xx.
 * `pathname` is the path as sent (fetch resolves dot segments, also percent-encoded ones); Express
 * matches it case-insensitively, with an optional trailing slash, without decoding it.
 */
export function mayAnswerOk(req: HttpInput, pathname: string, token: string, liveGameId: string): boolean {
  const m = req.method;
  const read = m === "GET" || m === "HEAD";
  if (m === "OPTIONS") return true; // Express answers OPTIONS for a known path itself (204, Allow)
  if (read && /^\/api\/(games\/meta|stats|live-games|nodes)\/?$/i.test(pathname)) return true;
  const game = pathname.match(/^\/api\/games\/([^/]+)\/?$/i);
  if (read && game) {
    try {
      return decodeURIComponent(game[1]) === liveGameId;
    } catch {
      return false;
    }
  }
  const authed = (req.headers.authorization ?? "").trim().match(/^Bearer\s+(\S+)$/i)?.[1] === token;
  if (read && authed && /^\/api\/(me|games)\/?$/i.test(pathname)) return true;
  return m === "POST" && /^\/api\/guest\/?$/i.test(pathname); // any body: a non-JSON one is ignored, and a guest made
}

// ---------------------------------------------------------------------------
// Tally

export class Tally {
  private readonly rows = new Map<string, Map<string, number>>();
  private readonly sentBy = new Map<string, number>();

  add(channel: string, outcome: string, n = 1): void {
    const row = this.rows.get(channel) ?? new Map<string, number>();
    this.rows.set(channel, row);
    row.set(outcome, (row.get(outcome) ?? 0) + n);
  }

  /** Count inputs really sent on a channel (outcomes may also list inputs that were not sent). */
  sent(channel: string, n: number): void {
    this.sentBy.set(channel, (this.sentBy.get(channel) ?? 0) + n);
  }

  totalSent(): number {
    return [...this.sentBy.values()].reduce((a, b) => a + b, 0);
  }

  /** One line per channel and outcome. */
  format(title: string): string {
    const lines = [title];
    const width = Math.max(...[...this.rows.values()].flatMap((r) => [...r.keys()].map((k) => k.length)), 10);
    for (const [channel, row] of [...this.rows].sort()) {
      const total = [...row.values()].reduce((a, b) => a + b, 0);
      lines.push(`  ${channel}: ${total} inputs`);
      for (const [outcome, n] of [...row].sort((a, b) => b[1] - a[1]))
        lines.push(`    ${outcome.padEnd(width)} ${String(n).padStart(6)}`);
    }
    lines.push(`  sent: ${[...this.sentBy].map(([c, n]) => `${c} ${n}`).join(", ")}; in all ${this.totalSent()}`);
    return lines.join("\n");
  }
}
