// Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time by function
// and by package, as a table. Usage:
//   node game-server/scripts/cpuprofile.mjs FILE.cpuprofile [--top N] [--window FROM,TO | --busiest S]
// --window FROM,TO keeps the samples taken FROM to TO seconds after the
// profile started (the load, without start-up and shutdown); --busiest S the
// S busiest seconds. Shared helpers for flamegraph.mjs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Read a profile: its nodes by id, and each sample as [node id, ms attributed, time since start ms]. */
export function loadProfile(file) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = [];
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) {
    // A sample's time is the gap to the next sample (V8's convention: timeDeltas[i] precedes sample i).
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    t += (p.timeDeltas[i] ?? 0) / 1000;
    samples.push([p.samples[i], dt, t]);
  }
  return { byId, parent, samples };
}

/** Keep only the `seconds` busiest whole seconds (fewest idle samples), to leave start-up and shutdown out. */
export function busiest(samples, byId, seconds) {
  const busy = new Map();
  for (const [id, dt, t] of samples) {
    const s = Math.floor(t / 1000);
    if (byId.get(id).callFrame.functionName !== "(idle)") busy.set(s, (busy.get(s) ?? 0) + dt);
  }
  const keep = new Set(
    [...busy.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, seconds)
      .map(([s]) => s),
  );
  return samples.filter(([, , t]) => keep.has(Math.floor(t / 1000)));
}

/** Keep only the samples taken between `from` and `to` seconds after the profile started. */
export function windowed(samples, from, to) {
  return samples.filter(([, , t]) => t >= from * 1000 && t < to * 1000);
}

/** The samples selected by the command line: `--window FROM,TO` (seconds) or `--busiest S`, else all. */
export function selectSamples(args, samples, byId) {
  const at = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const window = at("--window");
  if (window) {
    const [from, to] = window.split(",").map(Number);
    return windowed(samples, from, to);
  }
  return at("--busiest") ? busiest(samples, byId, Number(at("--busiest"))) : samples;
}

/** Where a frame's code lives: a package name, "node:…", "tabula:<path>", or a V8 pseudo-frame. */
export function packageOf(frame) {
  const url = frame.url ?? "";
  if (!url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  if (url.startsWith("node:")) return "node:internal";
  const i = url.lastIndexOf("/node_modules/");
  if (i >= 0) {
    const rest = url.slice(i + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(game-server\/(?:shared\/)?src\/[^/]+)/.exec(url);
  return m ? `tabula:${m[1].replace(/^game-server\//, "")}` : url.replace(/^file:\/\//, "");
}

/** "name file:line" of a frame, short. */
export function frameName(frame) {
  const file = (frame.url ?? "").replace(/^.*\/node_modules\//, "").replace(/^file:\/\/.*\/game-server\//, "");
  return `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}` : ""}`;
}

function table(title, totals, total, top) {
  const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n${title}`);
  for (const [k, ms] of rows)
    console.log(`${((100 * ms) / total).toFixed(1).padStart(6)} %  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
  const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
  if (!file) {
    console.error("usage: node game-server/scripts/cpuprofile.mjs FILE.cpuprofile [--top N] [--window FROM,TO | --busiest S]");
    process.exit(2);
  }
  const { byId, samples: all } = loadProfile(file);
  const samples = selectSamples(args, all, byId);
  const byFn = new Map();
  const byPkg = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, dt] of samples) {
    const f = byId.get(id).callFrame;
    total += dt;
    if (f.functionName === "(idle)") idle += dt;
    const k = frameName(f);
    byFn.set(k, (byFn.get(k) ?? 0) + dt);
    const pkg = packageOf(f);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + dt);
  }
  console.log(`${file}: ${(total / 1000).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(1)} % idle`);
  table("self time by package", byPkg, total, opt("--top", 25));
  table("self time by function", byFn, total, opt("--top", 25) * 2);
}
