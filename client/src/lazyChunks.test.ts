// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from "vitest";
import { LAZY_CHUNKS_META, once, prefetchLazyChunks } from "./lazyChunks.ts";

describe("prefetchLazyChunks", () => {
  beforeEach(() => {
    document.head.replaceChildren();
  });

  const preloads = () =>
    [...document.head.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"]')].map((l) => l.getAttribute("href"));

  it("links every file the build named, once, in the order given", () => {
    const meta = document.createElement("meta");
    meta.name = LAZY_CHUNKS_META;
    meta.content = "/assets/colyseus-A.js  /assets/engine-B.js\n/assets/chart-C.js";
    document.head.append(meta);
    expect(prefetchLazyChunks()).toEqual(["/assets/colyseus-A.js", "/assets/engine-B.js", "/assets/chart-C.js"]);
    expect(preloads()).toEqual(["/assets/colyseus-A.js", "/assets/engine-B.js", "/assets/chart-C.js"]);
    // Again (or after Vite linked one itself for an import that ran): nothing twice.
    expect(prefetchLazyChunks()).toEqual([]);
    expect(preloads()).toHaveLength(3);
  });

  it("skips a file already linked, and does nothing without the meta element (the dev server)", () => {
    expect(prefetchLazyChunks()).toEqual([]);
    const meta = document.createElement("meta");
    meta.name = LAZY_CHUNKS_META;
    meta.content = "/assets/engine-B.js /assets/chart-C.js";
    const linked = document.createElement("link");
    linked.rel = "modulepreload";
    linked.href = "/assets/engine-B.js";
    document.head.append(meta, linked);
    expect(prefetchLazyChunks()).toEqual(["/assets/chart-C.js"]);
  });
});

describe("once", () => {
  it("imports once for every caller, and again after a failure", async () => {
    let calls = 0;
    let fail = true;
    const load = once(async () => {
      calls++;
      if (fail) throw new Error("offline");
      return { loaded: calls };
    });
    await expect(load()).rejects.toThrow("offline");
    fail = false;
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toEqual({ loaded: 2 });
    expect(b).toBe(a);
    expect(await load()).toBe(a);
    expect(calls).toBe(2);
  });
});
