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
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const target = process.env.TABULA_SERVER ?? "http://localhost:2567";
const proxied = { target, changeOrigin: true, ws: true };

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    // Two pages: the game (index.html) and the operator page (admin.html, served at /admin; no Phaser).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        admin: fileURLToPath(new URL("./admin.html", import.meta.url)),
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
