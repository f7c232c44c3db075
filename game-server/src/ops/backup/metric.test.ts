import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { backupAgeGauge } from "./metric.ts";

const dir = mkdtempSync(join(tmpdir(), "tabula-backup-metric-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A base backup folder with just its manifest (all the gauge reads). */
function fakeBackup(id: string, finishedAt: string, complete = true) {
  mkdirSync(join(dir, "base", id), { recursive: true });
  if (complete) writeFileSync(join(dir, "base", id, "backup.json"), JSON.stringify({ id, finishedAt }));
}

describe("tabula_backup_last_success_timestamp_seconds", () => {
  it("is 0 with no base backup, then the newest complete one's finish time", async () => {
    const registry = new Registry();
    backupAgeGauge(registry, dir);
    const value = async () => (await registry.getSingleMetric("tabula_backup_last_success_timestamp_seconds")!.get()).values;
    expect((await value()).map((v) => v.value)).toEqual([0]);
    fakeBackup("20261130T030000Z", "2026-11-30T03:00:05.000Z");
    fakeBackup("20261201T030000Z", "2026-12-01T03:00:07.000Z");
    fakeBackup("20261201T090000Z", "2026-12-01T09:00:00.000Z", false); // still being taken: no manifest
    expect((await value()).map((v) => v.value)).toEqual([Date.parse("2026-12-01T03:00:07.000Z") / 1000]);
  });
});
