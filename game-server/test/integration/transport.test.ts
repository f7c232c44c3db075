/**
 * TRANSPORT=uws where uWebSockets.js cannot load (not installed, or its binary
 * needs a newer glibc) falls back to ws with one clear log line, and the node
 * serves games as usual.
 */
import { afterAll, describe, expect, it } from "vitest";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { createTestDatabase } from "../support/db.ts";
import { type NodeProcess, spawnNode } from "../support/process.ts";

let node: NodeProcess | undefined;
afterAll(() => {
  node?.child.kill("SIGKILL");
});

describe("transport selection", () => {
  it("asks for uws, runs on whichever transport loads, and says which", async () => {
    node = await spawnNode({ DATABASE_URL: await createTestDatabase(), TRANSPORT: "uws" });
    const listening = node
      .output()
      .split("\n")
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return null;
        }
      })
      .find((l) => l?.msg === "Tabula node listening");
    expect(["ws", "uws"]).toContain(listening?.transport);
    if (listening?.transport === "ws")
      expect(node.output()).toMatch(/TRANSPORT=uws requested but uWebSockets.js cannot load here; falling back to ws/);
    const a = await newPlayer(node.url);
    const b = await newPlayer(node.url);
    const [g] = await Promise.all([quickPlay(a, "connect4"), quickPlay(b, "connect4")]);
    const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
    const first = sa.seat === 0 ? sa : sb;
    await first.play("3");
    expect(first.snapshot?.ply).toBe(1);
  });
});
