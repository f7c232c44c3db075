import { describe, expect, it } from "vitest";
import { skippedInBackup } from "./copyTree.ts";
import { walPosition } from "./layout.ts";
import { chooseBaseBackup, pgTimestamp } from "./restore.ts";
import { backupsToKeep, isoWeekKey, walNeeded } from "./retention.ts";
import { nextBackupDue } from "./schedule.ts";

/** One made-up base backup a day at 03:00 UTC, for `days` days up to 2026-12-01, oldest first, WAL 1 segment apart. */
function dailyBackups(days: number) {
  const out = [];
  for (let i = days - 1; i >= 0; i--) {
    const at = new Date(Date.UTC(2026, 11, 1, 3) - i * 86_400_000);
    const seg = (days - i) * 10;
    const wal = (n: number) => `00000001${"0".repeat(8)}${n.toString(16).toUpperCase().padStart(8, "0")}`;
    out.push({ id: at.toISOString().slice(0, 10), finishedAt: at.toISOString(), startWal: wal(seg), stopWal: wal(seg + 1) });
  }
  return out;
}

describe("retention policy", () => {
  it("keeps the newest backup per day, ISO week and month, for the configured counts", () => {
    const backups = dailyBackups(120); // 2026-08-04 … 2026-12-01
    const { all, daily } = backupsToKeep(backups, { daily: 7, weekly: 4, monthly: 3 });
    expect(daily.map((b) => b.id)).toEqual([
      "2026-12-01",
      "2026-11-30",
      "2026-11-29",
      "2026-11-28",
      "2026-11-27",
      "2026-11-26",
      "2026-11-25",
    ]);
    // Weeks end on Sundays: 2026-11-29, 11-22, 11-15 (+ the current week's 12-01). Months: 12-01, 11-30, 10-31.
    expect([...all].sort()).toEqual(
      [
        "2026-10-31",
        "2026-11-15",
        "2026-11-22",
        "2026-11-25",
        "2026-11-26",
        "2026-11-27",
        "2026-11-28",
        "2026-11-29",
        "2026-11-30",
        "2026-12-01",
      ].sort(),
    );
  });

  it("keeps the newest backup even with nothing else asked for, and several backups a day count once", () => {
    const backups = [
      { id: "a", finishedAt: "2026-12-01T01:00:00.000Z" },
      { id: "b", finishedAt: "2026-12-01T13:00:00.000Z" },
      { id: "c", finishedAt: "2026-11-30T13:00:00.000Z" },
    ];
    expect([...backupsToKeep(backups, { daily: 1, weekly: 0, monthly: 0 }).all]).toEqual(["b"]);
    expect([...backupsToKeep(backups, { daily: 2, weekly: 0, monthly: 0 }).all].sort()).toEqual(["b", "c"]);
  });

  it("names ISO weeks across a year boundary", () => {
    expect(isoWeekKey(new Date("2026-12-31T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeekKey(new Date("2027-01-03T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeekKey(new Date("2027-01-04T12:00:00Z"))).toBe("2027-W01");
    expect(isoWeekKey(new Date("2026-11-30T00:00:00Z"))).toBe("2026-W49");
  });

  it("keeps WAL from the oldest daily backup on, and only start..stop of older kept backups", () => {
    const backups = dailyBackups(40);
    const policy = { daily: 3, weekly: 0, monthly: 3 };
    const { all, daily } = backupsToKeep(backups, policy);
    const kept = backups.filter((b) => all.has(b.id));
    const oldestDaily = daily.at(-1)!;
    const monthly = kept.find((b) => b.id === "2026-10-31")!;
    const seg = (wal: string, delta: number) =>
      wal.slice(0, 16) + (Number.parseInt(wal.slice(16), 16) + delta).toString(16).toUpperCase().padStart(8, "0");
    expect(walNeeded(oldestDaily.startWal, kept, daily)).toBe(true);
    expect(walNeeded(seg(oldestDaily.startWal, 500), kept, daily)).toBe(true);
    expect(walNeeded(seg(oldestDaily.startWal, -1), kept, daily)).toBe(false);
    expect(walNeeded(monthly.startWal, kept, daily)).toBe(true);
    expect(walNeeded(monthly.stopWal, kept, daily)).toBe(true);
    expect(walNeeded(`${seg(monthly.stopWal, 1)}`, kept, daily)).toBe(false);
    expect(walNeeded(`${seg(monthly.startWal, -1)}.00000028.backup`, kept, daily)).toBe(false);
    expect(walNeeded(`${monthly.startWal}.00000028.backup`, kept, daily)).toBe(true);
    // Another timeline's segment at a needed position is kept; history files always are.
    expect(walNeeded(`00000002${oldestDaily.startWal.slice(8)}`, kept, daily)).toBe(true);
    expect(walNeeded("00000002.history", kept, daily)).toBe(true);
    // No kept backup (a fresh archive): nothing is pruned.
    expect(walNeeded(seg(oldestDaily.startWal, -30), [], [])).toBe(true);
  });

  it("reads WAL positions without the timeline", () => {
    expect(walPosition("000000010000000A000000FF")).toBe("0000000A000000FF");
    expect(walPosition("000000010000000A000000FF.partial")).toBe("0000000A000000FF");
    expect(walPosition("00000002.history")).toBeUndefined();
    expect(walPosition("notes.txt")).toBeUndefined();
  });
});

describe("restore choices", () => {
  const backups = [
    { id: "1", finishedAt: "2026-11-29T03:00:00.000Z" },
    { id: "2", finishedAt: "2026-11-30T03:00:00.000Z" },
    { id: "3", finishedAt: "2026-12-01T03:00:00.000Z" },
  ];
  it("restores a time from the newest backup that finished at or before it", () => {
    expect(chooseBaseBackup(backups, { kind: "time", time: new Date("2026-11-30T12:00:00Z") })?.id).toBe("2");
    expect(chooseBaseBackup(backups, { kind: "time", time: new Date("2026-11-30T03:00:00Z") })?.id).toBe("2");
    expect(chooseBaseBackup(backups, { kind: "time", time: new Date("2026-11-29T02:59:59Z") })).toBeUndefined();
    expect(chooseBaseBackup(backups, { kind: "latest" })?.id).toBe("3");
    expect(chooseBaseBackup([], { kind: "latest" })).toBeUndefined();
  });

  it("writes recovery_target_time in a form PostgreSQL accepts (no T, no Z)", () => {
    expect(pgTimestamp(new Date("2026-12-01T17:11:14.930Z"))).toBe("2026-12-01 17:11:14.930+00");
  });

  it("leaves runtime files and temporary contents out of a base backup, keeping the folders", () => {
    expect(skippedInBackup("postmaster.pid", false)).toBe(true);
    expect(skippedInBackup("pg_wal", true)).toBe(false);
    expect(skippedInBackup("pg_wal/000000010000000000000001", false)).toBe(true);
    expect(skippedInBackup("pg_tblspc/16390", false)).toBe(true);
    expect(skippedInBackup("base/5/pgsql_tmp", true)).toBe(true);
    expect(skippedInBackup("global/pg_internal.init", false)).toBe(true);
    expect(skippedInBackup("base/5/16384", false)).toBe(false);
    expect(skippedInBackup("global/pg_control", false)).toBe(false);
  });

  it("schedules the next base backup an interval after the newest, at once when there is none", () => {
    expect(nextBackupDue(undefined, 3_600_000)).toBe(0);
    expect(nextBackupDue(1_000, 3_600_000)).toBe(3_601_000);
  });
});
