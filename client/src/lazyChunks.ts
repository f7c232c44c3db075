/**
 * The two big parts of the client that the lobby does not need are chunks of
 * their own, fetched on first use with a dynamic import():
 * - the game engine, Phaser and the board scene (scenes/engine.ts, ~1.2 MB):
 *   when a board is first shown (a game or a replay; boardView.ts);
 * - the Colyseus SDK (~130 KB): when a game is first joined (sdkClient.ts);
 * - Chart.js (chartEngine.ts): when a profile's rating chart is first drawn.
 * So the lobby is usable before either is downloaded. Once it is, and the
 * browser is idle, `prefetchLazyChunks` adds a `<link rel="modulepreload">`
 * for each of their files (listed in index.html's `tabula-lazy-chunks` meta
 * by vite.config.ts): they are downloaded and compiled, not run, so entering
 * the first game does not wait for the network. docs/performance.md,
 * "Loading the client".
 */
export type BoardEngine = typeof import("./scenes/engine.ts");
export type ChartEngine = typeof import("./chartEngine.ts");
export type Colyseus = typeof import("@colyseus/sdk");

/** The meta element vite.config.ts writes into index.html: the lazy chunks' URLs, space-separated. */
export const LAZY_CHUNKS_META = "tabula-lazy-chunks";

/** One dynamic import, made once; a failed fetch is tried again on the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = null;
      throw err;
    });
    return loading;
  };
}

/** Phaser and GameScene, fetched and evaluated on the first call. */
export const loadBoardEngine = once<BoardEngine>(() => import("./scenes/engine.ts"));

/** The Colyseus SDK (seat reservations, room sockets, Schema and msgpack decoding), fetched on the first join. */
export const loadColyseus = once<Colyseus>(() => import("@colyseus/sdk"));

/** Chart.js with the pieces the profile chart uses registered, fetched on the first call. */
export const loadChartEngine = once<ChartEngine>(() => import("./chartEngine.ts"));

/**
 * Add a `<link rel="modulepreload">` for each lazy chunk named by the meta
 * element (none in the dev server, which has no chunks), skipping a file
 * already linked (Vite links a dynamic import's files itself when it runs).
 * Returns the URLs added.
 */
export function prefetchLazyChunks(doc: Document = document): string[] {
  const meta = doc.querySelector<HTMLMetaElement>(`meta[name="${LAZY_CHUNKS_META}"]`);
  const added: string[] = [];
  for (const href of meta?.content.split(/\s+/) ?? []) {
    if (!href || doc.querySelector(`link[href="${CSS.escape(href)}"]`)) continue;
    const link = doc.createElement("link");
    link.rel = "modulepreload";
    link.href = href;
    doc.head.append(link);
    added.push(href);
  }
  return added;
}

/** Run `fn` when the browser is next idle (at the latest after `timeoutMs`, default 2000). */
export function whenIdle(fn: () => void, timeoutMs = 2000): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(() => fn(), { timeout: timeoutMs });
  else setTimeout(fn, 0);
}
