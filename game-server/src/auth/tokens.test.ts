import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { bearerToken, createTokenService } from "./tokens.ts";

const secret = "test-secret-test-secret-test-secret";

describe("identity tokens", () => {
  it("round-trips an identity", async () => {
    const t = createTokenService(secret, 1);
    const token = await t.sign({ playerId: "p1", name: "Ann" });
    expect(await t.verify(token)).toEqual({ playerId: "p1", name: "Ann" });
  });
  it("rejects missing, forged, foreign and expired tokens with a reason", async () => {
    const t = createTokenService(secret, 1);
    await expect(t.verify(undefined)).rejects.toThrow(/missing/);
    await expect(t.verify("abc")).rejects.toThrow(/invalid/);
    const other = await createTokenService("another-secret-another-secret-xx", 1).sign({ playerId: "p1", name: "Ann" });
    await expect(t.verify(other)).rejects.toThrow(/invalid/);
    const expired = await new SignJWT({ name: "Ann" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("p1")
      .setIssuer("tabula")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    await expect(t.verify(expired)).rejects.toThrow(/expired/);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"p1","name":"A","iss":"tabula"}').toString("base64url")}.`;
    await expect(t.verify(none)).rejects.toThrow(/invalid/);
  });
  it("refuses an oversized token before verifying it, and a signed token without a subject or a name", async () => {
    const t = createTokenService(secret, 1);
    await expect(t.verify("a".repeat(2049))).rejects.toThrow("identity token too long");
    const key = new TextEncoder().encode(secret);
    const sign = (claims: Record<string, unknown>, subject?: string) => {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuer("tabula").setExpirationTime("1h");
      return (subject ? jwt.setSubject(subject) : jwt).sign(key);
    };
    await expect(t.verify(await sign({ name: "Ann" }))).rejects.toThrow("identity token lacks subject or name");
    await expect(t.verify(await sign({}, "p1"))).rejects.toThrow("identity token lacks subject or name");
    await expect(t.verify(await sign({ name: 7 }, "p1"))).rejects.toThrow("identity token lacks subject or name");
    expect(await t.verify(await sign({ name: "Ann" }, "p1"))).toEqual({ playerId: "p1", name: "Ann" });
  });
  it("reads Bearer headers", () => {
    expect(bearerToken("Bearer abc.def")).toBe("abc.def");
    expect(bearerToken("bearer x")).toBe("x");
    expect(bearerToken("Basic x")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
