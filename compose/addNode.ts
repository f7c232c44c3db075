/**
 * `npm run cluster:add-node`: asks the running cluster runner (found through
 * .data/cluster/state.json) for one more node by sending it SIGUSR2, and waits
 * (up to 2 minutes) until the node appears in the state file.
 */
import { alive, cmdline, fail, readState, say } from "./clusterState.ts";

export async function addNodeCommand() {
  const state = readState();
  if (!state || !alive(state.pid) || !cmdline(state.pid).includes("cluster.ts")) {
    fail("no running cluster found (.data/cluster/state.json). Start one with `npm run cluster`.");
    return;
  }
  if (state.status !== "running") fail(`the cluster is ${state.status}; try again when it is running.`);
  const before = new Set(state.nodes.map((n) => n.id));
  const sentAt = Date.now();
  say(`asking the cluster runner (pid ${state.pid}) for one more node…`);
  process.kill(state.pid, "SIGUSR2");
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = readState();
    if (!s || !alive(state.pid)) fail("the cluster runner stopped meanwhile.");
    const added = s!.nodes.find((n) => !before.has(n.id));
    if (added) {
      say(`added node ${added.id} on 127.0.0.1:${added.port} (pid ${added.pid}); nginx reloaded.`);
      say(`  WebSockets: ${s!.url.replace(/^http/, "ws")}node/${added.id}/…   health: ${s!.url}node/${added.id}/healthz`);
      say(`  nodes now: ${s!.nodes.map((n) => `${n.id}:${n.port}`).join(", ")}`);
      return;
    }
    const err = s!.addNode.lastError;
    if (err && err.at >= sentAt - 1_000) fail(`adding a node failed: ${err.message}`);
    if (Date.now() > deadline) fail("no new node after 120 s; see the cluster's output.");
  }
}
