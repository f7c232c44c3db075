import http from "node:http";
import { CLOSE_CODES } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { HTTP_HEADERS_TIMEOUT_MS, HTTP_KEEP_ALIVE_MS, refusalCloseCode, tuneHttpServer } from "./transport.ts";

describe("refusalCloseCode", () => {
  it("closes a refused join with the refusal's own code when it is ours", () => {
    expect(refusalCloseCode(CLOSE_CODES.UNAUTHORIZED, false)).toBe(4401);
    expect(refusalCloseCode(CLOSE_CODES.SPECTATORS_FULL, false)).toBe(4403);
  });
  it("closes any other refusal with 4400, a refused reconnection with 4003, never with the flood code", () => {
    for (const code of [524, 400, 500, undefined, CLOSE_CODES.WITH_ERROR]) {
      expect(refusalCloseCode(code, false)).toBe(CLOSE_CODES.JOIN_REFUSED);
      expect(refusalCloseCode(code, true)).toBe(CLOSE_CODES.RECONNECT_FAILED);
    }
  });
});

describe("tuneHttpServer", () => {
  it("keeps idle connections open longer than nginx does, headers timeout above it, no hidden extra grace", () => {
    const s = tuneHttpServer(http.createServer());
    expect(s.keepAliveTimeout).toBe(HTTP_KEEP_ALIVE_MS);
    expect(s.headersTimeout).toBe(HTTP_HEADERS_TIMEOUT_MS);
    expect(s.headersTimeout).toBeGreaterThan(s.keepAliveTimeout);
    expect((s as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer).toBe(0);
    expect(tuneHttpServer(http.createServer(), 500).headersTimeout).toBe(1500);
  });
});
