/**
 * A name a person chose that is taken is refused with a free alternative
 * (POST /api/guest with `ifTaken: "suggest"`, and registering an account),
 * never silently changed; scripts that do not ask keep the old suffix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, newPlayer } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

let node: TestNode;

beforeAll(async () => {
  node = await startTestNode();
});
afterAll(async () => {
  await node?.stop();
});

type Refusal = { error: { code: string; message: string; suggestion?: string } };
type Guest = { token: string; player: { id: string; name: string } };

const guest = (body: Record<string, unknown>) => http<Guest & Refusal>(node.url, "POST", "/api/guest", undefined, body);

describe("a taken name", () => {
  it("is refused with a free suggestion, which can then be taken", async () => {
    const first = await guest({ name: "Marie", ifTaken: "suggest" });
    expect(first.status).toBe(200);
    expect(first.body.player.name).toBe("Marie");

    // Another case and a look-alike are the same name.
    for (const name of ["marie", "MARIÉ"]) {
      const taken = await guest({ name, ifTaken: "suggest" });
      expect(taken.status, name).toBe(409);
      expect(taken.body.error.code).toBe("NAME_TAKEN");
      expect(taken.body.error.suggestion).toBe(`${name}-2`);
      expect(taken.body).not.toHaveProperty("token");
    }

    const took = await guest({ name: "marie-2", ifTaken: "suggest" });
    expect(took.status).toBe(200);
    expect(took.body.player.name).toBe("marie-2");
    // The next one is offered the next free form.
    const again = await guest({ name: "Marie", ifTaken: "suggest" });
    expect(again.body.error.suggestion).toBe("Marie-3");
  });

  it("still gets a suffix when the caller does not ask for a suggestion (scripts, bots)", async () => {
    await newPlayer(node.url, "Scripted");
    const second = await newPlayer(node.url, "Scripted");
    expect(second.name).toBe("Scripted-2");
    const explicit = await guest({ name: "Scripted", ifTaken: "suffix" });
    expect(explicit.body.player.name).toBe("Scripted-3");
  });

  it("refuses an account under a taken name with a suggestion too", async () => {
    await newPlayer(node.url, "Owned");
    const r = await http<Refusal>(node.url, "POST", "/api/accounts", undefined, { name: "Owned", password: "long enough pw" });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: "NAME_TAKEN", suggestion: "Owned-2" });
  });

  it("refuses an unknown ifTaken", async () => {
    const r = await guest({ name: "Odd", ifTaken: "rename" });
    expect(r.status).toBe(400);
  });
});
