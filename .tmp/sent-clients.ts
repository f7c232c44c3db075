import { Redis } from "ioredis";
import { startRedisSentinelGroup } from "/work/wt/sentinel/compose/processes.ts";
const detector = process.argv[2] === "1";
const g = await startRedisSentinelGroup({ dir: `/tmp/sent-cl-${process.pid}`, output: () => () => {} });
const sentinels = g.sentinels.map((s) => ({ host: "127.0.0.1", port: s.port }));
const clients = Array.from({ length: 12 }, (_, i) => {
  const r = new Redis({
    sentinels,
    name: "tabula",
    failoverDetector: detector,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableReadyCheck: i % 2 === 0,
  });
  r.on("error", () => {});
  return r;
});
await new Promise((r) => setTimeout(r, 1000));
const k = Date.now();
const back = new Map<number, number>();
clients.forEach((c, i) =>
  c.on("ready", () => {
    if (!back.has(i)) back.set(i, Date.now() - k);
  }),
);
g.servers[0].process.child.kill("SIGKILL");
while (back.size < clients.length && Date.now() - k < 25_000) await new Promise((r) => setTimeout(r, 100));
console.log(
  `detector=${detector} back ${back.size}/${clients.length}`,
  [...back.values()].sort((a, b) => a - b).join(","),
  "statuses",
  clients.map((c) => c.status).join(","),
);
for (const c of clients) c.disconnect();
await g.stop();
process.exit(0);
