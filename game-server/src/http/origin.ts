/**
 * Which web pages may talk to this node: the `Origin` allow-list, checked on
 * the API (/api), on matchmaking (/matchmake) and on the WebSocket upgrade,
 * and the CORS answer that goes with it.
 *
 * A browser always sends `Origin` on a WebSocket upgrade and on any
 * cross-origin or non-GET request, and a page cannot forge it: so a page on
 * another site is refused. A request without `Origin` is not a browser page's
 * (bots, the SDK in Node, curl, tests, monitoring): it is allowed, since
 * `Origin` guards a visitor's browser from other sites, and such a client
 * could send any Origin it liked anyway. docs/security.md says more.
 */
import type { NextFunction, Request, Response } from "express";
import { matchMaker, ServerError } from "@colyseus/core";
import { send } from "./middleware.ts";

export interface OriginPolicy {
  /**
   * Whether a request with `Origin: origin` (undefined: no header) and `Host: host` may go on:
   * no Origin, an origin in the list, the page's own origin (same host:port as `host`), or,
   * when local origins are allowed, any http(s) page on localhost, 127.0.0.1 or [::1].
   */
  allows(origin: string | undefined, host: string | undefined): boolean;
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * An allow-list policy: `allowed` are exact origins (`scheme://host[:port]`, as a browser sends
 * them); `allowLocal` also lets in pages served from this machine (development and tests).
 */
export function createOriginPolicy(opts: { allowed: readonly string[]; allowLocal: boolean }): OriginPolicy {
  const allowed = new Set(opts.allowed.map((o) => o.toLowerCase()));
  return {
    allows(origin, host) {
      if (origin === undefined) return true;
      const o = origin.toLowerCase();
      if (allowed.has(o)) return true;
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        return false; // "null" (sandboxed frames, file://) and anything malformed
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") return false;
      if (host !== undefined && url.host === host.toLowerCase()) return true;
      return opts.allowLocal && LOCAL_HOSTS.has(url.hostname);
    },
  };
}

/** Express middleware: a request from a page not allowed gets 403 ORIGIN_NOT_ALLOWED. */
export function checkOrigin(policy: OriginPolicy) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (policy.allows(req.header("origin"), req.header("host"))) next();
    else send(res, "ORIGIN_NOT_ALLOWED", "requests from this page's origin are not allowed");
  };
}

/** The policy Colyseus' matchmaking follows (the last one applied: one node per process outside tests). */
let matchmakerPolicy: OriginPolicy | undefined;

/**
 * Apply `policy` to Colyseus' own HTTP handling, which runs before express:
 * CORS answers name an allowed origin only (Colyseus' default echoes any
 * origin, with credentials), and a matchmaking request from a page not
 * allowed is refused (403) before any seat is reserved.
 */
export function applyOriginPolicyToMatchmaker(policy: OriginPolicy): void {
  const installed = matchmakerPolicy !== undefined;
  matchmakerPolicy = policy;
  if (installed) return;
  const controller = matchMaker.controller;
  // No credentials travel by cookie here (identity is a Bearer header), and no origin is allowed by default.
  delete (controller.DEFAULT_CORS_HEADERS as Record<string, string>)["Access-Control-Allow-Credentials"];
  delete (controller.DEFAULT_CORS_HEADERS as Record<string, string>)["Access-Control-Allow-Origin"];
  const allows = (headers: Headers) =>
    matchmakerPolicy?.allows(headers.get("origin") ?? undefined, headers.get("host") ?? undefined) ?? true;
  controller.getCorsHeaders = (headers: Headers): Record<string, string> => {
    const origin = headers.get("origin");
    if (origin === null || !allows(headers)) return { Vary: "Origin" };
    return { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
  };
  const invoke = controller.invokeMethod.bind(controller);
  controller.invokeMethod = async (method, roomName, clientOptions, authContext) => {
    if (authContext?.headers && !allows(authContext.headers)) {
      throw new ServerError(403, "requests from this page's origin are not allowed");
    }
    return invoke(method, roomName, clientOptions, authContext);
  };
}
