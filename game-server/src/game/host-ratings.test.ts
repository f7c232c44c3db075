/**
 * GameHost and rated games: a rated game's ending — its final move or a
 * result — is written with the ratings in one write (HostStorage.endRated),
 * and everyone is sent the changes; its other moves, an abort, and any casual
 * game's ending take the usual writes.
 */
import { describe, expect, it } from "vitest";
import { move, setup } from "../../test/support/host.ts";
import { newRecord } from "../../test/support/records.ts";
import type { GameRecord } from "./record.ts";

const rated = (): GameRecord =>
  newRecord("connect4", {
    ratings: {
      pool: "connect4",
      seats: [
        { rating: 1500, rd: 350, change: null },
        { rating: 1600, rd: 80, change: null },
      ],
    },
  });

const WIN: Array<["p0" | "p1", string]> = [
  ["p0", "3"],
  ["p1", "4"],
  ["p0", "3"],
  ["p1", "4"],
  ["p0", "3"],
  ["p1", "4"],
];

describe("GameHost: rated games", () => {
  it("the final move ends the game and rates it in one write; everyone gets the changes", async () => {
    const s = await setup(rated());
    for (const [who, m] of WIN) await move(s, who, m);
    expect(s.storage.ratedEndings).toEqual([]); // moves that end nothing take group commit
    s.host.sendSnapshot("watcher", null);
    expect(s.outbox.last("watcher", "snapshot")?.ratings?.seats[1]).toEqual({ rating: 1600, provisional: false, change: null });
    await move(s, "p0", "3");
    expect(s.storage.ratedEndings).toHaveLength(1);
    expect(s.storage.ratedEndings[0]).toMatchObject({ ply: 6, move: { move: "3" }, pool: "connect4", playerIds: ["a", "b"] });
    for (const who of ["p0", "p1", "watcher"] as const) {
      const seats = s.outbox.last(who, "snapshot")?.ratings?.seats;
      expect(seats?.[0].change?.delta).toBeGreaterThan(0);
      expect(seats?.[1].change?.delta).toBeLessThan(0);
    }
  });

  it("a resignation rates; an abort does not", async () => {
    const s = await setup(rated());
    await move(s, "p0", "3");
    await s.host.receive("p1", 1, { type: "resign" });
    expect(s.storage.ratedEndings.map((w) => w.ending.result)).toEqual([{ winner: 0, reason: "resign" }]);
    const t = await setup(rated());
    await t.host.receive("p0", 0, { type: "abort" });
    expect(t.storage.row.status).toBe("aborted");
    expect(t.storage.ratedEndings).toEqual([]);
    expect(t.outbox.last("p1", "snapshot")?.ratings?.seats[0].change).toBeNull();
  });

  it("a casual game's ending is never rated", async () => {
    const s = await setup();
    for (const [who, m] of WIN) await move(s, who, m);
    await move(s, "p0", "3");
    expect(s.storage.row.status).toBe("finished");
    expect(s.storage.ratedEndings).toEqual([]);
    expect(s.outbox.last("p0", "snapshot")).toMatchObject({ rated: false, ratings: null });
  });
});
