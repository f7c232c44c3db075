import { describe, expect, it } from "vitest";
import { normaliseInviteCode, validateName } from "./inputs.ts";

describe("validateName", () => {
  it("accepts what the server accepts", () => {
    expect(validateName("alice")).toBeNull();
    expect(validateName("  Zoë_2-b ")).toBeNull();
  });
  it("refuses the rest", () => {
    expect(validateName("a")).toMatch(/at least/);
    expect(validateName("x".repeat(21))).toMatch(/at most/);
    expect(validateName("_alice")).toMatch(/only/);
    expect(validateName("al<ice")).toMatch(/only/);
  });
});

describe("normaliseInviteCode", () => {
  it("upper-cases, strips and takes a code out of a pasted link", () => {
    expect(normaliseInviteCode(" ab c7k9 ")).toBe("ABC7K9");
    expect(normaliseInviteCode("http://localhost:2567/?invite=XY7K2P")).toBe("XY7K2P");
    expect(normaliseInviteCode("ABCDEFGHI")).toBe("ABCDEF");
  });
});
