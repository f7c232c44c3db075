/**
 * The built browser client (client/dist), as a node serves it:
 * - compressed: the build writes a .br and a .gz beside every text file
 *   (client/vite.config.ts); a browser that accepts brotli gets the .br, one
 *   that accepts only gzip the .gz, any other the file itself
 *   (express-static-gzip), with `Content-Encoding` and
 *   `Vary: Accept-Encoding`. Nothing is compressed per request.
 * - cached: files under /assets/ carry a hash of their content in their name,
 *   so they never change: `Cache-Control: public, max-age=31536000,
 *   immutable`. The pages (index.html, admin.html) name the current hashes:
 *   `no-cache`, revalidated with their ETag (a 304 when unchanged), so a new
 *   build is picked up on the next load.
 * - a missing /assets/ file is a 404, never the page: a page cached from an
 *   older build asks for files a newer one no longer has, and HTML served as
 *   its script would fail obscurely.
 * - pages: /admin is the operator page (admin.html); any other path that is
 *   not the API or matchmaking is the game (index.html: ?invite=, ?watch=).
 * The security headers are set earlier, for everything (securityHeaders.ts).
 */
import { relative, sep } from "node:path";
import express, { type RequestHandler } from "express";
import expressStaticGzip from "express-static-gzip";

/** Cache-Control of the hashed files under /assets/: a year (the most HTTP caches keep), never revalidated. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Cache-Control of the pages and any other unhashed file: kept, but revalidated (ETag) before each use. */
export const REVALIDATE = "no-cache";

/** The folder under the client's root whose files are named by their content's hash (Vite's assetsDir). */
const HASHED_DIR = "assets";

/** Serve the built client in `dist` (an absolute path to a folder holding index.html and admin.html). */
export function staticClient(dist: string): express.Router {
  const files: RequestHandler = expressStaticGzip(dist, {
    enableBrotli: true,
    // Brotli first when the browser takes both (browsers list gzip first): ~13 % smaller here.
    orderPreference: ["br", "gzip"],
    index: false,
    serveStatic: {
      index: false,
      redirect: false,
      cacheControl: false,
      etag: true,
      lastModified: true,
      setHeaders(res, path) {
        const hashed = relative(dist, path).startsWith(HASHED_DIR + sep);
        res.setHeader("Cache-Control", hashed ? IMMUTABLE : REVALIDATE);
      },
    },
  });
  /** Serve one page whatever the path asked (the query is dropped: the client reads it from `location`). */
  const page =
    (file: string): RequestHandler =>
    (req, res, next) => {
      req.url = `/${file}`;
      files(req, res, next);
    };

  const router = express.Router();
  router.use(files);
  router.use(`/${HASHED_DIR}`, (_req, res) => {
    res.status(404).set("Cache-Control", "no-store").type("text/plain").send("no such asset\n");
  });
  router.get(/^\/admin\/?$/, page("admin.html"));
  router.get(/^\/(?!api\/|matchmake\/).*/, page("index.html"));
  return router;
}
