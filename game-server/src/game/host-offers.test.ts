/** GameHost: draw and rematch offers are committed like moves, and survive the node. */
import { describe, expect, it } from "vitest";
import { draw, move, rematch, setup } from "../../test/support/host.ts";
import { newRecord } from "../../test/support/records.ts";
import { DbUnavailableError } from "../db/errors.ts";

describe("GameHost: offers are committed like moves", () => {
  it("offer, then accept: stored first, then shown; the accepted draw ends the game", async () => {
    const s = await setup();
    await draw(s, "p0", "offer");
    expect(s.storage.row.offers.drawOffer).toBe(0);
    expect(s.outbox.last("p1", "snapshot")?.drawOffer).toBe(0);
    await draw(s, "p1", "accept");
    expect(s.storage.row).toMatchObject({ status: "finished", result: { winner: null, reason: "agreement" } });
    expect(s.outbox.last("watcher", "snapshot")?.result).toEqual({ winner: null, reason: "agreement" });
    expect(s.outbox.gameOvers).toBe(1);
  });

  it("decline clears the offer; answering no offer is NO_OFFER; offering back is accepting", async () => {
    const s = await setup();
    await draw(s, "p1", "accept");
    expect(s.outbox.last("p1", "error")?.code).toBe("NO_OFFER");
    await draw(s, "p0", "offer");
    await draw(s, "p1", "decline");
    expect(s.storage.row.offers.drawOffer).toBeNull();
    expect(s.outbox.last("p0", "snapshot")?.drawOffer).toBeNull();
    await draw(s, "p1", "offer");
    await draw(s, "p0", "offer");
    expect(s.storage.row.result).toEqual({ winner: null, reason: "agreement" });
  });

  it("a move clears a pending draw offer in the same write", async () => {
    const s = await setup();
    await draw(s, "p1", "offer");
    const writes = s.storage.writes;
    await move(s, "p0", "3");
    expect(s.storage.writes).toBe(writes + 1);
    expect(s.storage.row.offers.drawOffer).toBeNull();
  });

  it("a pending draw offer survives the node: the new host has it and it can be accepted", async () => {
    const first = await setup();
    await draw(first, "p0", "offer");
    first.storage.row.leaseToken = 2n; // the node died; another took the game over (takeOwnership)
    const second = await setup(first.storage.row, { resume: true, fence: 2n, storage: first.storage });
    second.host.sendSnapshot("p1", 1);
    expect(second.outbox.last("p1", "snapshot")?.drawOffer).toBe(0);
    await draw(second, "p1", "accept");
    expect(second.storage.row.result).toEqual({ winner: null, reason: "agreement" });
  });

  it("a bot declines a draw at once: nothing stored, the sender sees no pending offer", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await draw(s, "p0", "offer");
    expect(s.storage.writes).toBe(0);
    expect(s.outbox.last("p0", "snapshot")?.drawOffer).toBeNull();
  });

  it("rematch: GAME_NOT_OVER during the game; offer, accept → the game is created with colours swapped and recorded", async () => {
    const s = await setup();
    await rematch(s, "p0", "offer");
    expect(s.outbox.last("p0", "error")?.code).toBe("GAME_NOT_OVER");
    await s.host.receive("p0", 0, { type: "resign" });
    await rematch(s, "p0", "offer");
    expect(s.storage.row.offers.rematchOffer).toBe(0);
    await rematch(s, "p1", "accept");
    expect(s.created).toMatchObject([{ playerIds: ["b", "a"], mode: "rematch", rematchOfId: "g1" }]);
    // One write: the finished game records the rematch, and the rematch's row goes in with it.
    expect(s.storage.games).toMatchObject([{ id: "g2", seat0Id: "b", seat1Id: "a", rematchOfId: "g1" }]);
    expect(s.storage.row.offers).toEqual({ drawOffer: null, rematchOffer: null, rematchGameId: "g2" });
    // Its room is built before anyone is told to join it.
    expect(s.hosted).toEqual(["g2"]);
    expect(s.outbox.last("p0", "snapshot")?.rematchGameId).toBe("g2");
  });

  it("a failed rematch write answers UNAVAILABLE, creates nothing and leaves the offer as it was", async () => {
    const s = await setup();
    await s.host.receive("p1", 1, { type: "resign" });
    await rematch(s, "p1", "offer");
    s.storage.failWith = new DbUnavailableError("connection refused");
    await rematch(s, "p0", "accept");
    expect(s.outbox.last("p0", "error")).toMatchObject({ code: "UNAVAILABLE", inReplyTo: "rematch" });
    expect(s.storage.row.offers).toEqual({ drawOffer: null, rematchOffer: 1, rematchGameId: null });
    expect(s.storage.games).toEqual([]);
    expect(s.hosted).toEqual([]);
  });

  it("a rematch whose room cannot be built here is announced all the same (it is in the log: the takeover sweep hosts it)", async () => {
    const s = await setup();
    await s.host.receive("p1", 1, { type: "resign" });
    await rematch(s, "p1", "offer");
    s.failHost();
    await rematch(s, "p0", "accept");
    expect(s.storage.games).toMatchObject([{ id: "g2" }]);
    expect(s.outbox.last("p1", "snapshot")?.rematchGameId).toBe("g2");
    expect(s.outbox.of("p0", "error")).toEqual([]);
    expect(s.errors(40).map((l) => l.msg)).toContain("rematch room not built here; the takeover sweep will host it");
  });

  it("a bot accepts a rematch at once", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await s.host.receive("p0", 0, { type: "abort" });
    await rematch(s, "p0", "offer");
    expect(s.created).toMatchObject([{ mode: "bot", playerIds: ["bot", "a"] }]);
    expect(s.storage.row.offers.rematchGameId).toBe("g2");
  });
});

