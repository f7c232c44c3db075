import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { failureMessage } from "./cliSupport.ts";

describe("failureMessage", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:54329"), { code: "ECONNREFUSED" });

  it("says the embedded PostgreSQL runs only while Tabula does, and on which port it was looked for", () => {
    const msg = failureMessage(refused, loadConfig({ EMBEDDED_PG_PORT: "55441" }));
    expect(msg).toMatch(/embedded PostgreSQL does not answer on port 55441/);
    expect(msg).toMatch(/npm start/);
  });

  it("points at DATABASE_URL when that is what was asked", () => {
    const msg = failureMessage(refused, loadConfig({ DATABASE_URL: "postgresql://u:p@db:5432/tabula" }));
    expect(msg).toMatch(/^PostgreSQL does not answer at DATABASE_URL \(connect ECONNREFUSED/);
  });

  it("leaves any other failure as it is", () => {
    expect(failureMessage(new Error("no space left on device"), loadConfig({}))).toBe("no space left on device");
    expect(failureMessage(refused, undefined)).toBe("connect ECONNREFUSED 127.0.0.1:54329");
  });
});
