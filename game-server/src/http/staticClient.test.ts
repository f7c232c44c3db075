/**
 * The built client as a node serves it (staticClient.ts), over real HTTP on
 * loopback, from a stand-in build folder: which encoding each Accept-Encoding
 * gets, the cache headers, revalidation, the pages and the 404 of a missing
 * asset. Raw `node:http` requests: fetch would send its own Accept-Encoding
 * and decompress behind the test's back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMMUTABLE, REVALIDATE, staticClient } from "./staticClient.ts";

const INDEX = `<!doctype html><title>game</title>${"<p>lobby</p>".repeat(200)}`;
const ADMIN = `<!doctype html><title>operator</title>${"<p>admin</p>".repeat(200)}`;
const SCRIPT = `export const lobby = ${JSON.stringify("x".repeat(5000))};\n`;
const SMALL = "body{margin:0}"; // below the build's threshold: no .gz or .br beside it

let dir: string;
let server: ReturnType<express.Application["listen"]>;
let base: string;

/** Write `text` and, unless `plain`, its .gz and .br beside it (as the client's build does). */
function put(path: string, text: string, plain = false): void {
  const file = join(dir, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  if (plain) return;
  writeFileSync(`${file}.gz`, gzipSync(text));
  writeFileSync(`${file}.br`, brotliCompressSync(text));
}

type Answer = { status: number; headers: IncomingHttpHeaders; body: Buffer };

function fetchRaw(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The body as text, decoded by its Content-Encoding. */
function text(a: Answer): string {
  const enc = a.headers["content-encoding"];
  if (enc === "br") return brotliDecompressSync(a.body).toString();
  if (enc === "gzip") return gunzipSync(a.body).toString();
  return a.body.toString();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tabula-static-"));
  put("index.html", INDEX);
  put("admin.html", ADMIN);
  put("assets/main-AbC123.js", SCRIPT);
  put("assets/style-Xy9.css", SMALL, true);
  const app = express();
  app.use(staticClient(dir));
  app.get("/api/ping", (_req, res) => res.json({ ok: true }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("encoding", () => {
  it("serves the .br to a browser that accepts brotli, whatever order it lists it in", async () => {
    for (const accept of ["gzip, deflate, br, zstd", "br", "br;q=0.5, gzip;q=1"]) {
      const a = await fetchRaw("/assets/main-AbC123.js", { "accept-encoding": accept });
      expect(a.status, accept).toBe(200);
      expect(a.headers["content-encoding"], accept).toBe("br");
      expect(a.headers["content-type"], accept).toMatch(/^text\/javascript; charset=utf-8$/i);
      expect(a.headers.vary, accept).toMatch(/Accept-Encoding/);
      expect(Number(a.headers["content-length"]), accept).toBe(a.body.length);
      expect(a.body.length, accept).toBeLessThan(SCRIPT.length / 10);
      expect(text(a), accept).toBe(SCRIPT);
    }
  });

  it("serves the .gz to one that accepts gzip but not brotli", async () => {
    for (const accept of ["gzip", "gzip, deflate", "br;q=0, gzip"]) {
      const a = await fetchRaw("/assets/main-AbC123.js", { "accept-encoding": accept });
      expect(a.headers["content-encoding"], accept).toBe("gzip");
      expect(a.headers.vary, accept).toMatch(/Accept-Encoding/);
      expect(text(a), accept).toBe(SCRIPT);
    }
  });

  it("serves the file itself to one that accepts neither, and a file that has no compressed copy", async () => {
    for (const accept of [undefined, "identity", "deflate", "gzip;q=0, br;q=0"]) {
      const a = await fetchRaw("/assets/main-AbC123.js", accept ? { "accept-encoding": accept } : {});
      expect(a.headers["content-encoding"], accept).toBeUndefined();
      expect(a.headers.vary, accept).toMatch(/Accept-Encoding/); // a shared cache must still tell them apart
      expect(a.body.toString(), accept).toBe(SCRIPT);
    }
    const css = await fetchRaw("/assets/style-Xy9.css", { "accept-encoding": "br, gzip" });
    expect(css.status).toBe(200);
    expect(css.headers["content-encoding"]).toBeUndefined();
    expect(css.headers["content-type"]).toMatch(/^text\/css/);
    expect(css.body.toString()).toBe(SMALL);
  });

  it("compresses the pages too", async () => {
    const a = await fetchRaw("/", { "accept-encoding": "gzip, br" });
    expect(a.headers["content-encoding"]).toBe("br");
    expect(a.headers["content-type"]).toMatch(/^text\/html; charset=utf-8$/i);
    expect(text(a)).toBe(INDEX);
  });
});

describe("caching", () => {
  it("hashed assets are immutable for a year, in every encoding", async () => {
    for (const accept of ["br", "gzip", "identity"]) {
      const a = await fetchRaw("/assets/main-AbC123.js", { "accept-encoding": accept });
      expect(a.headers["cache-control"], accept).toBe(IMMUTABLE);
    }
    expect((await fetchRaw("/assets/style-Xy9.css")).headers["cache-control"]).toBe(IMMUTABLE);
    expect(IMMUTABLE).toBe("public, max-age=31536000, immutable");
  });

  it("pages are no-cache, revalidated with their ETag (one per encoding) to a 304", async () => {
    for (const [path, accept] of [
      ["/", "br"],
      ["/index.html", "gzip"],
      ["/admin", "br"],
      ["/some/deep/link", "identity"],
    ] as const) {
      const a = await fetchRaw(path, { "accept-encoding": accept });
      expect(a.status, path).toBe(200);
      expect(a.headers["cache-control"], path).toBe(REVALIDATE);
      expect(REVALIDATE).toBe("no-cache");
      const etag = a.headers.etag;
      expect(etag, path).toBeTruthy();
      const again = await fetchRaw(path, { "accept-encoding": accept, "if-none-match": etag! });
      expect(again.status, path).toBe(304);
      expect(again.body.length, path).toBe(0);
    }
    const br = await fetchRaw("/", { "accept-encoding": "br" });
    const gz = await fetchRaw("/", { "accept-encoding": "gzip" });
    expect(br.headers.etag).not.toBe(gz.headers.etag);
    // A client holding the br copy's ETag but asking for gzip now gets the gzip copy, not a 304.
    expect((await fetchRaw("/", { "accept-encoding": "gzip", "if-none-match": br.headers.etag! })).status).toBe(200);
  });
});

describe("pages and missing files", () => {
  it("/admin is the operator page; any other path that is not the API is the game", async () => {
    expect(text(await fetchRaw("/admin", { "accept-encoding": "br" }))).toBe(ADMIN);
    expect(text(await fetchRaw("/admin/", { "accept-encoding": "gzip" }))).toBe(ADMIN);
    expect(text(await fetchRaw("/?invite=ABC123"))).toBe(INDEX);
    expect(text(await fetchRaw("/watch/whatever?x=1", { "accept-encoding": "br" }))).toBe(INDEX);
    const api = await fetchRaw("/api/ping");
    expect(JSON.parse(api.body.toString())).toEqual({ ok: true });
    expect((await fetchRaw("/api/nothing-here")).status).toBe(404);
    expect((await fetchRaw("/api/nothing-here")).body.toString()).not.toContain("<title>game</title>");
  });

  it("a missing /assets/ file is a plain 404, never the page", async () => {
    for (const path of ["/assets/main-OLDHASH.js", "/assets/main-OLDHASH.js.br", "/assets/", "/assets/deep/x.css"]) {
      const a = await fetchRaw(path, { "accept-encoding": "br, gzip" });
      expect(a.status, path).toBe(404);
      expect(a.headers["content-type"], path).toMatch(/^text\/plain/);
      expect(a.headers["cache-control"], path).toBe("no-store");
      expect(a.body.toString(), path).not.toContain("<title>");
    }
  });

  it("answers HEAD like GET, without a body", async () => {
    const a = await fetchRaw("/assets/main-AbC123.js", { "accept-encoding": "br" }, "HEAD");
    expect(a.status).toBe(200);
    expect(a.headers["content-encoding"]).toBe("br");
    expect(a.headers["cache-control"]).toBe(IMMUTABLE);
    expect(a.body.length).toBe(0);
  });

  it("never serves a file outside the build folder", async () => {
    for (const path of ["/../package.json", "/assets/..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd"]) {
      const a = await new Promise<number>((resolve, reject) => {
        get(`${base}${path}`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on("error", reject);
      });
      expect([200, 400, 403, 404], path).toContain(a);
      if (a === 200) expect(text(await fetchRaw(path))).toBe(INDEX); // the page, nothing else
    }
  });
});
