/**
 * One cold load of the client, as a new visitor's browser makes it: a fresh
 * browser context (empty cache, no stored identity), the page opened at
 * `url`, and the moment the lobby becomes usable taken in the page itself.
 * Used by client/e2e/loading.test.ts and `npm run bench:load`
 * (bots/bench/load.ts).
 *
 * "Usable" is what a player needs to start a game: the Quick play button is
 * on screen (no hidden ancestor) and enabled, and the game and time-control
 * lists are filled. (A click then works: the API waits for the guest
 * identity if it has not come back yet.) "Named" is later: the player's name
 * is shown, the guest identity having come back from the server. A
 * MutationObserver installed before the page's own scripts checks after
 * every change of the document and records `performance.now()` —
 * milliseconds since navigation start — the first time each holds.
 *
 * The scripts run in the page are strings (this file is also compiled
 * without the DOM's types, for the bench).
 */
import { availableParallelism, loadavg } from "node:os";
import type { Browser, Page } from "playwright-core";

/** Where the probe leaves its figures on `window`. */
const USABLE_AT = "__tabulaLobbyUsableAt";
const NAMED_AT = "__tabulaLobbyNamedAt";

/** The probe (an init script: it runs before any of the page's scripts, in every new document). */
export const LOBBY_PROBE = `(() => {
  const usable = () => {
    const quick = document.getElementById("quick-play");
    const games = document.getElementById("game-select");
    const controls = document.getElementById("tc-select");
    return !!quick && !!games && !!controls && !quick.disabled && !quick.closest("[hidden]") &&
      games.options.length > 0 && controls.options.length > 0;
  };
  const named = () => {
    const name = (document.getElementById("whoami")?.textContent || "").trim();
    return name !== "" && name !== "…";
  };
  const observer = new MutationObserver(() => {
    if (window.${USABLE_AT} === undefined && usable()) window.${USABLE_AT} = performance.now();
    if (window.${NAMED_AT} === undefined && named()) window.${NAMED_AT} = performance.now();
    if (window.${USABLE_AT} !== undefined && window.${NAMED_AT} !== undefined) observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

/** One resource the page fetched (Resource Timing), times in ms since navigation start. */
export interface LoadedResource {
  /** Path and query, e.g. /assets/main-AbC1.js */
  path: string;
  startMs: number;
  endMs: number;
  /** Bytes of the body on the wire (compressed when it was), without headers. */
  encodedBytes: number;
  /** Bytes of the body once decoded. */
  decodedBytes: number;
  /** "script", "link", "fetch", … */
  initiator: string;
}

/** One response's headers that matter here, as the browser received them. */
export interface SeenResponse {
  path: string;
  status: number;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
  vary: string | undefined;
  etag: string | undefined;
}

export interface ColdLoad {
  /** When the lobby became usable, ms since navigation start. */
  lobbyUsableMs: number;
  /** When the player's name was shown (the guest identity back from the server), ms since navigation start. */
  namedMs: number;
  /** DOMContentLoaded and load events' ends, ms since navigation start. */
  domContentLoadedMs: number;
  loadMs: number;
  /** The document itself. */
  documentEncodedBytes: number;
  resources: LoadedResource[];
  responses: SeenResponse[];
  /** The page, still open (close its context when done: `page.context().close()`). */
  page: Page;
}

/**
 * Load `url` in a fresh context of `browser` and wait (up to `timeoutMs`,
 * default 20 s) for the lobby to be usable and the player named. `acceptEncoding` replaces the
 * browser's Accept-Encoding header (e.g. "gzip" for a browser without
 * brotli). The page is left open: entering a game can be measured next.
 */
export async function coldLoad(
  browser: Browser,
  url: string,
  opts: { acceptEncoding?: string; timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<ColdLoad> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    extraHTTPHeaders: opts.acceptEncoding ? { "Accept-Encoding": opts.acceptEncoding } : undefined,
  });
  const page = await context.newPage();
  const responses: SeenResponse[] = [];
  page.on("response", (res) => {
    const h = res.headers();
    responses.push({
      path: pathOf(res.url()),
      status: res.status(),
      contentEncoding: h["content-encoding"],
      cacheControl: h["cache-control"],
      vary: h.vary,
      etag: h.etag,
    });
  });
  await page.addInitScript({ content: LOBBY_PROBE });
  await page.goto(url);
  // A function, not a string: the page's CSP forbids the eval a string predicate would need.
  await page.waitForFunction(
    (keys) => keys.every((key) => (globalThis as Record<string, unknown>)[key] !== undefined),
    [USABLE_AT, NAMED_AT],
    { timeout: opts.timeoutMs ?? 20_000 },
  );
  const timing = (await page.evaluate(`(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return {
      usable: window.${USABLE_AT},
      named: window.${NAMED_AT},
      dcl: nav ? nav.domContentLoadedEventEnd : 0,
      load: nav ? nav.loadEventEnd : 0,
      doc: nav ? nav.encodedBodySize : 0,
    };
  })()`)) as { usable: number; named: number; dcl: number; load: number; doc: number };
  return {
    lobbyUsableMs: timing.usable,
    namedMs: timing.named,
    domContentLoadedMs: timing.dcl,
    loadMs: timing.load,
    documentEncodedBytes: timing.doc,
    resources: await resourcesOf(page),
    responses,
    page,
  };
}

/** Every resource `page` has fetched so far (Resource Timing). */
export async function resourcesOf(page: Page): Promise<LoadedResource[]> {
  return (await page.evaluate(`performance.getEntriesByType("resource").map((e) => ({
    path: new URL(e.name).pathname + new URL(e.name).search,
    startMs: e.startTime,
    endMs: e.responseEnd,
    encodedBytes: e.encodedBodySize,
    decodedBytes: e.decodedBodySize,
    initiator: e.initiatorType,
  }))`)) as LoadedResource[];
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/**
 * How many times over the machine's CPUs are asked for: the 1-minute load
 * average per core, at least 1. A page's load is mostly CPU (parsing,
 * running, laying out): on a machine loaded N times over it takes about N
 * times as long, whatever the client.
 */
export function loadFactor(): number {
  return Math.max(1, loadavg()[0]! / availableParallelism());
}
