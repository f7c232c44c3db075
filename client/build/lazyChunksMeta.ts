/**
 * A Vite build plugin: writes into each HTML page a
 * `<meta name="tabula-lazy-chunks" content="/assets/a.js /assets/b.js">`
 * naming the JavaScript files of the page's lazily loaded chunks (the dynamic
 * entries given, with every file they import statically that the page itself
 * does not already load). client/src/lazyChunks.ts reads it to prefetch them
 * with `<link rel="modulepreload">` once the lobby is usable. Only in builds:
 * the dev server has no chunks.
 */
import type { Plugin, Rolldown } from "vite";

type OutputBundle = Rolldown.OutputBundle;
type OutputChunk = Rolldown.OutputChunk;

/** The meta element's name (the same string as client/src/lazyChunks.ts LAZY_CHUNKS_META). */
const META = "tabula-lazy-chunks";

/** Files `from` loads through static imports, itself included. */
function staticClosure(bundle: OutputBundle, from: OutputChunk): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const chunk = bundle[file];
    if (chunk?.type === "chunk") for (const dep of chunk.imports) walk(dep);
  };
  walk(from.fileName);
  return seen;
}

/**
 * The files (relative to the output folder, in load order) of the dynamic
 * entries whose module id matches one of `entries`, in that order, minus what
 * `page` (an HTML page's entry chunk) loads statically.
 */
export function lazyChunkFiles(bundle: OutputBundle, page: OutputChunk, entries: RegExp[]): string[] {
  const loaded = staticClosure(bundle, page);
  const files: string[] = [];
  for (const entry of entries) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== "chunk" || !chunk.isDynamicEntry || !entry.test(chunk.facadeModuleId ?? "")) continue;
      for (const file of staticClosure(bundle, chunk)) if (!loaded.has(file) && !files.includes(file)) files.push(file);
    }
  }
  return files;
}

/** The plugin: `entries` match the module ids of the dynamic imports to prefetch, most wanted first. */
export function lazyChunksMeta(entries: RegExp[]): Plugin {
  let base = "/";
  return {
    name: "tabula-lazy-chunks-meta",
    apply: "build",
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        if (!ctx.bundle || !ctx.chunk) return;
        const files = lazyChunkFiles(ctx.bundle, ctx.chunk, entries);
        if (files.length === 0) return;
        return [{ tag: "meta", attrs: { name: META, content: files.map((f) => base + f).join(" ") }, injectTo: "head" }];
      },
    },
  };
}
