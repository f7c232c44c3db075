import { describe, expect, it } from "vitest";
import { trustGameRecord, trustPlayerGames } from "./history.ts";
import type { ReadDb } from "./reads.ts";

/** A primary that answers the newest-game lookup with `newest` (and counts the lookups). */
function primaryWithNewest(newest: string | null) {
  const calls = { n: 0 };
  const db = {
    game: {
      findFirst: async () => {
        calls.n++;
        return newest === null ? null : { id: newest };
      },
    },
  } as unknown as ReadDb;
  return { db, calls };
}
const row = (id: string, status: string) => ({ id, status }) as never;
const record = (status: string) => ({ game: { status } }) as never;

describe("read-your-writes on the replica", () => {
  it("a game's record is taken from the replica only when it is there and over", () => {
    const primary = primaryWithNewest(null).db;
    expect(trustGameRecord!(record("finished"), primary)).toBe(true);
    expect(trustGameRecord!(record("aborted"), primary)).toBe(true);
    expect(trustGameRecord!(record("active"), primary)).toBe(false);
    expect(trustGameRecord!(null, primary)).toBe(false);
  });

  it("a player's list is taken from the replica when none is active and its newest game is the primary's newest", async () => {
    const same = primaryWithNewest("g2");
    expect(await trustPlayerGames("p")!([row("g2", "finished"), row("g1", "aborted")], same.db)).toBe(true);
    // A game made (and maybe finished) after the replica's horizon is the primary's newest and missing here.
    expect(await trustPlayerGames("p")!([row("g2", "finished")], primaryWithNewest("g3").db)).toBe(false);
    expect(await trustPlayerGames("p")!([], primaryWithNewest("g1").db)).toBe(false);
    expect(await trustPlayerGames("p")!([], primaryWithNewest(null).db)).toBe(true);
    // An active game may have ended since: no need to ask the primary.
    const asked = primaryWithNewest("g2");
    expect(await trustPlayerGames("p")!([row("g2", "active")], asked.db)).toBe(false);
    expect(asked.calls.n).toBe(0);
  });
});
