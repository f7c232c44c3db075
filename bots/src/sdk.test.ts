import { describe, expect, it } from "vitest";
import { sdkClient, tokenOf } from "./sdk.ts";

describe("sdkClient", () => {
  it("keeps the identity token out of the room socket's URL and remembers it for the HTTP API", () => {
    const client = sdkClient("http://127.0.0.1:2567", "TOKEN-1");
    expect(tokenOf(client)).toBe("TOKEN-1");
    const internals = client as unknown as { buildEndpoint(r: object, o: object): string; http: { authToken?: string } };
    expect(internals.http.authToken).toBeUndefined(); // the SDK would append it to the socket URL
    const url = internals.buildEndpoint({ processId: "p", roomId: "g", sessionId: "t" }, { sessionId: "t" });
    expect(url).toBe("ws://127.0.0.1:2567/p/g?sessionId=t");
  });
});
