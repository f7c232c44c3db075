import { afterAll, beforeAll, it } from "vitest";
import { query } from "../support/db.ts";
import { newPlayer, quickPlay, Seat } from "../support/clients.ts";
import { startTestNode, type TestNode } from "../support/node.ts";

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode({ RECONNECT_WINDOW_S: "3" });
});
afterAll(async () => {
  await node?.stop();
});
const row = (g: string) =>
  query(
    node.databaseUrl,
    `SELECT ply, status, "resultReason", "leaseToken", "clock0Ms", "clock1Ms", "turnStartedAt", "deadlineAt" FROM "Game" WHERE id=$1`,
    [g],
  );
it("scratch", async () => {
  const a = await newPlayer(node.url);
  const b = await newPlayer(node.url);
  const [g] = await Promise.all([quickPlay(a, "chess", "10+0"), quickPlay(b, "chess", "10+0")]);
  const [sa, sb] = await Promise.all([Seat.join(a, g), Seat.join(b, g)]);
  const [s0, s1] = sa.seat === 0 ? [sa, sb] : [sb, sa];
  s0.room.onLeave((c) => console.log("s0 left", c));
  s1.room.onLeave((c) => console.log("s1 left", c));
  await s0.play("e2e4");
  await s1.play("e7e5");
  console.log("before", await row(g));
  const res = await fetch(`${node.url}/matchmake/create/game`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ gameId: g, resume: true }),
  });
  console.log("create", res.status, await res.text());
  console.log("after create", await row(g));
  try {
    await s0.play("g1f3");
    console.log("moved ok");
  } catch (err) {
    console.log("move failed", (err as Error).message);
  }
  console.log("after move", await row(g), s0.errors);
  await new Promise((r) => setTimeout(r, 5000));
  console.log("after 5s", await row(g));
});
