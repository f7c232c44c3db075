/**
 * The bot-players stress script against a real 2-node cluster behind nginx:
 * about 20 seconds of play with zero errors, a JSON report with every field
 * operators read, and not one ERROR (or unstructured) line in the nodes' logs.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alarmingLines, type Cluster, startCluster } from "../support/cluster.ts";
import { runBotsScript } from "./robots.ts";

let cluster: Cluster;
beforeAll(async () => {
  // Info level: every line a node writes under load is checked, not only warnings.
  cluster = await startCluster({ nodes: 2, env: { LOG_LEVEL: "info" } });
});
afterAll(async () => {
  await cluster?.stop();
});

describe("bot-players script", () => {
  it("runs ~20 s against two nodes with zero errors and writes the full report", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "tabula-bots-")), "report.json");
    const args = ["--url", cluster.url, "--bots", "40", "--game", "mix", "--duration", "20s"];
    args.push("--think", "100ms-300ms", "--procs", "2", "--out", out, "--max-errors", "0");
    const { code, output } = await runBotsScript(args);
    expect(code).toBe(0);
    expect(output).toMatch(/moves .*acknowledged .*\/s during the run/); // the final table is shown

    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.durationS).toBeGreaterThanOrEqual(19);
    expect(report.games.started).toBeGreaterThan(5);
    expect(report.games.finished).toBeGreaterThan(5);
    expect(report.moves.total).toBeGreaterThan(100);
    expect(report.moves.perSecond).toBeGreaterThan(0);
    for (const k of ["p50", "p95", "p99"]) expect(report.moveRttMs[k]).toBeGreaterThan(0);
    for (const k of ["p50", "p99"]) expect(report.matchmakingWaitMs[k]).toBeGreaterThan(0);
    expect(report.errors.total).toBe(0);
    expect(report.errors).toHaveProperty("byKind");
    expect(report).toHaveProperty("disconnects");
    expect(Object.keys(report.nodes.observed).every((id) => id === "n1" || id === "n2")).toBe(true);
    expect(Object.keys(report.nodes.observed).length).toBeGreaterThan(0);
    expect(report.cpu.userMs).toBeGreaterThan(0);
    // A healthy cluster under load logs no ERROR.
    expect(cluster.logs.length).toBeGreaterThan(0);
    expect(alarmingLines(cluster.logs)).toEqual([]);
  });
});
