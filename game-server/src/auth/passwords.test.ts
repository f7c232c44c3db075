import { describe, expect, it } from "vitest";
import { ARGON2_PARAMS, hashPassword, needsRehash, verifyPassword } from "./passwords.ts";

describe("password hashing", () => {
  it("stores an Argon2id hash with the written-down parameters, verifying the right password only", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(hash).not.toContain("correct horse");
    expect(await verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(hash, "correct horse batterY")).toBe(false);
    expect(needsRehash(hash)).toBe(false);
    expect(ARGON2_PARAMS.memoryCost).toBe(19_456);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("answers false, after a real verification, when there is no hash or it is malformed", async () => {
    expect(await verifyPassword(null, "anything")).toBe(false);
    expect(await verifyPassword("$argon2id$garbage", "anything")).toBe(false);
  });

  it("asks for a rehash of a hash made with weaker parameters", async () => {
    const argon2 = (await import("argon2")).default;
    const old = await argon2.hash("pw", { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    expect(needsRehash(old)).toBe(true);
    expect(await verifyPassword(old, "pw")).toBe(true);
  });
});
