import { describe, expect, it } from "vitest";
import { createOriginPolicy } from "./origin.ts";

describe("origin policy", () => {
  const prod = createOriginPolicy({ allowed: ["https://play.example.com", "http://play.example.com"], allowLocal: false });
  const dev = createOriginPolicy({ allowed: [], allowLocal: true });

  it("lets in requests without Origin (not a browser page), listed origins and a page's own origin", () => {
    expect(prod.allows(undefined, "play.example.com")).toBe(true);
    expect(prod.allows("https://play.example.com", "node1.internal:2567")).toBe(true);
    expect(prod.allows("HTTPS://PLAY.EXAMPLE.COM", undefined)).toBe(true);
    expect(prod.allows("http://10.0.0.5:2567", "10.0.0.5:2567")).toBe(true);
  });

  it("refuses other sites, look-alikes, other ports and schemes, and the opaque origin", () => {
    expect(prod.allows("https://evil.example", "play.example.com")).toBe(false);
    expect(prod.allows("https://play.example.com.evil.example", "play.example.com")).toBe(false);
    expect(prod.allows("https://play.example.com:8443", "play.example.com")).toBe(false);
    expect(prod.allows("null", "play.example.com")).toBe(false);
    expect(prod.allows("file://", "play.example.com")).toBe(false);
    expect(prod.allows("not a url", "play.example.com")).toBe(false);
    expect(prod.allows("http://localhost:5173", "play.example.com")).toBe(false); // production: no localhost
  });

  it("outside production, lets in pages on this machine (a dev server on another port)", () => {
    expect(dev.allows("http://localhost:5173", "127.0.0.1:2567")).toBe(true);
    expect(dev.allows("http://127.0.0.1:8080", "127.0.0.1:2567")).toBe(true);
    expect(dev.allows("http://[::1]:5173", "127.0.0.1:2567")).toBe(true);
    expect(dev.allows("http://localhost.evil.example", "127.0.0.1:2567")).toBe(false);
  });
});
