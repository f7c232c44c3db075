import { describe, expect, it } from "vitest";
import { summarizeRun, type RunResult } from "./summary.ts";
import { COLUMNS, fmt, formatRatio, formatRatios, formatTable, rowCells } from "./table.ts";

const run = (system: string, persisted: boolean, moves: number): RunResult =>
  summarizeRun(
    { system, label: system, players: 100, persisted },
    { moves, errors: 1, rttMs: [2.5, 7.25], connected: 100 },
    {
      windowMs: 1000,
      window: "markers",
      cpuMs: { server: moves * 0.25, database: moves * 0.1, driver: moves * 0.2, redis: moves * 0.02 },
      rows: moves,
      serverRssDeltaBytes: 2_048_000,
    },
  );

describe("fmt", () => {
  it("separates thousands, fixes decimals, dashes what is missing", () => {
    expect(fmt(12345.678)).toBe("12,346");
    expect(fmt(0.1234, 3)).toBe("0.123");
    expect(fmt(null)).toBe("—");
    expect(fmt(undefined)).toBe("—");
    expect(fmt(Number.NaN)).toBe("—");
  });
});

describe("rowCells", () => {
  it("prints every column, 'not kept' rows and no database CPU for a system without a database", () => {
    const cells = rowCells(run("colyseus", false, 4800));
    expect(cells).toHaveLength(COLUMNS.length);
    expect(cells).toEqual([
      "colyseus",
      "100",
      "4,800",
      "2.5",
      "7.3",
      "7.3",
      "1",
      "not kept",
      "0.250",
      "—",
      "0.200",
      "0.020",
      "20.0",
    ]);
    expect(rowCells(run("tabula-1", true, 3000))[7]).toBe("3,000");
    expect(rowCells(run("tabula-1", true, 3000))[9]).toBe("0.100");
  });

  it("says why a run failed", () => {
    expect(rowCells({ system: "tabula-2", label: "", players: 20, persisted: true, failed: "start: nginx" })).toEqual([
      "tabula-2",
      "20",
      "failed: start: nginx",
    ]);
  });
});

describe("formatTable", () => {
  it("aligns every column under its header and lists what was not available", () => {
    const text = formatTable(
      [run("colyseus", false, 4800), run("tabula-1", true, 3000)],
      [{ id: "bgio-memory", reason: "not yet" }],
    );
    const lines = text.split("\n");
    const header = lines[0]!;
    const rows = lines.filter((l) => /^(colyseus|tabula-1) /.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.length).toBe(header.length);
    // Right-aligned numbers end where their header ends.
    const end = header.indexOf("moves/s") + "moves/s".length;
    expect(rows[0]!.slice(0, end).endsWith("4,800")).toBe(true);
    expect(lines.at(-1)).toMatch(/^bgio-memory\s+not available: not yet$/);
  });
});

describe("formatRatio(s)", () => {
  it("prints percentages and multiples, with target and verdict", () => {
    expect(formatRatio({ value: 0.6249, unit: "%" })).toBe("62 %");
    expect(formatRatio({ value: 15.04, unit: "×" })).toBe("15.0×");
    const text = formatRatios([
      { players: 100, name: "tabula-1 / colyseus", value: 0.5, unit: "%", target: "≥ 60 %", met: false },
    ]);
    expect(text).toBe("  100 players  tabula-1 / colyseus     50 %  target ≥ 60 %  NOT met");
    expect(formatRatios([])).toMatch(/no comparisons/);
  });
});