describe("GameHost: the one who offered is told when the offer is declined", () => {
  it("a declined draw: offerDeclined to the offerer's seat only", async () => {
    const s = await setup();
    await draw(s, "p0", "offer");
    await draw(s, "p1", "decline");
    expect(s.outbox.of("p0", "offerDeclined")).toEqual([{ gameId: "g1", offer: "draw" }]);
    expect(s.outbox.of("p1", "offerDeclined")).toEqual([]);
    expect(s.outbox.of("watcher", "offerDeclined")).toEqual([]);
  });

  it("a decline that was refused (no offer) or not written tells nobody", async () => {
    const s = await setup();
    await draw(s, "p1", "decline");
    await draw(s, "p0", "offer");
    s.storage.failWith = new DbUnavailableError("connection refused");
    await draw(s, "p1", "decline");
    expect(s.outbox.last("p1", "error")?.code).toBe("UNAVAILABLE");
    expect(s.outbox.of("p0", "offerDeclined")).toEqual([]);
  });

  it("a bot declines a draw at once: the sender is told", async () => {
    const r = newRecord();
    r.players[1] = { id: "bot", name: "Bot", isBot: true };
    const s = await setup(r);
    await draw(s, "p0", "offer");
    expect(s.outbox.of("p0", "offerDeclined")).toEqual([{ gameId: "g1", offer: "draw" }]);
  });

  it("offering twice is not a refusal", async () => {
    const s = await setup();
    await draw(s, "p0", "offer");
    await draw(s, "p0", "offer");
    expect(s.outbox.of("p0", "offerDeclined")).toEqual([]);
  });

  it("a declined rematch: offerDeclined to the offerer", async () => {
    const s = await setup();
    await s.host.receive("p1", 1, { type: "resign" });
    await rematch(s, "p1", "offer");
    await rematch(s, "p0", "decline");
    expect(s.storage.row.offers.rematchOffer).toBeNull();
    expect(s.outbox.of("p1", "offerDeclined")).toEqual([{ gameId: "g1", offer: "rematch" }]);
    expect(s.outbox.of("p0", "offerDeclined")).toEqual([]);
  });
});
