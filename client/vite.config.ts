/**
 * Vite config of the browser client. `root` is this folder; the build lands in
 * client/dist, which a game-server node serves at "/".
 *
 * Dev server (port 5173): everything the game server answers is proxied to it
 * (TABULA_SERVER, default http://localhost:2567): the HTTP API (/api), Colyseus
 * matchmaking (/matchmake), per-node paths (/node/…), health, and the room
 * WebSockets, whose paths are "/<processId>/<roomId>" (two id-like segments, no
 * dots — never one of Vite's own module URLs). Alternatively set
 * VITE_SERVER_URL to make the SDK and the API talk to a server directly.
 *
 * Build: file names under assets/ carry a hash of their content (Vite's
 * default), so a node serves them as immutable; Phaser, the Colyseus SDK and Chart.js
 * are chunks of their own, loaded with import() (client/src/lazyChunks.ts), and
 * each page names them in a meta element for its prefetch (build/lazyChunksMeta.ts);
 * every text file gets a .gz and a .br beside it, which the node (and nginx)
 * serve to browsers that accept them (game-server/src/http/staticClient.ts;
 * docs/performance.md, "Loading the client").
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";
import { lazyChunksMeta } from "./build/lazyChunksMeta.ts";

const target = process.env.TABULA_SERVER ?? "http://localhost:2567";
const proxied = { target, changeOrigin: true, ws: true };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [
    // What a game needs first (the SDK, then Phaser), then the profile's chart.
    lazyChunksMeta([/\/@colyseus\/sdk\//, /\/src\/scenes\/engine\.ts$/, /\/src\/chartEngine\.ts$/]),
    // gzip level 9 and brotli quality 11 (the plugin's defaults: slow to make, once, at build time), for
    // files over 1 KB where it saves anything.
    compression({ algorithms: ["gzip", "brotliCompress"], threshold: 1024 }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // Phaser alone is ~1.2 MB (a lazy chunk: the lobby does not load it).
    chunkSizeWarningLimit: 1400,
    // Two pages: the game (index.html) and the operator page (admin.html, served at /admin; no Phaser).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        admin: fileURLToPath(new URL("./admin.html", import.meta.url)),
      },
      output: {
        // The SDK's lazy chunk would be named after its folder ("build"): name it for what it is.
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.includes("/@colyseus/sdk/") ? "assets/colyseus-[hash].js" : "assets/[name]-[hash].js",
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      "/api": { target, changeOrigin: true },
      "/matchmake": proxied,
      "/node/": proxied,
      "/healthz": { target, changeOrigin: true },
      // Room WebSockets: /<processId>/<roomId>?sessionId=…
      "^/[A-Za-z0-9_-]{6,}/[A-Za-z0-9_-]{4,}(\\?.*)?$": proxied,
    },
  },
  preview: {
    port: 4173,
    proxy: {
      "/api": { target, changeOrigin: true },
      "/matchmake": proxied,
      "/node/": proxied,
      "^/[A-Za-z0-9_-]{6,}/[A-Za-z0-9_-]{4,}(\\?.*)?$": proxied,
    },
  },
});
