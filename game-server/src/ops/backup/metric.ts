/**
 * `tabula_backup_last_success_timestamp_seconds`: when the newest complete base
 * backup in BACKUP_DIR finished (epoch s), read at scrape time from the
 * manifests, so it is right whoever took the backup (the schedule, an
 * operator's `npm run backup -- --base`). The TabulaBackupTooOld alert and the
 * dashboard's backup-age panel are written against it (compose/monitoring/).
 * Every node on the backup machine reports the same figure; 0 when the folder
 * holds no base backup (never backed up: the alert fires, as it should).
 */
import { Gauge, type Registry } from "prom-client";
import { listBaseBackups } from "./layout.ts";

/** Register the gauge in `registry`, reading `backupDir` (absolute) at each scrape. */
export function backupAgeGauge(registry: Registry, backupDir: string): void {
  new Gauge({
    name: "tabula_backup_last_success_timestamp_seconds",
    help: "When the newest complete base backup in BACKUP_DIR finished, seconds since the epoch (0: none)",
    registers: [registry],
    collect() {
      let newest: string | undefined;
      try {
        newest = listBaseBackups(backupDir).at(-1)?.finishedAt;
      } catch {
        // an unreadable folder or manifest counts as no backup
      }
      this.set(newest ? Date.parse(newest) / 1000 : 0);
    },
  });
}
