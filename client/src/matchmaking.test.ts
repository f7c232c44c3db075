import type { TicketResponse } from "@tabula/shared/protocol";
import { describe, expect, it } from "vitest";
import { ApiError } from "./api.ts";
import { waitForTicket } from "./matchmaking.ts";

const base: TicketResponse = { ticket: "t-123456789", status: "waiting", game: "connect4", timeControl: "1+5" };

function poller(answers: (TicketResponse | Error)[]) {
  const calls: number[] = [];
  return {
    calls,
    async pollTicket(_t: string, wait: number) {
      calls.push(wait);
      const a = answers.shift();
      if (!a) throw new Error("no more answers");
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const noSleep = async () => {};

describe("waitForTicket", () => {
  it("long-polls until matched", async () => {
    const p = poller([{ ...base }, { ...base, status: "matched", gameId: "g1" }]);
    const t = await waitForTicket(p, base, { sleep: noSleep });
    expect(t.gameId).toBe("g1");
    expect(p.calls).toEqual([20, 20]);
  });
  it("returns at once when already matched", async () => {
    const p = poller([]);
    expect((await waitForTicket(p, { ...base, status: "matched", gameId: "g" })).gameId).toBe("g");
  });
  it("retries network trouble but not refusals", async () => {
    const p = poller([
      new ApiError(0, "NETWORK", "down"),
      new ApiError(503, "UNAVAILABLE", "db"),
      { ...base, status: "expired" },
    ]);
    expect((await waitForTicket(p, base, { sleep: noSleep })).status).toBe("expired");
    const q = poller([new ApiError(404, "NO_TICKET", "gone")]);
    await expect(waitForTicket(q, base, { sleep: noSleep })).rejects.toThrow("gone");
  });
  it("stops when aborted", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(waitForTicket(poller([]), base, { signal: abort.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});
