/**
 * The Colyseus SDK client the game sessions use, with a deadline on its
 * matchmaking requests (a request that reaches a stalled node behind nginx
 * would otherwise hang for 75 s, holding one of the page's six connections).
 * The SDK itself is fetched at the first join (lazyChunks.ts): the lobby does
 * not need it.
 */
import type { Client } from "@colyseus/sdk";
import { sdkEndpoint } from "./endpoint.ts";
import { loadColyseus } from "./lazyChunks.ts";

/** What a game session asks of the SDK: a room joined by id (seat reservation, then its socket). */
export type GameClient = Pick<Client, "joinById">;

/**
 * A matchmaking request (join by id) is given up after this long, ms. The
 * matchmaker answers in milliseconds, or after its own 2 s remote-call
 * timeout when the room's listing still names a node that does not answer;
 * longer means the request itself reached a stalled node (nginx would wait
 * 75 s), and a browser has only 6 connections per host to spare.
 */
export const MATCHMAKE_TIMEOUT_MS = 3000;
/**
 * The same after the server went silent: the game is on its way to another
 * node, and an attempt that does not answer within 2 s is waiting on the
 * stalled one (directly, or through the listing it still holds). Giving it up
 * sooner frees its slot for the attempt that finds the new owner.
 */
export const SILENT_MATCHMAKE_TIMEOUT_MS = 2000;

/** `fetch` with a deadline (ms, read at each request), for the SDK's matchmaking requests. */
export function fetchWithTimeout(
  timeoutMs: number | (() => number),
  fetchFn: typeof fetch = (i, init) => fetch(i, init),
): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(typeof timeoutMs === "number" ? timeoutMs : timeoutMs());
    return fetchFn(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
}

/**
 * Create the SDK client: the page's origin unless VITE_SERVER_URL points elsewhere.
 * The SDK's own Client is made at the first `joinById` (or `sdk()`), once the SDK is fetched.
 * Room WebSockets go wherever the seat reservation's publicAddress says (see endpoint.ts).
 * `token` is the identity token, or what gives one at each matchmaking request (an account's
 * access token expires within minutes, and a game is re-joined long after it started: Api.freshToken).
 * `matchmakeTimeoutMs` is read at each request (GameSession.matchmakeTimeoutMs).
 */
export function createClient(
  token: string | null | (() => Promise<string | null>),
  matchmakeTimeoutMs: () => number = () => MATCHMAKE_TIMEOUT_MS,
): GameClient & { sdk(): Promise<Client> } {
  const endpoint = sdkEndpoint(import.meta.env?.VITE_SERVER_URL as string | undefined, globalThis.location?.origin);
  // The identity token goes only in the seat reservation's Authorization header: `client.auth.token`
  // would also put it in the room socket's URL, which the server refuses (the socket presents the
  // reservation's one-time ticket; docs/protocol.md, "Joining a room").
  const timed = fetchWithTimeout(matchmakeTimeoutMs);
  let options: { fetchFn: typeof fetch; headers?: Record<string, string> };
  if (typeof token !== "function") {
    options = { fetchFn: timed, headers: token ? { authorization: `Bearer ${token}` } : {} };
  } else {
    const withToken: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      const t = await token();
      if (t) headers.set("authorization", `Bearer ${t}`);
      return timed(input, { ...init, headers });
    };
    options = { fetchFn: withToken };
  }
  let made: Promise<Client> | null = null;
  const sdk = (): Promise<Client> => {
    made ??= loadColyseus().then(
      (colyseus) => new colyseus.Client(endpoint, options),
      (err: unknown) => {
        made = null; // the next join fetches again
        throw err;
      },
    );
    return made;
  };
  const joinById = ((...args: Parameters<Client["joinById"]>) =>
    sdk().then((client) => client.joinById(...args))) as Client["joinById"];
  return { sdk, joinById };
}
