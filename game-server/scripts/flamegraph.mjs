// Flame graph (SVG) of a V8 .cpuprofile from `node --cpu-prof`: the call
// stacks of every sample folded into one tree, the root at the bottom, each
// box as wide as the time spent in it and its callees. Hover a box for its
// function, file and share. Idle time is left out (it is not CPU).
// Usage:
//   node game-server/scripts/flamegraph.mjs FILE.cpuprofile OUT.svg [--window FROM,TO | --busiest S] [--title TEXT]
// --window FROM,TO keeps the samples FROM to TO seconds after the profile
// started (the load, without start-up and shutdown); --busiest S the S busiest seconds.
import { writeFileSync } from "node:fs";
import { frameName, loadProfile, packageOf, selectSamples } from "./cpuprofile.mjs";

const WIDTH = 1200;
const ROW = 16;
const MIN_SHARE = 0.001; // boxes narrower than 0.1 % of the total are left out (with their callees)

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [file, out] = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!file || !out) {
  console.error(
    "usage: node game-server/scripts/flamegraph.mjs FILE.cpuprofile OUT.svg [--window FROM,TO | --busiest S] [--title TEXT]",
  );
  process.exit(2);
}

const { byId, parent, samples: all } = loadProfile(file);
const samples = selectSamples(args, all, byId);

/** The folded tree: children by frame name, time in ms (self and total). */
const root = { name: "all", pkg: "", total: 0, self: 0, children: new Map() };
for (const [id, dt] of samples) {
  const leaf = byId.get(id).callFrame;
  if (leaf.functionName === "(idle)") continue;
  const stack = [];
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const f = byId.get(p).callFrame;
    if (f.functionName !== "(root)") stack.push(f);
  }
  let node = root;
  node.total += dt;
  for (let i = stack.length - 1; i >= 0; i--) {
    const name = frameName(stack[i]);
    let child = node.children.get(name);
    if (!child) {
      child = { name, pkg: packageOf(stack[i]), total: 0, self: 0, children: new Map() };
      node.children.set(name, child);
    }
    child.total += dt;
    node = child;
  }
  node.self += dt;
}

function depthOf(node) {
  let d = 0;
  for (const c of node.children.values()) if (c.total / root.total >= MIN_SHARE) d = Math.max(d, depthOf(c));
  return d + 1;
}
const depth = depthOf(root);
const height = (depth + 2) * ROW + 30;

/** Colour by where the code lives: ours green, packages orange, Node's own yellow, V8/native red. */
function colour(pkg, name) {
  const h = [...name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) % 30;
  if (pkg.startsWith("tabula:")) return `hsl(${100 + h}, 55%, 55%)`;
  if (pkg === "node:internal") return `hsl(${48 + h / 3}, 80%, 55%)`;
  if (pkg.startsWith("(") || pkg === "") return `hsl(${h / 2}, 70%, 62%)`;
  return `hsl(${20 + h}, 80%, 60%)`;
}

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const boxes = [];
function draw(node, x, level) {
  const w = (node.total / root.total) * WIDTH;
  const y = height - 20 - (level + 1) * ROW;
  const pct = ((100 * node.total) / root.total).toFixed(2);
  const label =
    node.name.length * 6.2 < w - 4 ? node.name : node.name.slice(0, Math.max(0, Math.floor((w - 4) / 6.2) - 2)) + "..";
  boxes.push(
    `<g><title>${esc(node.name)} (${node.pkg}) — ${pct} % total, ${((100 * node.self) / root.total).toFixed(2)} % self</title>` +
      `<rect x="${x.toFixed(2)}" y="${y}" width="${Math.max(w - 0.3, 0.1).toFixed(2)}" height="${ROW - 1}" fill="${colour(node.pkg, node.name)}"/>` +
      (w > 20 && label.length > 2 ? `<text x="${(x + 3).toFixed(2)}" y="${y + 11.5}">${esc(label)}</text>` : "") +
      "</g>",
  );
  let cx = x;
  for (const c of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (c.total / root.total >= MIN_SHARE) draw(c, cx, level + 1);
    cx += (c.total / root.total) * WIDTH;
  }
}
draw(root, 0, 0);

const title = opt("--title") ?? file.replace(/^.*\//, "");
const svg = `<?xml version="1.0" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Verdana, sans-serif" font-size="10" role="img">
<title>${esc(title)}</title>
<rect width="100%" height="100%" fill="#fdfdf6"/>
<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>
<text x="${WIDTH / 2}" y="${height - 6}" text-anchor="middle" fill="#555">${(root.total / 1000).toFixed(1)} s of CPU samples, idle excluded; width = share of time; green: Tabula, orange: packages, yellow: Node, red: V8/native</text>
${boxes.join("\n")}
</svg>
`;
writeFileSync(out, svg);
console.log(`${out}: ${boxes.length} boxes, ${depth} levels, ${(root.total / 1000).toFixed(1)} s`);
