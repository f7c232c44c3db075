import { describe, expect, it } from "vitest";
import { newGameId } from "../../game/gameId.ts";
import {
  addMonths,
  createPartitionStatements,
  monthOf,
  monthOfPartition,
  monthStart,
  partitionBounds,
  partitionName,
  tablespaceOf,
} from "./layout.ts";

describe("partition layout", () => {
  it("months: of a time, moved, named and read back", () => {
    expect(monthOf(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toEqual({ year: 2026, month: 12 });
    expect(addMonths({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(addMonths({ year: 2027, month: 1 }, -13)).toEqual({ year: 2025, month: 12 });
    expect(partitionName("Move", { year: 2027, month: 3 })).toBe("Move_p202703");
    expect(monthOfPartition("AuditEvent", "AuditEvent_p202703")).toEqual({ year: 2027, month: 3 });
    expect(monthOfPartition("Move", "Move_legacy")).toBeNull();
    expect(monthOfPartition("Move", "AuditEvent_p202703")).toBeNull();
    expect(monthOfPartition("Move", "Move_p202713")).toBeNull();
  });

  it("consecutive months, and the two tables in one month, are on different tablespaces", () => {
    for (let i = 0; i < 24; i++) {
      const m = addMonths({ year: 2026, month: 1 }, i);
      const next = addMonths(m, 1);
      const after = addMonths(m, 2);
      expect(new Set([tablespaceOf("Move", m), tablespaceOf("Move", next), tablespaceOf("Move", after)]).size).toBe(3);
      expect(tablespaceOf("AuditEvent", m)).not.toBe(tablespaceOf("Move", m));
    }
  });

  it("month bounds are contiguous, and a game id falls in the month it was made in", () => {
    for (let i = 0; i < 30; i++) {
      const m = addMonths({ year: 2026, month: 1 }, i);
      for (const table of ["Move", "AuditEvent"] as const) {
        expect(partitionBounds(table, m).to).toBe(partitionBounds(table, addMonths(m, 1)).from);
      }
      const { from, to } = partitionBounds("Move", m);
      for (const t of [monthStart(m), monthStart(addMonths(m, 1)) - 1]) {
        const id = newGameId(t);
        expect(id >= from && id < to, `${id} in [${from}, ${to})`).toBe(true);
      }
    }
    expect(partitionBounds("AuditEvent", { year: 2026, month: 12 })).toEqual({
      from: "2026-12-01 00:00:00+00",
      to: "2027-01-01 00:00:00+00",
    });
  });

  it("a partition is made on its tablespace, its indexes too", () => {
    const m = { year: 2027, month: 2 };
    const [setting, create] = createPartitionStatements("Move", m);
    expect(setting).toBe(`SET LOCAL default_tablespace = ${tablespaceOf("Move", m)}`);
    expect(create).toMatch(
      new RegExp(
        `^CREATE TABLE IF NOT EXISTS "Move_p202702" PARTITION OF "Move" FOR VALUES FROM \\('1\\w{6}'\\) TO \\('1\\w{6}'\\) TABLESPACE ${tablespaceOf("Move", m)}$`,
      ),
    );
  });
});
