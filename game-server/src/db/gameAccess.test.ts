import { describe, expect, it } from "vitest";
import { ACCESS_REMEMBER, createGameAccessStatements } from "./gameAccess.ts";

/** A pool whose one game row is `g1`; counts the queries it answers. */
function fakeSql() {
  const asked: string[] = [];
  const sql = {
    query: async (q: { values: unknown[] }) => {
      const id = q.values[0] as string;
      asked.push(id);
      return {
        rows: id.startsWith("g") ? [{ seat0Id: "a", seat1Id: "b", passwordHash: id === "g1" ? "$argon2id$x" : null }] : [],
      };
    },
  };
  return { sql: sql as never, asked };
}

describe("game access", () => {
  it("reads a game's seats and password once per node, and an unknown game every time", async () => {
    const { sql, asked } = fakeSql();
    const access = createGameAccessStatements(sql);
    expect(await access.accessOf("g1")).toEqual({ seatIds: ["a", "b"], passwordHash: "$argon2id$x" });
    expect(await access.accessOf("g1")).toEqual({ seatIds: ["a", "b"], passwordHash: "$argon2id$x" });
    expect(await access.accessOf("g2")).toEqual({ seatIds: ["a", "b"], passwordHash: null });
    expect(await access.accessOf("nope")).toBeNull();
    expect(await access.accessOf("nope")).toBeNull();
    expect(asked).toEqual(["g1", "g2", "nope", "nope"]);
  });

  it("forgets the oldest game past ACCESS_REMEMBER", async () => {
    const { sql, asked } = fakeSql();
    const access = createGameAccessStatements(sql);
    for (let i = 0; i <= ACCESS_REMEMBER; i++) await access.accessOf(`g${i}`);
    asked.length = 0;
    await access.accessOf("g0");
    await access.accessOf(`g${ACCESS_REMEMBER}`);
    expect(asked).toEqual(["g0"]);
  });
});
