import { describe, expect, it } from "vitest";
import { DisplayName } from "./index.ts";
import { nameSkeleton, singleScript } from "./names.ts";

describe("names that cannot pass for another's", () => {
  it("one script per name: a Cyrillic or Greek letter inside a Latin name is refused", () => {
    expect(singleScript("Alice")).toBe(true);
    expect(singleScript("\u0410lice")).toBe(false); // Cyrillic А + "lice"
    expect(singleScript("B\u03bfb")).toBe(false); // Greek ο
    expect(singleScript("Алиса")).toBe(true);
    expect(singleScript("Ζήνων")).toBe(true);
    expect(singleScript("山田たろう")).toBe(true); // Han + Hiragana (Japanese)
    expect(singleScript("김철수")).toBe(true);
    expect(singleScript("Bob 42_x-y")).toBe(true);
    expect(DisplayName.safeParse("\u0410lice").success).toBe(false);
    expect(DisplayName.safeParse("Alice").success).toBe(true);
  });
  it("DisplayName folds compatibility forms and still admits no control, bidi or zero-width character", () => {
    expect(DisplayName.parse("Ａｌｉｃｅ")).toBe("Alice"); // fullwidth
    for (const bad of ["Al\u202eice", "Al\u200bice", "Al\u0007ice", "Al\nice", "Al\u2066ice"]) {
      expect(DisplayName.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
  it("look-alikes share a skeleton (the uniqueness key); different names do not", () => {
    const alice = nameSkeleton("Alice");
    expect(alice).toBe("alice"); // plain ASCII keeps its old key
    for (const lookAlike of ["ALICE", "Ålice", "Alicé", "Ａlice", "  alice  "]) expect(nameSkeleton(lookAlike)).toBe(alice);
    expect(nameSkeleton("ВОВ")).toBe(nameSkeleton("BOB")); // all-Cyrillic look-alike of Latin
    expect(nameSkeleton("Κλεο")).not.toBe(nameSkeleton("Kleo")); // λ, ε look like no Latin letter
    expect(nameSkeleton("Ραυλ")).not.toBe("paul");
    expect(nameSkeleton("Bold  Rook")).toBe("bold rook");
    expect(nameSkeleton("Алиса")).not.toBe(alice);
  });
});
