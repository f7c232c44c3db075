/** The cluster's embedded PostgreSQL archives its WAL as a single node's would: WAL_ARCHIVE, BACKUP_DIR (docs/backups.md). */
import { resolve } from "node:path";
import { loadConfig } from "../game-server/src/config.ts";
import { REPO_ROOT } from "./spawn.ts";

/** Archive settings from the environment (the same variables and defaults as `npm start`), or undefined when off. */
export function walArchiveSettings(): { backupDir: string; timeoutS: number } | undefined {
  const config = loadConfig(process.env);
  return config.walArchive ? { backupDir: resolve(REPO_ROOT, config.backupDir), timeoutS: config.walArchiveTimeoutS } : undefined;
}
