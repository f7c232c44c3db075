// `npm run audit` (and the first step of `npm test`): the dependency audit and the static security
// checks that Biome's lint does not cover. Exit 0 when all is well, 1 when something must be fixed.
//
// 1. Dependency audit: `npm audit --omit=dev --audit-level=high`. A high or critical advisory in a
//    production dependency fails the run unless game-server/scripts/audit-allowlist.json lists it
//    with a reason (and an expiry date, after which it fails again).
//    When the advisory service cannot be asked (no network, or a registry proxy that does not serve
//    the audit endpoint, as on the development machines), this says so in a banner and does NOT fail,
//    unless AUDIT_REQUIRED=1: the audit checks the lockfile against a remote database, not the change
//    under test, and a test run that fails for want of a network says nothing about the code. A
//    release pipeline with access sets AUDIT_REQUIRED=1 so that an audit cannot be skipped silently.
// 2. Lockfile provenance (offline, always): every installed package comes over https with an
//    integrity hash; none from git, a plain-http URL or a local file outside the workspaces.
// 3. Lint configuration (offline, always): biome.json turns no rule of Biome's `security` group off,
//    and no source file builds code from strings with `new Function` (Biome's noGlobalEval covers
//    `eval` only).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./node24.mjs";

const ALLOWLIST = process.env.AUDIT_ALLOWLIST ?? join(REPO_ROOT, "game-server/scripts/audit-allowlist.json");
const failures = [];
const fail = (msg) => failures.push(msg);

/** Advisories npm reports at high or critical severity: [{ name, severity, ids, title }]. */
function highAdvisories(report) {
  const out = [];
  for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
    if (v.severity !== "high" && v.severity !== "critical") continue;
    const via = (v.via ?? []).filter((x) => typeof x === "object");
    const ids = via.map((x) =>
      String(x.url ?? x.source)
        .split("/")
        .pop(),
    );
    out.push({ name, severity: v.severity, ids, title: via.map((x) => x.title).join("; ") || `via ${v.via.join(", ")}` });
  }
  return out;
}

/** The allow-list: [{ package, advisory, why, until }], each entry explained and dated. */
function readAllowlist() {
  const list = JSON.parse(readFileSync(ALLOWLIST, "utf8"));
  if (!Array.isArray(list.entries)) throw new Error(`${ALLOWLIST}: expected { "entries": [...] }`);
  const today = new Date().toISOString().slice(0, 10);
  for (const e of list.entries) {
    if (!e.package || !e.advisory) fail(`audit allow-list entry without package or advisory: ${JSON.stringify(e)}`);
    if (!e.why || String(e.why).length < 20) fail(`audit allow-list entry for ${e.package} ${e.advisory} does not say why`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(e.until ?? ""))
      fail(`audit allow-list entry for ${e.package} ${e.advisory} has no "until" date`);
    else if (e.until < today) fail(`audit allow-list entry for ${e.package} ${e.advisory} expired on ${e.until}: look again`);
  }
  return list.entries;
}

function dependencyAudit() {
  const allowed = readAllowlist();
  let stdout;
  // AUDIT_REPORT=<file>: read a saved `npm audit --json` answer instead of asking (to check this script offline).
  if (process.env.AUDIT_REPORT) stdout = readFileSync(process.env.AUDIT_REPORT, "utf8");
  else
    try {
      stdout = execFileSync("npm", ["audit", "--omit=dev", "--audit-level=high", "--json"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 120_000,
      });
    } catch (err) {
      stdout = err.stdout ?? ""; // npm audit exits 1 when it finds advisories, and when it cannot ask
    }
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = { error: { summary: "no JSON answer from npm audit" } };
  }
  if (report.error || report.statusCode || report.message) {
    const why = report.error?.summary || report.message || `HTTP ${report.statusCode}`;
    const banner = [
      "",
      "  ****************************************************************",
      "  *  DEPENDENCY AUDIT NOT RUN: the advisory service did not answer  ",
      `  *  (${String(why).slice(0, 120)})`,
      "  *  Production dependencies were NOT checked for known advisories.",
      "  *  Run `npm run audit` where the registry's audit endpoint is reachable.",
      "  ****************************************************************",
      "",
    ].join("\n");
    console.warn(banner);
    if (process.env.AUDIT_REQUIRED === "1") fail("dependency audit required (AUDIT_REQUIRED=1) but it could not run");
    return;
  }
  const found = highAdvisories(report);
  let excused = 0;
  for (const a of found) {
    const ok = allowed.some((e) => e.package === a.name && a.ids.includes(e.advisory));
    if (ok) excused++;
    else fail(`${a.severity} advisory in production dependency ${a.name} (${a.ids.join(", ")}): ${a.title}`);
  }
  console.log(`dependency audit: ${found.length} high/critical advisories in production dependencies, ${excused} allowed`);
}

function lockfileProvenance() {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
  let checked = 0;
  for (const [path, p] of Object.entries(lock.packages ?? {})) {
    if (path === "" || p.link || !path.includes("node_modules/")) continue; // the root and the workspaces
    checked++;
    if (!p.resolved) continue; // bundled or optional-and-absent: nothing was downloaded
    if (!p.resolved.startsWith("https://")) fail(`${path} comes from ${p.resolved}: only https downloads`);
    else if (!/^sha(256|384|512)-/.test(p.integrity ?? "")) fail(`${path} has no integrity hash in package-lock.json`);
  }
  console.log(`lockfile: ${checked} packages, all over https with an integrity hash${failures.length ? " (see below)" : ""}`);
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "generated" || name === "dist") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mjs|js)$/.test(name) && !/\.test\.ts$/.test(name)) yield p;
  }
}

function lintConfiguration() {
  const biome = JSON.parse(readFileSync(join(REPO_ROOT, "biome.json"), "utf8"));
  const security = biome.linter?.rules?.security ?? {};
  if (biome.linter?.enabled === false) fail("biome.json turns the linter off");
  for (const [rule, level] of Object.entries(security)) {
    if (level === "off" || level?.level === "off") fail(`biome.json turns the security rule ${rule} off`);
  }
  const roots = ["game-server/src", "game-server/shared/src", "client/src", "bots/src"];
  for (const root of roots) {
    for (const file of sourceFiles(join(REPO_ROOT, root))) {
      const text = readFileSync(file, "utf8");
      if (/\bnew Function\s*\(/.test(text)) fail(`${file.slice(REPO_ROOT.length + 1)} builds code from a string (new Function)`);
    }
  }
  console.log("lint configuration: Biome's security rules all on; no `new Function` in the sources");
}

lockfileProvenance();
lintConfiguration();
dependencyAudit();
if (failures.length) {
  console.error(`\nsecurity checks failed:\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  process.exit(1);
}
