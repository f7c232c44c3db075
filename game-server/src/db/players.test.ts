import { describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { createPlayerLookup, type PlayerRow } from "./players.ts";

/** A database holding `rows`, counting the lookups that reach it. */
function fakeDb(rows: Map<string, PlayerRow>) {
  const calls: string[] = [];
  const db = {
    player: {
      findUnique: async ({ where }: { where: { id: string } }) => {
        calls.push(where.id);
        return rows.get(where.id) ?? null;
      },
    },
  } as unknown as Db;
  return { db, calls };
}

describe("player lookup", () => {
  it("remembers found players for a while, never unknown ids, and forgets the oldest past its size", async () => {
    const ann = { id: "a", name: "Ann", isBot: false };
    const rows = new Map([["a", ann]]);
    const { db, calls } = fakeDb(rows);
    let t = 0;
    const lookup = createPlayerLookup(db, 1000, 2, () => t);
    expect(await lookup("a")).toEqual(ann);
    expect(await lookup("a")).toEqual(ann);
    expect(calls).toEqual(["a"]);
    expect(await lookup("nobody")).toBeNull();
    rows.set("nobody", { id: "nobody", name: "Late", isBot: false });
    expect(await lookup("nobody")).toEqual({ id: "nobody", name: "Late", isBot: false }); // not remembered as missing
    t = 1000; // the memory ran out: asked again (the database may have been reset)
    rows.delete("a");
    expect(await lookup("a")).toBeNull();
    rows.set("b", { id: "b", name: "Bo", isBot: false });
    rows.set("c", { id: "c", name: "Cy", isBot: false });
    await lookup("b");
    await lookup("c"); // holds nobody, b, c → nobody (oldest) forgotten
    calls.length = 0;
    await lookup("nobody");
    await lookup("c");
    expect(calls).toEqual(["nobody"]);
  });
});
