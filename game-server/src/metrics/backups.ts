/**
 * `tabula_backup_last_success_timestamp_seconds`: when the newest complete
 * base backup in BACKUP_DIR finished (epoch seconds), read from the backups'
 * manifests at each scrape (ops/backup/layout.ts). Every node that sees the
 * backup folder reports the same figure: the backup-age alert takes the max.
 * No backup yet, or a folder this node cannot see: no sample (the alert stays
 * silent rather than guessing).
 */
import { Gauge, type Registry } from "prom-client";
import { listBaseBackups } from "../ops/backup/layout.ts";

/** Register the gauge in `registry`, reading `backupDir` (absolute) at each scrape. */
export function backupGauge(registry: Registry, backupDir: string): void {
  new Gauge({
    name: "tabula_backup_last_success_timestamp_seconds",
    help: "When the newest complete backup finished (epoch seconds), by kind (base), from the manifests in BACKUP_DIR",
    // Labelled so that "no backup" is no sample at all (an unlabelled gauge would report 0: epoch, a backup 56 years old).
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      this.reset();
      try {
        const newest = listBaseBackups(backupDir).at(-1);
        const at = newest ? Date.parse(newest.finishedAt) : Number.NaN;
        if (Number.isFinite(at)) this.set({ kind: "base" }, at / 1000);
      } catch {
        // An unreadable or half-written manifest: no figure this scrape, and the rest of /metrics still answers.
      }
    },
  });
}
