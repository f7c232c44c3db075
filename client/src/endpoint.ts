/**
 * Where the server is (pure). The HTTP API and the Colyseus SDK both talk to
 * the page's own origin — whatever host, port and scheme served the page
 * (nginx in front of several nodes, a single node, Vite's dev proxy) — unless
 * VITE_SERVER_URL names a server explicitly.
 *
 * The room WebSockets are not necessarily there: a seat reservation may carry a
 * `publicAddress` (e.g. "localhost:8080/node/n1") and the SDK then opens
 * `ws(s)://<publicAddress>/<processId>/<roomId>`, with "wss" when this
 * endpoint is https. Nothing here may assume the WebSocket host is the page's.
 */

function explicit(envUrl: string | undefined): string | null {
  const url = envUrl?.trim();
  return url ? url.replace(/\/+$/, "") : null;
}

/** Base of the HTTP API: "" (same origin) unless VITE_SERVER_URL is set. */
export function apiBase(envUrl: string | undefined): string {
  return explicit(envUrl) ?? "";
}

/** The URL the SDK Client is created with: VITE_SERVER_URL, else the page's origin. */
export function sdkEndpoint(envUrl: string | undefined, origin: string | undefined): string {
  const url = explicit(envUrl);
  if (url) return url;
  if (origin && origin !== "null") return origin;
  // Outside a browser (tests, tools) only.
  return "http://localhost:2567";
}
