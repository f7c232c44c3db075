/**
 * Security headers (helmet) on everything express serves: the browser client,
 * the API and /healthz. The Content-Security-Policy is the one the Phaser
 * client runs under (client/e2e/csp.test.ts loads it and fails on any
 * violation):
 * - scripts and styles only from this origin (Vite builds them into files:
 *   no inline script or style element);
 * - images from this origin, `data:` (the favicon, Phaser's built-in
 *   textures) and `blob:` (textures Phaser makes at run time);
 * - connections to this origin and, for room sockets, to the public address
 *   over ws/wss (the seat reservation's `publicAddress`);
 * - no plugins, no framing by other sites, forms and <base> to this origin.
 * `upgrade-insecure-requests` is left out: a node reached over plain http (a
 * LAN, the tests) would have every request rewritten to https and fail; TLS is
 * nginx's to require (docs/security.md).
 */
import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Helmet with Tabula's policy. `publicHost`: the host[:port] room sockets go
 * to when it is not the page's own (PUBLIC_ADDRESS), or undefined.
 */
export function securityHeaders(publicHost: string | undefined): RequestHandler {
  const sockets = publicHost ? [`ws://${publicHost}`, `wss://${publicHost}`] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "blob:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'", ...sockets],
        workerSrc: ["'self'", "blob:"],
        mediaSrc: ["'self'", "data:", "blob:"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        scriptSrcAttr: ["'none'"],
      },
    },
  });
}
