import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient } from "./sdkClient.ts";

type Internals = {
  buildEndpoint(r: object, o: object): string;
  http: { post(path: string, o: object): Promise<unknown> };
};

describe("createClient", () => {
  it("sends the identity token in the seat reservation's Authorization header and never in the room socket's URL", async () => {
    const seen: Array<{ url: string; auth: string | null }> = [];
    const client = (await createClient("TOKEN-abc.def.ghi").sdk()) as unknown as Internals;
    // The SDK's HTTP client: record the matchmaking request instead of sending it.
    (client.http as unknown as { _fetchFn: typeof fetch })._fetchFn = async (input, init) => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get("authorization") });
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    };
    await client.http.post("/matchmake/joinById/g1", { body: {} });
    expect(seen).toEqual([{ url: expect.stringContaining("/matchmake/joinById/g1"), auth: "Bearer TOKEN-abc.def.ghi" }]);
    const socketUrl = client.buildEndpoint({ processId: "p", roomId: "g1", sessionId: "ticket" }, { sessionId: "ticket" });
    expect(socketUrl).toContain("sessionId=ticket");
    expect(socketUrl).not.toContain("TOKEN");
    expect(socketUrl).not.toContain("_authToken");
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("asks for the token at each seat reservation when given a provider (an account's access token is renewed)", async () => {
    const seen: Array<string | null> = [];
    vi.stubGlobal("fetch", async (_input: unknown, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get("authorization"));
      return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
    });
    let n = 0;
    const client = (await createClient(async () => `access-${++n}`).sdk()) as unknown as Internals;
    await client.http.post("/matchmake/joinById/g1", { body: {} });
    await client.http.post("/matchmake/joinById/g1", { body: {} });
    expect(seen).toEqual(["Bearer access-1", "Bearer access-2"]);
  });
});
