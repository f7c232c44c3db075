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
  it("says whether the identity is a registered account (a guest's token has no claim)", async () => {
    const t = createTokenService(secret, 1);
    expect(await t.verify(await t.sign({ playerId: "p1", name: "Ann", account: true }))).toEqual({
      playerId: "p1",
      name: "Ann",
      account: true,
    });
    expect(await t.verify(await t.sign({ playerId: "p1", name: "Ann", account: false }))).toEqual({
      playerId: "p1",
      name: "Ann",
    });
  });
  it("signs an account's access token for ttlS seconds, a guest's for ttlDays", async () => {
    let t = 1_800_000_000_000;
    const tokens = createTokenService(secret, 30, () => t);
    const access = await tokens.sign({ playerId: "p1", name: "Ann", account: true }, 900);
    const guest = await tokens.sign({ playerId: "p2", name: "Bob" });
    t += 899_000;
    expect(await tokens.verify(access)).toEqual({ playerId: "p1", name: "Ann", account: true });
    t += 2_000;
    await expect(tokens.verify(access)).rejects.toThrow(/expired/);
    t += 29 * 86_400_000;
    expect(await tokens.verify(guest)).toEqual({ playerId: "p2", name: "Bob" });
    t += 86_400_000;
    await expect(tokens.verify(guest)).rejects.toThrow(/expired/);
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
  it("remembers a verified token by its text, each token its own identity, never past its expiry", async () => {
    let t = Date.now();
    const tokens = createTokenService(secret, 1, () => t);
    const ann = await tokens.sign({ playerId: "p1", name: "Ann" });
    const bob = await tokens.sign({ playerId: "p2", name: "Bob" });
    for (let i = 0; i < 2; i++) {
      expect(await tokens.verify(ann)).toEqual({ playerId: "p1", name: "Ann" });
      expect(await tokens.verify(bob)).toEqual({ playerId: "p2", name: "Bob" });
    }
    // An altered token is other text: verified, and refused.
    await expect(tokens.verify(`${ann.slice(0, -2)}xx`)).rejects.toThrow(/invalid/);
    t += 6 * 60_000; // past the memory, not past the token's day: verified again
    expect(await tokens.verify(ann)).toEqual({ playerId: "p1", name: "Ann" });
    t += 2 * 24 * 3_600_000; // past the token's expiry
    await expect(tokens.verify(ann)).rejects.toThrow(/expired/);
    // A token remembered moments before it expires is refused once it has.
    const short = await new SignJWT({ name: "Cy" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("p3")
      .setIssuer("tabula")
      .setExpirationTime(Math.floor(t / 1000) + 60)
      .sign(new TextEncoder().encode(secret));
    expect(await tokens.verify(short)).toEqual({ playerId: "p3", name: "Cy" });
    t += 61_000;
    await expect(tokens.verify(short)).rejects.toThrow(/expired/);
  });
  it("reads Bearer headers", () => {
    expect(bearerToken("Bearer abc.def")).toBe("abc.def");
    expect(bearerToken("bearer x")).toBe("x");
    expect(bearerToken("Basic x")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
