import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BaseBackupManifest } from "./layout.ts";
import { pruneBackups } from "./prune.ts";

const dir = mkdtempSync(join(tmpdir(), "tabula-prune-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SYSTEM = "7714380971799511243";
const wal = (n: number) => `0000000100000000${n.toString(16).toUpperCase().padStart(8, "0")}`;

/** A made-up base backup finished on `day` (UTC, 03:00) that needs WAL segments `start`..`start + 1`. */
function fakeBackup(day: string, start: number) {
  const id = `${day.replaceAll("-", "")}T030000Z`;
  const manifest: Partial<BaseBackupManifest> = {
    id,
    systemId: SYSTEM,
    finishedAt: `${day}T03:00:00.000Z`,
    startWal: wal(start),
    stopWal: wal(start + 1),
  };
  mkdirSync(join(dir, "base", id, "data"), { recursive: true });
  writeFileSync(join(dir, "base", id, "backup.json"), JSON.stringify(manifest));
  return id;
}

describe("pruning by the retention policy", () => {
  it("deletes the base backups the policy drops and the WAL no kept backup needs", async () => {
    // Five daily backups, 10 segments apart: 2026-11-27 (segments 10, 11) … 2026-12-01 (50, 51).
    const ids = ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"].map((d, i) => fakeBackup(d, (i + 1) * 10));
    const walDir = join(dir, "wal", SYSTEM);
    mkdirSync(walDir, { recursive: true });
    for (let n = 1; n <= 60; n++) writeFileSync(join(walDir, wal(n)), "");
    writeFileSync(join(walDir, `${wal(10)}.00000028.backup`), "");
    writeFileSync(join(walDir, "00000002.history"), "");

    // Keep 2 days, and the newest of this month and the one before (November's newest is 2026-11-30).
    const removed = await pruneBackups({ backupDir: dir, policy: { daily: 2, weekly: 0, monthly: 2 } });

    expect(removed.backups.sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    expect(readdirSync(join(dir, "base")).sort()).toEqual([ids[3], ids[4]].sort());
    // Kept: from the oldest daily backup (2026-11-30, segment 40) on; the history file; nothing before 40.
    const left = readdirSync(walDir);
    expect(left).toContain("00000002.history");
    expect(left.filter((f) => f !== "00000002.history").sort()).toEqual(Array.from({ length: 21 }, (_, i) => wal(40 + i)).sort());
    expect(removed.walFiles).toBe(60 - 21 + 1);
    expect(existsSync(join(walDir, `${wal(10)}.00000028.backup`))).toBe(false);
  });

  it("keeps an older monthly backup with only its own segments", async () => {
    const d = mkdtempSync(join(tmpdir(), "tabula-prune-monthly-"));
    try {
      const mk = (day: string, start: number) => {
        const id = `${day.replaceAll("-", "")}T030000Z`;
        mkdirSync(join(d, "base", id), { recursive: true });
        writeFileSync(
          join(d, "base", id, "backup.json"),
          JSON.stringify({
            id,
            systemId: SYSTEM,
            finishedAt: `${day}T03:00:00.000Z`,
            startWal: wal(start),
            stopWal: wal(start + 1),
          }),
        );
        return id;
      };
      const october = mk("2026-10-31", 5);
      const today = mk("2026-12-01", 50);
      const walDir = join(d, "wal", SYSTEM);
      mkdirSync(walDir, { recursive: true });
      for (let n = 1; n <= 52; n++) writeFileSync(join(walDir, wal(n)), "");
      await pruneBackups({ backupDir: d, policy: { daily: 1, weekly: 0, monthly: 3 } });
      expect(readdirSync(join(d, "base")).sort()).toEqual([october, today].sort());
      expect(readdirSync(walDir).sort()).toEqual([wal(5), wal(6), wal(50), wal(51), wal(52)].sort());
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
